// Reminders (three colours) and the escalation ladder on the product's default policy: on-time and
// late paths, nothing fired twice, nothing after closing, a returned item, the unit-level ladder.
import { itemWorkflowId } from '../../src/domain/ids';
import type { ItemStatus } from '../../src/domain/status';
import { mailsTo, waitForMail, waitForMails } from '../support/helpers';
import { recordHistory, workflowTasks } from '../support/histories';
import { DAY, lifecycleSuite, problem, roundInRectification, rows } from '../support/lifecycle';

const s = lifecycleSuite();

/** How an item's whole life went through the server: one workflow task per step, and the unit told only of what it counts. */
async function roundTrips(roundId: string, unitId: string, itemId: string) {
  const tasks = workflowTasks(await s.env.client.workflow.getHandle(itemWorkflowId(roundId, unitId, itemId)).fetchHistory());
  const count = (what: string) => tasks.flatMap((t) => t.did).filter((d) => d === what).length;
  return {
    // What a workflow task woken only by a notice's result did: nothing (the step's rows, its notice and
    // the next timer were all in the task its timer fired in), or complete the item.
    afterNoticeResults: tasks
      .filter((t) => t.woken.length > 0 && t.woken.every((w) => w === 'activityTaskCompleted'))
      .flatMap((t) => t.did.filter((d) => d !== 'workflowExecutionCompleted')),
    signalsToUnit: count('signalExternalWorkflowExecutionInitiated'),
    noticesSent: count('activityTaskScheduled'),
    timersStarted: count('timerStarted'),
    // Updates completed in a later workflow task than the one that accepted them (waiting for an e-mail or a signal).
    updatesOverTasks: tasks.reduce((n, t) => n + t.did.filter((d) => d === 'workflowExecutionUpdateAccepted').length - t.did.filter((d) => d === 'workflowExecutionUpdateCompleted').length, 0),
  };
}
// Sorted: a step's notice and its task's notice go out side by side, and so do two steps due at once
// (red and 催办); the order the steps fired in is the item's `firedSteps`.
const templates = async (roundId: string) =>
  (await rows(s, 'SELECT template, recipient_email AS "to" FROM notices WHERE round_id = $1 AND item_id IS NOT NULL', [roundId])).map((r) => `${r.template} → ${r.to.split('.')[0]}`).sort();

test('on time: the green reminder goes out 20 days before; closing stops everything after it', async () => {
  const r = await (async () => {
    const r = await roundInRectification(s, { prefix: 'ontime', problems: [problem('p1', '违规发放津补贴')], plan: [{ problemId: 'p1', days: 60 }] });
    const item = await s.xc.itemStatus(r.roundId, r.unitId, 'p1');
    await s.clock.advance(Date.parse(item.deadline) - (await s.env.currentTimeMs()) - 15 * DAY);
    await waitForMails(r.emails.head, 2); // the announcement, then green
    await s.xc.closeItem(r.roundId, r.unitId, 'p1', { by: 'office-wang', evidence: ['整改报告'] });
    const closed = (await s.env.client.workflow.getHandle(itemWorkflowId(r.roundId, r.unitId, 'p1')).result()) as ItemStatus;
    expect(closed.firedSteps).toEqual(['green']);
    await s.clock.advance(90 * DAY);
    return r;
  })();
  expect(await templates(r.roundId)).toEqual(['reminder-green → head']);
  expect(await rows(s, 'SELECT count(*)::int AS n FROM escalations WHERE round_id = $1 AND item_id IS NOT NULL', [r.roundId])).toEqual([{ n: 0 }]);
  expect(await mailsTo(r.emails.leader)).toHaveLength(0);
});

test('late: yellow, red, 催办, 约谈 at 7 days and 问责 referral at 30 days each fire once; the unit ladder fires at the report deadline', async () => {
  const r = await (async () => {
    const r = await roundInRectification(s, { prefix: 'late', problems: [problem('p1', '违规发放津补贴')], plan: [{ problemId: 'p1', days: 30 }] });
    const deadline = Date.parse((await s.xc.itemStatus(r.roundId, r.unitId, 'p1')).deadline);
    await s.clock.advance(deadline - (await s.env.currentTimeMs()) + 40 * DAY);
    const item = await s.xc.itemStatus(r.roundId, r.unitId, 'p1');
    expect(item).toMatchObject({ state: 'open', overdue: true, colour: 'red', firedSteps: ['green', 'yellow', 'red', 'urge', 'interview', 'referral'] });
    const [referral] = await waitForMails(r.emails.discipline, 2); // info request, then the referral
    expect((await mailsTo(r.emails.discipline)).map((m) => m.subject)).toContain('【问责移送】县财政局：“违规发放津补贴”整改不力');
    expect(referral).toBeDefined();
    const unit = await s.xc.unitStatus(r.roundId, r.unitId);
    // The unit keeps what it counts; the colour is the item's (above) and the ledger's.
    expect(unit.items).toEqual([{ itemId: 'p1', kind: 'time-limited', state: 'open', deadline: new Date(deadline).toISOString(), overdue: true }]);
    // 约谈 and 问责 are tasks too, for a leading-group member and the discipline commission.
    expect(unit.escalations).toEqual(['report-urge', 'self-exam', 'democratic-life', 'circular']);
    const itemTasks = await rows(s, `SELECT kind, assignee_role FROM tasks WHERE round_id = $1 AND item_id = 'p1' ORDER BY created_at`, [r.roundId]);
    expect(itemTasks).toEqual([
      { kind: 'interview', assignee_role: 'leadingGroup' },
      { kind: 'accountability', assignee_role: 'disciplineCommission' },
    ]);
    // The unit's self-examination is rejected: a second referral, this time for the unit.
    await s.xc.unitStep(r.roundId, r.unitId, 'submitSelfExamination', { by: `head-${r.roundId}`, text: '深刻检查：对整改工作重视不够……' });
    await s.xc.unitStep(r.roundId, r.unitId, 'reviewSelfExamination', { by: 'office-wang', decision: 'reject', reason: '检查流于形式' });
    await waitForMails(r.emails.discipline, 3);
    await s.xc.closeItem(r.roundId, r.unitId, 'p1', { by: 'office-wang', evidence: ['逾期整改完成'] });
    await s.clock.advance(60 * DAY);
    return r;
  })();
  await recordHistory('ladder-late-item', s.env.client.workflow.getHandle(itemWorkflowId(r.roundId, r.unitId, 'p1')));
  // Six steps, two tasks: eight notices; overdue and closed are all the unit hears of. Five timers for
  // the six steps (red and 催办 fall at the same instant and fire in one task) and the deadline's own.
  expect(await roundTrips(r.roundId, r.unitId, 'p1')).toEqual({ afterNoticeResults: [], signalsToUnit: 2, noticesSent: 8, timersStarted: 6, updatesOverTasks: 0 });
  expect(await templates(r.roundId)).toEqual([
    'discipline-referral → jiwei',
    'interview → head',
    'interview → lg',
    'reminder-green → head',
    'reminder-red → head',
    'reminder-red → secretary',
    'reminder-yellow → head',
    'reminder-yellow → leader',
    'task-assigned → jiwei',
    'task-assigned → lg',
    'urge → head',
  ]);
  const unitNotices = await rows(s, `SELECT template, count(*)::int AS n FROM notices WHERE round_id = $1 AND item_id IS NULL AND template IN ('self-examination','democratic-life-meeting','circular','discipline-referral') GROUP BY template ORDER BY template`, [r.roundId]);
  expect(unitNotices).toEqual([
    { template: 'circular', n: 3 },
    { template: 'democratic-life-meeting', n: 2 },
    { template: 'discipline-referral', n: 1 },
    { template: 'self-examination', n: 2 },
  ]);
  const circular = (await mailsTo(r.emails.leadingGroup)).find((m) => m.subject.startsWith('【通报】'))!;
  expect(circular.text).toContain('整改率为0%（0/1）');
  expect(await rows(s, 'SELECT step FROM escalations WHERE round_id = $1 ORDER BY raised_at, step', [r.roundId])).toEqual(
    expect.arrayContaining([{ step: 'urge' }, { step: 'interview' }, { step: 'referral' }, { step: 'self-examination' }, { step: 'democratic-life-meeting' }, { step: 'circular' }]),
  );
});

test('a step that no longer applies does not fire: closed after 约谈, no referral at 30 days', async () => {
  const r = await (async () => {
    const r = await roundInRectification(s, { prefix: 'midway', problems: [problem('p1', '账实不符')], plan: [{ problemId: 'p1', days: 40 }] });
    const deadline = Date.parse((await s.xc.itemStatus(r.roundId, r.unitId, 'p1')).deadline);
    await s.clock.advance(deadline - (await s.env.currentTimeMs()) + 9 * DAY);
    expect((await s.xc.itemStatus(r.roundId, r.unitId, 'p1')).firedSteps).toEqual(['green', 'yellow', 'red', 'urge', 'interview']);
    await s.xc.closeItem(r.roundId, r.unitId, 'p1', { by: 'office-wang', evidence: ['整改完成'] });
    await s.clock.advance(40 * DAY);
    return r;
  })();
  expect(await rows(s, `SELECT count(*)::int AS n FROM notices WHERE round_id = $1 AND item_id = 'p1' AND template = 'discipline-referral'`, [r.roundId])).toEqual([{ n: 0 }]);
  expect(await rows(s, `SELECT state FROM rectification_items WHERE round_id = $1`, [r.roundId])).toEqual([{ state: 'closed' }]);
});

test('a returned item gets its reason, a new deadline and a new set of reminders', async () => {
  const r = await (async () => {
    const r = await roundInRectification(s, { prefix: 'returned', problems: [problem('p1', '公务接待超标准')], plan: [{ problemId: 'p1', days: 30 }] });
    await s.clock.advance(12 * DAY); // green fired (day 10)
    await s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reportProgress', { by: `head-${r.roundId}`, status: 'done', note: '已整改', evidence: ['说明'] });
    const reconcileTask = (await rows(s, `SELECT kind, assignee_role, state FROM tasks WHERE round_id = $1 AND kind = 'reconcile-item'`, [r.roundId]))[0];
    expect(reconcileTask).toEqual({ kind: 'reconcile-item', assignee_role: 'office', state: 'open' });
    const newDeadline = new Date((await s.env.currentTimeMs()) + 40 * DAY).toISOString();
    const returned = await s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reconcileItem', { by: 'office-wang', decision: 'return', reason: '佐证材料不足', newDeadline });
    expect(returned).toMatchObject({ state: 'open', progress: 'not-done', returned: 1, deadlineVersion: 2, firedSteps: [] });
    const returnedMail = await waitForMail(r.emails.head, '【对账未通过】');
    expect(returnedMail.subject).toBe('【对账未通过】县财政局：“公务接待超标准”退回重新整改');
    expect(returnedMail!.text).toContain('退回原因：佐证材料不足');
    await s.clock.advance(22 * DAY); // past the new green (new deadline − 20 days)
    const item = await s.xc.itemStatus(r.roundId, r.unitId, 'p1');
    expect(item.history).toEqual(['v1:green', 'v2:green']);
    await s.xc.closeItem(r.roundId, r.unitId, 'p1', { by: 'office-wang', evidence: ['补充材料'] });
    return r;
  })();
  expect(await rows(s, `SELECT decision, reason FROM reconciliations WHERE round_id = $1 ORDER BY seq`, [r.roundId])).toEqual([
    { decision: 'return', reason: '佐证材料不足' },
    { decision: 'close', reason: null },
  ]);
  // Two greens, the office's reconcile task, the return: four notices; the unit hears of the new deadline and the close.
  // Timers: each deadline's green, its next step and its own deadline.
  expect(await roundTrips(r.roundId, r.unitId, 'p1')).toEqual({ afterNoticeResults: [], signalsToUnit: 2, noticesSent: 4, timersStarted: 6, updatesOverTasks: 0 });
});

test('a transferred clue is reminded before its report-back date and escalated after it', async () => {
  const r = await (async () => {
    const r = await roundInRectification(s, { prefix: 'clue', problems: [] });
    const { reportBackDue } = await s.xc.unitStep(r.roundId, r.unitId, 'transferClue', { clueId: 'c1', by: 'inspector-chen', to: 'organisationDept', summary: '违规提拔干部线索' });
    // The overdue step fires on the first working morning from the due date: past a weekend or a
    // holiday block (Golden Week is the longest) whatever today's date makes the due date.
    await s.clock.advance(Date.parse(reportBackDue) - (await s.env.currentTimeMs()) + 10 * DAY);
    const unit = await s.xc.unitStatus(r.roundId, r.unitId);
    expect(unit.clues).toEqual([{ clueId: 'c1', to: 'organisationDept', state: 'open', overdue: true }]);
    await s.xc.reportClueOutcome(r.roundId, r.unitId, 'c1', { by: `zzb-${r.roundId}`, outcome: '已调整干部', caseOpened: false });
    return r;
  })();
  const subjects = (await mailsTo(r.emails.organisation)).map((m) => m.subject.slice(0, 8));
  expect(subjects).toEqual(['【巡察前情况通报', '【问题线索移交】', '【线索办理提醒】', '【线索办理提醒】']);
  expect((await mailsTo(r.emails.office)).filter((m) => m.subject.startsWith('【线索逾期未反馈】'))).toHaveLength(1);
  expect(await rows(s, `SELECT state, overdue FROM clue_transfers WHERE round_id = $1`, [r.roundId])).toEqual([{ state: 'reported', overdue: true }]);
});

test('two closes racing for the same item: one wins, the other gets a clear conflict, and the item is closed once', async () => {
  const r = await roundInRectification(s, { prefix: 'race', problems: [problem('p1', '重复报销')], plan: [{ problemId: 'p1', days: 30 }] });
  const close = () => s.xc.closeItem(r.roundId, r.unitId, 'p1', { by: 'office-wang', evidence: ['凭证'] });
  const results = await Promise.allSettled([close(), close(), close()]);
  expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
  for (const x of results.filter((y) => y.status === 'rejected')) {
    expect((x as PromiseRejectedResult).reason).toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/item "p1" is (already )?closed/) });
  }
  expect(await rows(s, `SELECT count(*)::int AS n FROM reconciliations WHERE round_id = $1`, [r.roundId])).toEqual([{ n: 1 }]);
  // Once the item's workflow has ended, the server answers "not found"; the client says what that means.
  await s.env.client.workflow.getHandle(itemWorkflowId(r.roundId, r.unitId, 'p1')).result();
  await expect(close()).rejects.toMatchObject({ name: 'ValidationError', message: 'reconcileItem: 该事项已销号 item "p1" is already closed', issues: [{ path: 'itemId', message: 'already closed' }] });
});

test('a step retried with its first call\'s Update id is answered with the first outcome, not run again', async () => {
  const r = await roundInRectification(s, { prefix: 'retry', problems: [problem('p1', '超标准配车')], plan: [{ problemId: 'p1', days: 30 }] });
  const report = () => s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reportProgress', { by: `head-${r.roundId}`, status: 'mostly-done', note: '正在整改' }, { updateId: 'report-1' });
  const first = await report();
  const again = await report();
  expect(again).toEqual(first);
  expect(first.progressReports).toBe(1);
  expect(await rows(s, `SELECT count(*)::int AS n FROM progress_reports WHERE round_id = $1`, [r.roundId])).toEqual([{ n: 1 }]);
  // A new id is a new report (the control: the same call without the id runs again).
  await s.xc.itemStep(r.roundId, r.unitId, 'p1', 'reportProgress', { by: `head-${r.roundId}`, status: 'mostly-done', note: '正在整改' });
  expect(await rows(s, `SELECT count(*)::int AS n FROM progress_reports WHERE round_id = $1`, [r.roundId])).toEqual([{ n: 2 }]);
  await s.xc.closeItem(r.roundId, r.unitId, 'p1', { by: 'office-wang', evidence: ['整改完成'] });
});
