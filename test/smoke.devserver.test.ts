// End to end against the Temporal dev server started by the project's scripts: the real worker
// process (src/workers/main.ts), the client, Postgres and SMTP — a round on a compressed policy.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { XunchaClient } from '../src/client/xuncha-client';
import { roundWorkflowId } from '../src/domain/ids';
import type { RoundStatus } from '../src/domain/status';
import { unitOf, eventually, harness, sampleRound, stripEmails, uid, waitForMails, type Harness } from './support/helpers';

const ROOT = path.resolve(__dirname, '..');
let h: Harness;
let xc: XunchaClient;
let worker: ChildProcess;
let workerLog = '';

beforeAll(async () => {
  h = harness();
  const env = { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_DEV_ADDRESS!, LOG_LEVEL: 'WARN' };
  worker = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'src/workers/main.ts')], { cwd: ROOT, env });
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
  const round = sampleRound(roundId, {
    stationing: '4 seconds',
    rectificationPeriod: '12 seconds',
    itemTimeline: [
      { key: 'green', offset: '-10 seconds', template: 'reminder-green', to: ['responsible'] },
      { key: 'escalation', offset: '0 seconds', template: 'escalation-discipline', to: ['disciplineCommission'] },
    ],
  });
  expect(await xc.startRound(stripEmails(round), 'office-wang')).toEqual({ workflowId: `round/${roundId}`, alreadyStarted: false });
  // Starting the same round again is idempotent.
  expect((await xc.startRound(stripEmails(round), 'office-wang')).alreadyStarted).toBe(true);
  await eventually(async () => (await xc.unitStatus(roundId, unitOf(roundId))).phase === 'stationing', 30_000);
  await xc.recordProblem(roundId, unitOf(roundId), {
    problemId: 'p1',
    category: 'work-style',
    title: '领导办公用房面积超标',
    facts: '突击察访发现部分领导办公室用房面积超标。',
    evidence: ['察访记录 2026-05'],
    recordedBy: 'inspector-li',
  });

  const [green] = await waitForMails(round.emails.head, 1, 60_000);
  expect(green!.subject).toMatch(/^【整改提醒·绿色】县财政局：“领导办公用房面积超标”将于.+到期$/);
  const [escalation] = await waitForMails(round.emails.discipline, 1, 60_000);
  expect(escalation!.subject).toBe('【整改逾期移送】县财政局：“领导办公用房面积超标”逾期未整改');

  await xc.closeItem(roundId, unitOf(roundId), 'p1', { closedBy: 'office-wang', evidence: ['办公用房调整到位照片'] });
  const final = (await xc.client.workflow.getHandle(roundWorkflowId(roundId)).result()) as RoundStatus;
  expect(final.phase).toBe('completed');
  const { rows } = await h.pool.query('SELECT phase FROM rounds WHERE round_id = $1', [roundId]);
  expect(rows).toEqual([{ phase: 'completed' }]);

  worker.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
  expect(code).toBe(0);
  expect(workerLog).toContain('[worker] stopped');
});
