// End to end against the Temporal dev server started by the project's scripts: the real worker
// process (src/workers/main.ts), the client, Postgres and SMTP — a round on a compressed policy.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { XunchaClient } from '../src/client/xuncha-client';
import { roundWorkflowId } from '../src/domain/ids';
import type { RoundStatus } from '../src/domain/status';
import { driveToRectification, waitForPhase } from '../src/client/drive';
import { unitOf, eventually, harness, sampleRound, stripEmails, uid, waitForMail, type Harness } from './support/helpers';

const ROOT = path.resolve(__dirname, '..');
let h: Harness;
let xc: XunchaClient;
let worker: ChildProcess;
let workerLog = '';

beforeAll(async () => {
  h = harness();
  const env = { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_DEV_ADDRESS!, LOG_LEVEL: 'WARN' };
  worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/workers/main.ts')], { cwd: ROOT, env });
  worker.stdout!.on('data', (d) => (workerLog += d));
  worker.stderr!.on('data', (d) => (workerLog += d));
  await eventually(async () => workerLog.includes('[worker] running'), 90_000);
  xc = await XunchaClient.connect({ TEMPORAL_ADDRESS: process.env.TEMPORAL_DEV_ADDRESS!, TEMPORAL_NAMESPACE: 'default' });
});
afterAll(async () => {
  await xc?.client.connection.close();
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  await h?.close();
});

test('a round crosses the dev server, the worker process, Postgres and SMTP; the worker stops gracefully', async () => {
  const roundId = uid('smoke');
  const unitId = unitOf(roundId);
  const round = sampleRound(roundId, {
    preparation: '2 seconds',
    stationing: '8 seconds',
    rectificationReport: '30 seconds',
    lookBackAfter: '1 second',
    itemTimeline: [
      { key: 'green', offset: '-8 seconds', template: 'reminder-green', to: ['responsible'] },
      { key: 'referral', offset: '0 seconds', template: 'discipline-referral', to: ['disciplineCommission'] },
    ],
  });
  expect(await xc.startRound(stripEmails(round), 'office-wang')).toEqual({ workflowId: `round/${roundId}`, alreadyStarted: false });
  // Starting the same round again is idempotent.
  expect((await xc.startRound(stripEmails(round), 'office-wang')).alreadyStarted).toBe(true);
  const realClock = { advance: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), pause: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  await driveToRectification(xc, realClock, {
    roundId,
    unitId,
    preparationMs: 0,
    stationingMs: 0,
    problems: [
      { problemId: 'p1', category: 'work-style', title: '领导办公用房面积超标', facts: '突击察访发现部分领导办公室用房面积超标。', evidence: ['察访记录 2026-05'], recordedBy: 'inspector-li' },
    ],
    plan: (feedbackAt) => [
      { problemId: 'p1', measures: '腾退超标用房', responsible: round.units[0]!.head, deadline: new Date(Math.max(Date.parse(feedbackAt), Date.now()) + 10_000).toISOString(), kind: 'time-limited' },
    ],
  });

  const green = await waitForMail(round.emails.head, '【整改提醒·绿色】', 60_000);
  expect(green.subject).toMatch(/^【整改提醒·绿色】县财政局：“领导办公用房面积超标”将于.+到期$/);
  const referral = await waitForMail(round.emails.discipline, '【问责移送】', 60_000);
  expect(referral.subject).toBe('【问责移送】县财政局：“领导办公用房面积超标”整改不力');

  // Search attributes: the office can list units in rectification with overdue items.
  const overdue = await eventually(async () => {
    const ids: string[] = [];
    for await (const w of xc.client.workflow.list({ query: `Phase='rectification' AND OverdueItems > 0 AND RoundId='${roundId}'` })) ids.push(w.workflowId);
    return ids.length ? ids : undefined;
  }, 30_000);
  expect(overdue).toEqual([`round/${roundId}/unit/${unitId}`]);

  await xc.closeItem(roundId, unitId, 'p1', { closedBy: 'office-wang', evidence: ['办公用房调整到位照片'] });
  await xc.unitStep(roundId, unitId, 'submitRectificationReport', { by: `head-${roundId}`, summary: '整改报告' });
  await waitForPhase(xc, realClock, roundId, unitId, 'look-back', 30_000);
  await xc.unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'look-back', findings: [{ itemId: 'p1', verdict: 'sustained', note: '已腾退' }] });
  await waitForPhase(xc, realClock, roundId, unitId, 'disclosure', 30_000);
  await xc.unitStep(roundId, unitId, 'publishResults', { by: 'office-wang', summary: '整改情况公开' });
  const final = (await xc.client.workflow.getHandle(roundWorkflowId(roundId)).result()) as RoundStatus;
  expect(final.phase).toBe('completed');
  const { rows } = await h.pool.query('SELECT phase FROM rounds WHERE round_id = $1', [roundId]);
  expect(rows).toEqual([{ phase: 'completed' }]);

  worker.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
  expect(code).toBe(0);
  expect(workerLog).toContain('[worker] stopped');
});
