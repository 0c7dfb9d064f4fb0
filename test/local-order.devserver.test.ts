// Local activities side by side in one workflow task must replay. The history records a task's local
// activities in the order they were asked for; replay resolves them in that order. When the one asked
// second finishes first live, and each branch then issues a command, replay issued them in the other
// order: the `full` benchmark (24 November) left 15 items stuck on a nondeterminism error once they
// had been evicted from the cache and replayed. Since `local-activities-in-turn` (Effects.local) a
// local activity starts when the one before it has finished. Real dev server, real ledger activities;
// the only thing added is a delay on one due-date computation, so the second finishes first.
import type { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Worker, type NativeConnection } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createLedgerActivities } from '../src/activities';
import { createPool } from '../src/ledger/pool';
import { BRANCH_DURATION, localOrderWorkflow, reportUpdate, UPDATE_DURATION } from './fixtures/local-order-workflows';
import { devServerConnections, testConfig, uid } from './support/helpers';

let native: NativeConnection;
let connection: Connection;
let client: Client;
let pool: Pool;
const taskQueue = uid('local-order');
const bundle = () => bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/local-order-workflows'), logger: new DefaultLogger('WARN') });
let workflowBundle: Awaited<ReturnType<typeof bundle>>;
beforeAll(async () => {
  ({ connection, client, native } = await devServerConnections());
  pool = createPool(testConfig().DATABASE_URL, 2);
  workflowBundle = await bundle();
});
afterAll(async () => {
  await pool?.end();
  await native?.close();
  await connection?.close();
});

/**
 * Runs the workflow to its end on a worker whose addDuration finishes `first`'s duration, then the
 * other's right after it (both results reach the worker's core at once), unless the other has not
 * started within 300 ms; returns the order they finished in and the history.
 */
async function runOnce(startDecided: boolean, first: string) {
  const real = createLedgerActivities({ pool });
  const started = new Set<string>();
  const finished: string[] = [];
  let firstDone: () => void = () => undefined;
  const firstFinished = new Promise<void>((r) => (firstDone = r));
  const within = (p: Promise<unknown>, ms: number) => Promise.race([p, new Promise((r) => setTimeout(r, ms))]);
  const activities = {
    ...real,
    async addDuration(req: { from: string; duration: string }): Promise<string> {
      started.add(req.duration);
      const at = await real.addDuration(req);
      if (req.duration === first) {
        // Wait for the other to start too (it never does while this one runs, in turn).
        for (let i = 0; i < 30 && started.size < 2; i++) await new Promise((r) => setTimeout(r, 10));
      } else {
        await within(firstFinished, 300);
      }
      finished.push(req.duration);
      if (req.duration === first) firstDone();
      return at;
    },
  };
  const worker = await Worker.create({ connection: native, taskQueue, workflowBundle, activities });
  return worker.runUntil(async () => {
    const handle = await client.workflow.start(localOrderWorkflow, { taskQueue, workflowId: uid('local-order'), args: [startDecided] });
    await handle.executeUpdate(reportUpdate);
    const result = await handle.result();
    return { finished, result, history: await handle.fetchHistory() };
  });
}

const replay = (history: Awaited<ReturnType<typeof runOnce>>['history']) =>
  Worker.runReplayHistory({ workflowBundle }, history, uid('replay')).then(() => 'replays', (e: Error) => e.name);

test('side by side (runs begun before the patch): finishing together, one order does not replay (negative control)', async () => {
  const outcomes: string[] = [];
  for (const first of [UPDATE_DURATION, BRANCH_DURATION]) {
    const { finished, history } = await runOnce(false, first);
    expect(finished[0]).toBe(first);
    outcomes.push(await replay(history));
  }
  expect(outcomes).toContain('DeterminismViolationError');
});

test("in turn (since local-activities-in-turn): the branch's waits for the Update's, and every run replays", async () => {
  for (const first of [UPDATE_DURATION, BRANCH_DURATION]) {
    const { finished, result, history } = await runOnce(true, first);
    expect(finished).toEqual([UPDATE_DURATION, BRANCH_DURATION]);
    expect(result).toEqual([expect.stringMatching(/^update /), expect.stringMatching(/^branch /)]);
    await expect(replay(history)).resolves.toBe('replays');
  }
});
