// One round end to end on the time-skipping server, with the real Postgres ledger and the real
// SMTP receiver: the product's own 30-day stationing and 2-month rectification period, in seconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { XunchaClient } from '../src/client/xuncha-client';
import { roundWorkflowId, unitWorkflowId } from '../src/domain/ids';
import { recordProblemUpdate, unitStatusQuery } from '../src/domain/messages';
import type { RecordProblemInput } from '../src/domain/problem';
import type { RoundStatus } from '../src/domain/status';
import { unitOf, eventually, harness, mailsTo, realWorkers, sampleRound, stripEmails, timeSkippingEnv, uid, waitForMails, type Harness } from './support/helpers';

let env: TestWorkflowEnvironment;
let h: Harness;
let xc: XunchaClient;

beforeAll(async () => {
  env = await timeSkippingEnv();
  h = harness();
  xc = new XunchaClient(env.client);
});
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

const problem: RecordProblemInput = {
  problemId: 'p1',
  category: 'finance',
  title: '公务卡结算制度执行不到位',
  facts: '2025年购买办公用品、列支招待费未使用公务卡结算，涉及12笔。',
  evidence: ['底稿-2026-001：会计凭证第35号至第47号'],
  recordedBy: 'inspector-chen',
};

async function startAndRecordProblem(roundId: string) {
  const round = sampleRound(roundId);
  await xc.startRound(stripEmails(round), 'office-wang');
  const unit = env.client.workflow.getHandle(unitWorkflowId(roundId, unitOf(roundId)));
  await eventually(async () => (await unit.query(unitStatusQuery)).phase === 'stationing');
  await xc.recordProblem(roundId, unitOf(roundId), problem);
  return { round, unit };
}

const rows = async (sql: string, params: unknown[]) => (await h.pool.query(sql, params)).rows;

test('happy path: the item is closed after the green reminder; no escalation, round completes', async () => {
  const roundId = uid('happy');
  const workers = await realWorkers(h, env.nativeConnection);
  await workers.runUntil(async () => {
    const { round, unit } = await startAndRecordProblem(roundId);

    // 30 days of stationing pass: feedback issues the item with a deadline two months later.
    await env.sleep('31 days');
    const afterFeedback = await unit.query(unitStatusQuery);
    expect(afterFeedback.phase).toBe('rectification');
    expect(afterFeedback.items).toHaveLength(1);
    const deadline = Date.parse(afterFeedback.items[0]!.deadline);
    const feedback = Date.parse(afterFeedback.feedbackAt!);
    expect((deadline - feedback) / 86_400_000).toBeGreaterThan(58);
    expect((deadline - feedback) / 86_400_000).toBeLessThan(63);

    // Into the green window (20 days before the deadline), not yet yellow (10 days before).
    await env.sleep(deadline - (await env.currentTimeMs()) - 15 * 86_400_000);
    const green = await waitForMails(round.emails.head, 1);
    expect(green[0]!.subject).toBe('【整改提醒·绿色】县财政局：“公务卡结算制度执行不到位”将于' + fmt(deadline) + '到期');
    expect(green[0]!.to).toEqual([round.emails.head]);
    expect(green[0]!.text).toContain('张局长同志');
    expect(green[0]!.text).toContain(`/rounds/${roundId}/units/${unitOf(roundId)}/items/p1`);

    const closed = await xc.closeItem(roundId, unitOf(roundId), 'p1', { closedBy: 'office-wang', evidence: ['整改报告附件3：公务卡管理办法'] });
    expect(closed.state).toBe('closed');
    expect(closed.firedSteps).toEqual(['green']);

    const final = (await env.client.workflow.getHandle(roundWorkflowId(roundId)).result()) as RoundStatus;
    expect(final).toEqual({ roundId, phase: 'completed', units: [{ unitId: unitOf(roundId), phase: 'completed' }] });
  });

  // Nothing after the close: no yellow to the leader in charge, no red, no escalation.
  expect(await mailsTo(round_(roundId).leader)).toHaveLength(0);
  expect(await mailsTo(round_(roundId).secretary)).toHaveLength(0);
  expect(await mailsTo(round_(roundId).discipline)).toHaveLength(0);
  expect(await mailsTo(round_(roundId).head)).toHaveLength(1);

  // The ledger holds what happened.
  expect(await rows('SELECT phase FROM rounds WHERE round_id = $1', [roundId])).toEqual([{ phase: 'completed' }]);
  expect(await rows('SELECT phase FROM round_units WHERE round_id = $1', [roundId])).toEqual([{ phase: 'completed' }]);
  expect(await rows('SELECT problem_id, category, recorded_by FROM problems WHERE round_id = $1', [roundId])).toEqual([
    { problem_id: 'p1', category: 'finance', recorded_by: 'inspector-chen' },
  ]);
  expect(await rows('SELECT item_id, state, colour, closed_by FROM rectification_items WHERE round_id = $1', [roundId])).toEqual([
    { item_id: 'p1', state: 'closed', colour: 'green', closed_by: 'office-wang' },
  ]);
  expect(await rows('SELECT template, recipient_email, state, attempts FROM notices WHERE round_id = $1', [roundId])).toEqual([
    { template: 'reminder-green', recipient_email: round_(roundId).head, state: 'sent', attempts: 1 },
  ]);
  const audit = await rows('SELECT event_type FROM audit_log WHERE round_id = $1 ORDER BY audit_id', [roundId]);
  expect(audit.map((a) => a.event_type)).toEqual([
    'round.started',
    'unit.phase', // preparation
    'unit.phase', // stationing
    'problem.recorded',
    'unit.phase', // feedback
    'item.issued',
    'unit.phase', // rectification
    'item.step', // green
    'item.closed',
    'unit.phase', // completed
    'round.completed',
  ]);
});

test('late path: the deadline passes with the item open; red notice and escalation to the discipline commission', async () => {
  const roundId = uid('late');
  const workers = await realWorkers(h, env.nativeConnection);
  await workers.runUntil(async () => {
    const { round, unit } = await startAndRecordProblem(roundId);
    await env.sleep('31 days');
    const deadline = Date.parse((await unit.query(unitStatusQuery)).items[0]!.deadline);

    // Two days past the deadline: the red notice and the escalation went out the next office morning.
    await env.sleep(deadline - (await env.currentTimeMs()) + 4 * 86_400_000);
    const escalation = await waitForMails(round.emails.discipline, 1);
    expect(escalation).toHaveLength(1);
    expect(escalation[0]!.subject).toBe('【整改逾期移送】县财政局：“公务卡结算制度执行不到位”逾期未整改');
    expect(escalation[0]!.text).toContain('纪委监委李书记同志');
    const red = await waitForMails(round.emails.secretary, 1);
    expect(red[0]!.subject).toBe('【整改预警·红色】县财政局：“公务卡结算制度执行不到位”已逾期未完成');
    // The unit head had green, yellow and red; the leader in charge had yellow.
    const head = await waitForMails(round.emails.head, 3);
    expect(head.map((m) => m.subject.slice(0, 9))).toEqual(['【整改提醒·绿色】', '【整改提醒·黄色】', '【整改预警·红色】']);
    expect(await waitForMails(round.emails.leader, 1)).toHaveLength(1);

    const item = await xc.itemStatus(roundId, unitOf(roundId), 'p1');
    expect(item.colour).toBe('red');
    expect(item.firedSteps).toEqual(['green', 'yellow', 'red', 'escalation']);

    await xc.closeItem(roundId, unitOf(roundId), 'p1', { closedBy: 'office-wang', evidence: ['逾期整改完成说明'] });
    await env.client.workflow.getHandle(roundWorkflowId(roundId)).result();
  });
  const notices = await rows(`SELECT template, count(*)::int AS n FROM notices WHERE round_id = $1 GROUP BY template ORDER BY template`, [roundId]);
  expect(notices).toEqual([
    { template: 'escalation-discipline', n: 1 },
    { template: 'reminder-green', n: 1 },
    { template: 'reminder-red', n: 2 }, // unit head and party secretary
    { template: 'reminder-yellow', n: 2 }, // unit head (responsible) and leader in charge
  ]);
  expect(await rows('SELECT state, colour FROM rectification_items WHERE round_id = $1', [roundId])).toEqual([{ state: 'closed', colour: 'red' }]);
});

test('bad input: an Update with a missing or malformed field is rejected naming the field, state unchanged', async () => {
  const roundId = uid('bad');
  const workers = await realWorkers(h, env.nativeConnection);
  await workers.runUntil(async () => {
    const { unit } = await startAndRecordProblem(roundId);
    const before = await unit.query(unitStatusQuery);
    const accepted = async () => (await unit.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
    const acceptedBefore = await accepted();

    // Straight to the workflow, past the client's own check: the workflow's validator refuses.
    const { facts: _f, ...missingFacts } = problem;
    await expect(unit.executeUpdate(recordProblemUpdate, { args: [{ ...missingFacts, problemId: 'p2' } as never] })).rejects.toMatchObject({
      name: 'WorkflowUpdateFailedError',
      cause: { message: expect.stringMatching(/^recordProblem: facts: /) },
    });
    await expect(unit.executeUpdate(recordProblemUpdate, { args: [{ ...problem, problemId: 'p3', category: 'gossip' } as never] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/category: Invalid option/) },
    });
    await expect(unit.executeUpdate(recordProblemUpdate, { args: [{ ...problem, problemId: 'P 4!' }] })).rejects.toMatchObject({
      cause: { message: expect.stringContaining('problemId: must be a lower-case slug') },
    });
    // A duplicate is refused too.
    await expect(xc.recordProblem(roundId, unitOf(roundId), problem)).rejects.toThrow('recordProblem: problemId: "p1" is already recorded');
    // The client edge names the field before anything is sent.
    await expect(xc.recordProblem(roundId, unitOf(roundId), { ...problem, problemId: 'p5', evidence: [] })).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('evidence: Too small'),
    });

    expect(await unit.query(unitStatusQuery)).toEqual(before);
    // Rejected updates were never accepted into history.
    expect(await accepted()).toBe(acceptedBefore);

    // A bad close is refused the same way, and the item stays open.
    await env.sleep('31 days');
    await expect(xc.closeItem(roundId, unitOf(roundId), 'p1', { closedBy: 'office-wang', evidence: 'not-a-list' })).rejects.toThrow(
      'closeItem: evidence: Invalid input: expected array, received string',
    );
    expect((await xc.itemStatus(roundId, unitOf(roundId), 'p1')).state).toBe('open');
    await xc.closeItem(roundId, unitOf(roundId), 'p1', { closedBy: 'office-wang', evidence: ['凭证'] });
    await expect(xc.closeItem(roundId, unitOf(roundId), 'p1', { closedBy: 'office-wang', evidence: ['凭证'] })).rejects.toThrow('already closed');
    await env.client.workflow.getHandle(roundWorkflowId(roundId)).result();
  });
  expect(await rows('SELECT problem_id FROM problems WHERE round_id = $1', [roundId])).toEqual([{ problem_id: 'p1' }]);
});

function round_(roundId: string) {
  return sampleRound(roundId).emails;
}
function fmt(ms: number): string {
  return new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(ms));
}
