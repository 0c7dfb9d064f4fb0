// Two steps on one item that reach its workflow in the same workflow task (a unit head's double
// click, or the office deciding while the unit reports). The workers are stopped while both are
// sent, so the server hands them over together when a new one starts; the real workers, the real
// ledger and the time-skipping server otherwise, as in the other lifecycle tests (with no workflow
// cache, so every task is a replay too).
import { harness, realWorkers, sampleRound, skippingClock, stripEmails, timeSkippingEnv, uid, unitOf } from '../support/helpers';
import { waitForPhase } from '../../src/client/drive';
import { XunchaClient } from '../../src/client/xuncha-client';
import { DAY, problem, roundInRectification, rows, type Suite } from '../support/lifecycle';
import { recordHistory } from '../support/histories';
import { itemWorkflowId, unitWorkflowId } from '../../src/domain/ids';

const s = {} as Suite;
const sets: Awaited<ReturnType<typeof realWorkers>>[] = [];
const running: Promise<unknown>[] = [];
async function startWorkers() {
  const w = await realWorkers(s.h, s.env.nativeConnection);
  sets.push(w);
  running.push(w.run());
  return w;
}
beforeAll(async () => {
  s.env = await timeSkippingEnv();
  // No sticky queues: the time-skipping server's clock stands still while a step waits, so a task
  // sent to a stopped worker's sticky queue would never time out to the shared queue.
  s.h = harness({ WORKER_MAX_CACHED_WORKFLOWS: '0', WORKER_MAX_CACHED_ITEMS: '0' });
  s.xc = new XunchaClient(s.env.client);
  s.clock = skippingClock(s.env);
  await startWorkers();
});
afterAll(async () => {
  for (const w of sets) w.shutdown();
  await Promise.all(running.map((r) => r.catch(() => undefined)));
  await s.h?.close();
  await s.env?.teardown();
});

/**
 * Stop the workers, send `steps` one after another (each admitted by the server before the next),
 * then start a fresh set of workers, which receives them all in one workflow task.
 */
async function together<T>(steps: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
  sets[sets.length - 1]!.shutdown();
  await running[running.length - 1];
  const sent: Promise<T>[] = [];
  for (const step of steps) {
    sent.push(step());
    await new Promise((r) => setTimeout(r, 500));
  }
  await startWorkers();
  return Promise.allSettled(sent);
}

const openTasks = (roundId: string, kind: string) =>
  rows(s, `SELECT task_id, state FROM tasks WHERE round_id = $1 AND kind = $2 ORDER BY task_id`, [roundId, kind]);

test('two reports of "done" in one workflow task open one reconcile task, and the office is told once', async () => {
  const r = await roundInRectification(s, { prefix: 'double-done', problems: [problem('p1', '公务用车管理不规范')], plan: [{ problemId: 'p1', days: 30 }] });
  await s.clock.advance(2 * DAY);
  const done = (note: string) => () =>
    s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reportProgress', { by: `head-${r.roundId}`, status: 'done', note, evidence: ['说明'] });
  const outcomes = await together([done('已整改'), done('已整改（重复提交）')]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
  expect((await s.xc.itemStatus(r.roundId, r.unitId, 'p1')).progressReports).toBe(2);
  expect(await openTasks(r.roundId, 'reconcile-item')).toEqual([{ task_id: expect.stringMatching(/:reconcile:1$/), state: 'open' }]);
  const told = await rows(s, `SELECT DISTINCT split_part(idempotency_key, ':assigned', 1) AS task FROM notices WHERE round_id = $1 AND template = 'task-assigned' AND idempotency_key LIKE '%:reconcile:%'`, [r.roundId]);
  expect(told).toEqual([{ task: expect.stringMatching(/:reconcile:1$/) }]);
  await recordHistory('steps-met-item', s.env.client.workflow.getHandle(itemWorkflowId(r.roundId, r.unitId, 'p1')));
});

test('the office returns the item while the unit reports it done again: the new report gets a new reconcile task', async () => {
  const r = await roundInRectification(s, { prefix: 'cross', problems: [problem('p1', '会议费支出不规范')], plan: [{ problemId: 'p1', days: 30 }] });
  await s.clock.advance(2 * DAY);
  await s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reportProgress', { by: `head-${r.roundId}`, status: 'done', note: '已整改', evidence: ['说明'] });
  const newDeadline = new Date((await s.env.currentTimeMs()) + 20 * DAY).toISOString();
  const outcomes = await together<unknown>([
    () => s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reconcileItem', { by: 'office-wang', decision: 'return', reason: '佐证材料不足', newDeadline }),
    () => s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reportProgress', { by: `head-${r.roundId}`, status: 'done', note: '已补充材料', evidence: ['补充说明'] }),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
  const item = await s.xc.itemStatus(r.roundId, r.unitId, 'p1');
  expect(item).toMatchObject({ state: 'open', progress: 'done', returned: 1 });
  // The first reconcile task was closed by the return; the report after it opened the second.
  expect(await openTasks(r.roundId, 'reconcile-item')).toEqual([
    { task_id: expect.stringMatching(/:reconcile:1$/), state: 'done' },
    { task_id: expect.stringMatching(/:reconcile:2$/), state: 'open' },
  ]);
});

test('a report that waited behind the office closing the item is refused with the reason, and changes nothing', async () => {
  const r = await roundInRectification(s, { prefix: 'closed-behind', problems: [problem('p1', '固定资产未入账')], plan: [{ problemId: 'p1', days: 30 }] });
  await s.clock.advance(2 * DAY);
  const report = (note: string) => () =>
    s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reportProgress', { by: `head-${r.roundId}`, status: 'done', note, evidence: ['说明'] });
  const outcomes = await together<unknown>([
    report('已整改'),
    () => s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reconcileItem', { by: 'office-wang', decision: 'close', evidence: ['整改完成'] }),
    report('已整改（重复提交）'),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
  const refused = (outcomes[2] as PromiseRejectedResult).reason as Error & { issues?: unknown[] };
  expect(refused.name).toBe('ValidationError');
  expect(refused.message).toMatch(/^reportProgress: item "p1" is closed/);
  expect(refused.issues).toEqual([{ path: 'itemId', message: 'closed' }]);
  expect(await rows(s, `SELECT count(*)::int AS n FROM progress_reports WHERE round_id = $1`, [r.roundId])).toEqual([{ n: 1 }]);
  expect(await rows(s, `SELECT state FROM rectification_items WHERE round_id = $1`, [r.roundId])).toEqual([{ state: 'closed' }]);
});

/** A new round whose one unit found one problem (p1) and is writing its report. */
async function unitInReport(prefix: string, title: string) {
  const roundId = uid(prefix);
  const unitId = unitOf(roundId);
  const round = sampleRound(roundId);
  await s.xc.startRound(stripEmails(round), 'office-wang');
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'preparation');
  await s.clock.advance(8 * DAY);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'stationing');
  await s.xc.recordProblem(roundId, unitId, problem('p1', title));
  await s.clock.advance(31 * DAY);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'report');
  return { roundId, unitId, round };
}

test('the office approves the report in the task it was submitted in: its review task is closed, not left open behind it', async () => {
  const { roundId, unitId } = await unitInReport('report-race', '违规发放津贴补贴');
  const outcomes = await together<unknown>([
    () => s.xc.unitStep(roundId, unitId, 'submitReport', { by: 'inspector-chen', summary: '巡察报告：发现问题一个。' }),
    () => s.xc.unitStep(roundId, unitId, 'reviewReport', { by: 'office-wang', stage: 'office', decision: 'approve' }),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
  const reviews = await rows(s, `SELECT kind, state FROM tasks WHERE round_id = $1 AND kind IN ('review-report', 'approve-report-leading-group') ORDER BY kind`, [roundId]);
  expect(reviews).toEqual([
    { kind: 'approve-report-leading-group', state: 'open' },
    { kind: 'review-report', state: 'done' },
  ]);
  expect((await s.xc.unitStatus(roundId, unitId)).openTasks.map((t) => t.kind)).not.toContain('review-report');
  await recordHistory('steps-met-unit', s.env.client.workflow.getHandle(unitWorkflowId(roundId, unitId)));
});

/** Poll (real time) until `ok` holds. */
async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const petition = (roundId: string, petitionId: string) =>
  s.xc.unitStep(roundId, unitOf(roundId), 'recordPetition', {
    petitionId,
    by: 'office-wang',
    receivedVia: 'letter',
    content: '反映该单位公务用车问题整改不实，车辆仍在私用。',
    allegesFalseRectificationOf: ['p1'],
  });
const findings = (roundId: string, checkId: string, verdict: 'fake' | 'sustained') => () =>
  s.xc.unitStep(roundId, unitOf(roundId), 'recordFindings', { by: `ducha-${roundId}`, checkId, findings: [{ itemId: 'p1', verdict, note: verdict === 'fake' ? '车辆仍在私用' : '已整改到位' }] });

test("findings recorded while their re-check's notice is still being sent close its task once it is opened", async () => {
  const r = await roundInRectification(s, { prefix: 'check-race', problems: [problem('p1', '公务用车私用')], plan: [{ problemId: 'p1', days: 30 }] });
  const unit = s.env.client.workflow.getHandle(unitWorkflowId(r.roundId, r.unitId));
  // A set whose notice worker does not run yet: the petition's re-check stops at its notice to the
  // supervision group, its task not yet opened. (One worker per task queue per process: the running
  // set is stopped first, and the new set's notice worker is started later.)
  sets[sets.length - 1]!.shutdown();
  await running[running.length - 1];
  const w = await realWorkers(s.h, s.env.nativeConnection);
  sets.push(w);
  let startNotices!: () => void;
  const noticesMayStart = new Promise<void>((res) => (startNotices = res));
  running.push(Promise.all([w.workflowWorker.run(), w.itemWorker.run(), noticesMayStart.then(() => w.noticeWorker.run())]));
  const recheck = petition(r.roundId, 'pet-a');
  await until('the re-check notice to be scheduled', async () => ((await unit.describe()).raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'sendNotice'));
  const recorded = findings(r.roundId, 'petition-pet-a', 'sustained')();
  // The findings are accepted by the unit while the notice is still held.
  await until('the findings to be accepted', async () =>
    (await unit.fetchHistory()).events!.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'recordFindings'),
  );
  expect(((await unit.describe()).raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'sendNotice')).toBe(true);
  startNotices();
  const outcomes = await Promise.allSettled([recheck, recorded]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
  expect(await rows(s, `SELECT kind, state FROM tasks WHERE round_id = $1 AND task_id LIKE '%:petition-pet-a'`, [r.roundId])).toEqual([{ kind: 'look-back', state: 'done' }]);
  expect((await s.xc.unitStatus(r.roundId, r.unitId)).openTasks.map((t) => t.kind)).not.toContain('look-back');
});

test('two sets of findings reopening one closed item at once: both reopenings reach its new run', async () => {
  const r = await roundInRectification(s, { prefix: 'two-fakes', problems: [problem('p1', '公务用车私用')], plan: [{ problemId: 'p1', days: 30 }] });
  await s.xc.closeItem(r.roundId, r.unitId, 'p1', { by: 'office-wang', evidence: ['车辆使用登记表'] });
  await until('the unit to count the item closed', async () => (await s.xc.unitStatus(r.roundId, r.unitId)).items.some((i) => i.itemId === 'p1' && i.state === 'closed'));
  for (const id of ['pet-a', 'pet-b']) expect(await petition(r.roundId, id)).toEqual({ petitionId: id, recheck: true });
  const outcomes = await together([findings(r.roundId, 'petition-pet-a', 'fake'), findings(r.roundId, 'petition-pet-b', 'fake')]);
  expect(outcomes).toEqual([
    { status: 'fulfilled', value: { reopened: ['p1'] } },
    { status: 'fulfilled', value: { reopened: ['p1'] } },
  ]);
  await until('both reopenings in the ledger', async () => (await rows(s, `SELECT reopened_count FROM rectification_items WHERE round_id = $1`, [r.roundId]))[0]?.reopened_count === 2);
  expect(await s.xc.itemStatus(r.roundId, r.unitId, 'p1')).toMatchObject({ state: 'open', reopened: 2 });
  expect(await rows(s, `SELECT state FROM tasks WHERE round_id = $1 AND kind = 'look-back' ORDER BY task_id`, [r.roundId])).toEqual([{ state: 'done' }, { state: 'done' }]);
  await recordHistory('checks-met-unit', s.env.client.workflow.getHandle(unitWorkflowId(r.roundId, r.unitId)));
});

test('a plan sent with the feedback meeting is refused until the unit is in rectification, and its task is not left open', async () => {
  const { roundId, unitId, round } = await unitInReport('plan-race', '食堂账目不清');
  const head = round.units[0]!.head;
  await s.xc.unitStep(roundId, unitId, 'submitReport', { by: 'inspector-chen', summary: '巡察报告：发现问题一个。' });
  for (const stage of ['office', 'leadingGroup', 'secretaryMeeting'] as const) await s.xc.unitStep(roundId, unitId, 'reviewReport', { by: 'office-wang', stage, decision: 'approve' });
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'feedback');
  const plan = async () => ({
    by: head.personId,
    items: [{ problemId: 'p1', measures: '建立食堂账目台账，按月公开。', responsible: head, deadline: new Date((await s.env.currentTimeMs()) + 30 * DAY).toISOString(), kind: 'time-limited' as const }],
  });
  const early = await plan();
  const outcomes = await together<unknown>([
    () => s.xc.unitStep(roundId, unitId, 'holdFeedback', { by: 'office-wang' }),
    () => s.xc.unitStep(roundId, unitId, 'fileRectificationPlan', early),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
  const refused = (outcomes[1] as PromiseRejectedResult).reason as Error;
  expect(refused.name).toBe('ValidationError');
  expect(refused.message).toMatch(/^fileRectificationPlan: the plan is filed once the unit is in rectification, after the feedback meeting \(unit ".*" is in feedback\)/);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'rectification');
  await s.xc.unitStep(roundId, unitId, 'fileRectificationPlan', await plan());
  expect(await rows(s, `SELECT state FROM tasks WHERE round_id = $1 AND kind = 'file-plan'`, [roundId])).toEqual([{ state: 'done' }]);
  expect((await s.xc.unitStatus(roundId, unitId)).openTasks.map((t) => t.kind)).not.toContain('file-plan');
});
