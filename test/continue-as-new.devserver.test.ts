// Continue-as-new keeps all state, on the real dev server (the time-skipping server stops skipping
// time for children of a parent that continued as new, sdk-java#1540): a round whose histories are
// cut at 50 events runs to the end with nothing lost and nothing sent twice.
import { NativeConnection } from '@temporalio/worker';
import { driveToRectification, waitForPhase, type Clock } from '../src/client/drive';
import { XunchaClient } from '../src/client/xuncha-client';
import { itemWorkflowId, roundWorkflowId, unitWorkflowId } from '../src/domain/ids';
import type { RoundStatus } from '../src/domain/status';
import { eventually, harness, quietRuntime, realWorkers, sampleRound, stripEmails, uid, unitOf, type Harness } from './support/helpers';

let h: Harness;
let xc: XunchaClient;
let connection: NativeConnection;
let workers: Awaited<ReturnType<typeof realWorkers>>;
let running: Promise<unknown>;
const realClock: Clock = { advance: (ms) => new Promise((r) => setTimeout(r, ms)), pause: (ms) => new Promise((r) => setTimeout(r, ms)) };

beforeAll(async () => {
  quietRuntime();
  h = harness();
  const address = process.env.TEMPORAL_DEV_ADDRESS!;
  connection = await NativeConnection.connect({ address });
  workers = await realWorkers(h, connection);
  running = workers.run();
  xc = await XunchaClient.connect({ TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' });
});
afterAll(async () => {
  workers?.shutdown();
  await running?.catch(() => undefined);
  await connection?.close();
  await xc?.client.connection.close();
  await h?.close();
});

test('continue-as-new keeps all state: a round whose histories are cut short still runs to the end', async () => {
  const roundId = uid('can');
  const unitId = unitOf(roundId);
  const round = sampleRound(roundId, {
    historyLimit: 50,
    preparation: '1 second',
    stationing: '10 seconds',
    rectificationReport: '45 seconds', // margin: a loaded machine may take a while to climb to 催办
    lookBackAfter: '1 second',
    itemTimeline: [
      { key: 'green', offset: '-6 seconds', template: 'reminder-green', to: ['responsible'] },
      { key: 'red', offset: '0 seconds', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
      { key: 'urge', offset: '1 second', template: 'urge', to: ['responsible', 'unitHead'] },
    ],
  });
  await xc.startRound(stripEmails(round), 'office-wang');
  const head = round.units[0]!.head;
  const ids = ['p1', 'p2', 'p3'];
  await driveToRectification(xc, realClock, {
    roundId,
    unitId,
    preparationMs: 0,
    stationingMs: 0,
    problems: ids.map((id) => ({ problemId: id, category: 'finance' as const, title: `问题${id}`, facts: '事实', evidence: ['底稿'], recordedBy: 'inspector-chen' })),
    plan: (feedbackAt) =>
      ids.map((id) => ({ problemId: id, measures: '整改', responsible: head, deadline: new Date(Math.max(Date.parse(feedbackAt), Date.now()) + 8_000).toISOString(), kind: 'time-limited' as const })),
  });
  // Wait until every item has climbed to 催办.
  await eventually(async () => {
    const all = await Promise.all(ids.map((id) => xc.itemStatus(roundId, unitId, id)));
    return all.every((i) => i.firedSteps.includes('urge'));
  }, 60_000).catch(async (e) => {
    if (process.env.DEBUG_CAN) {
      const u = await xc.unitStatus(roundId, unitId).catch((x) => x.message);
      console.log('UNIT', JSON.stringify(u).slice(0, 1500));
      for (const id of ids) console.log(id, JSON.stringify(await xc.itemStatus(roundId, unitId, id).catch((x) => x.message)).slice(0, 500));
    }
    throw e;
  });
  const unit = xc.client.workflow.getHandle(unitWorkflowId(roundId, unitId));
  const described = await unit.describe();
  // The unit has handed its state to fresh runs along the way…
  expect(described.raw.workflowExecutionInfo?.firstRunId).toBeTruthy();
  expect(described.runId).not.toBe(described.raw.workflowExecutionInfo?.firstRunId);
  // …and nothing was lost: every problem, item, the report's approval and the phase.
  const status = await xc.unitStatus(roundId, unitId);
  expect(status.problems.map((p) => p.problemId)).toEqual(ids);
  expect(status.items.map((i) => [i.itemId, i.overdue])).toEqual(ids.map((id) => [id, true]));
  expect(status.phase).toBe('rectification');
  expect(status.reportStage).toBe('approved');
  for (const id of ids) expect((await xc.itemStatus(roundId, unitId, id)).firedSteps).toEqual(['green', 'red', 'urge']);
  for (const id of ids) await xc.closeItem(roundId, unitId, id, { by: 'office-wang', evidence: ['凭证'] });
  await xc.unitStep(roundId, unitId, 'submitRectificationReport', { by: head.personId, summary: '整改报告' });
  await waitForPhase(xc, realClock, roundId, unitId, 'look-back', 30_000);
  await xc.unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'look-back', findings: [] });
  await waitForPhase(xc, realClock, roundId, unitId, 'disclosure', 30_000);
  await xc.unitStep(roundId, unitId, 'publishResults', { by: 'office-wang', summary: '公开' });
  const final = (await xc.client.workflow.getHandle(roundWorkflowId(roundId)).result()) as RoundStatus;
  expect(final.units[0]).toMatchObject({ phase: 'closed', items: 3, closed: 3 });
  for (const id of ids) expect((await xc.client.workflow.getHandle(itemWorkflowId(roundId, unitId, id)).describe()).status.name).toBe('COMPLETED');
  // Each notice once, even across runs.
  const dup = await h.pool.query(`SELECT idempotency_key FROM notices WHERE round_id = $1 GROUP BY 1 HAVING count(*) > 1`, [roundId]);
  expect(dup.rows).toEqual([]);
  const greens = await h.pool.query(`SELECT count(*)::int AS n FROM notices WHERE round_id = $1 AND template = 'reminder-green'`, [roundId]);
  expect(greens.rows).toEqual([{ n: 3 }]);
  // The last run's history stayed bounded: it hands over at the first quiet moment past the limit.
  const history = await unit.fetchHistory();
  expect(history.events!.length).toBeLessThan(4 * 50);
});
