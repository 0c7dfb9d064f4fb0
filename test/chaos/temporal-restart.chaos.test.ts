// Chaos (b): the Temporal server is stopped and started again mid-round — twice, once while the
// unit's report is under review and once while items climb their ladder — keeping its state in its database
// file (`temporal server start-dev --db-filename`). The worker process and the client reconnect by
// themselves; every round still completes with nothing lost or sent twice.
import { allMails, chaosPolicy, log, reckon, runChaosRound, sleep, Stack, writeSummary } from './support';

const SCENARIO = 'temporal-restart';
const DOWN_MS = 10_000;
let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start(SCENARIO);
  await stack.worker();
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

test('the Temporal dev server restarted twice mid-round from its database file: nothing lost, nothing twice, nothing stuck', async () => {
  const t0 = Date.now();
  const restarts: string[] = [];
  let restarting: Promise<void> = Promise.resolve();
  const restart = (why: string) =>
    (restarting = restarting.then(async () => {
      await sleep(1500);
      await stack.stop('temporal');
      const at = ((Date.now() - t0) / 1000).toFixed(1);
      await sleep(DOWN_MS);
      await stack.startTemporal();
      restarts.push(`${at}s (${why}), down ${DOWN_MS / 1000}s`);
      log(SCENARIO, `Temporal restarted: ${restarts.at(-1)}`);
    }));
  // Two rounds, the second a few seconds behind, so a restart always catches one of them mid-step.
  const rounds = await Promise.all(
    [0, 1].map(async (i) => {
      await sleep(i * 4000);
      return runChaosRound(() => stack.xc, {
        prefix: `tr${i}`,
        items: 2,
        policy: chaosPolicy(),
        onPhase: (phase) => {
          if (i === 0 && (phase === 'report' || phase === 'planned')) void restart(`round ${i} ${phase}`);
        },
      });
    }),
  );
  await restarting;
  await sleep(2000);
  const result = await reckon(stack.h.pool, stack.xc, rounds, await allMails(stack.mailboxUrl));
  writeSummary(SCENARIO, {
    faultsInjected: restarts.length,
    restarts,
    server: 'temporal server start-dev --db-filename',
    rounds: result.rounds,
    items: result.items,
    noticesChecked: result.notices,
    lost: result.itemsLost + result.mailsMissing + result.noticesNotSent + result.stepsMissing,
    duplicated: result.mailsDuplicated + result.stepsRepeated,
    stuck: result.workflowsNotCompleted,
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  });
  expect(restarts).toHaveLength(2);
  expect(result.problems).toEqual([]);
});
