// Chaos (b) on the production-shaped stack, run by infra/prod/chaos.sh (`npm run prod:chaos` and the
// last stage of `npm test`), which builds and starts the stack first: the Temporal 1.31.2 server on PostgreSQL is
// stopped mid-round and started again — twice, during report review and while items climb their
// ladder — with the three worker processes running throughout. Then the same reckoning as the chaos
// suite; the figures go to test-artifacts/chaos-summary.json as "temporal-restart-prod".
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { XunchaClient } from '../../src/client/xuncha-client';
import { createPool } from '../../src/ledger/pool';
import { ROOT, stopPid } from '../../infra/stack';
import { CLIENT_ENV_FILE, readEnvFile, RUN_DIR } from '../../infra/prod/env';
import { allMails, chaosPolicy, reckon, runChaosRound, sleep, writeSummary } from './support';

const DOWN_MS = 10_000;

async function main(): Promise<void> {
  if (!fs.existsSync(CLIENT_ENV_FILE)) throw new Error('the production-shaped stack is not running: npm run prod:start first');
  Object.assign(process.env, readEnvFile(CLIENT_ENV_FILE));
  const xc = await XunchaClient.connect({ TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!, TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  const pool = createPool(process.env.DATABASE_URL!, 2);
  const t0 = Date.now();
  const restarts: string[] = [];
  let restarting: Promise<void> = Promise.resolve();
  const restart = (why: string) =>
    (restarting = restarting.then(async () => {
      await sleep(1500);
      const pid = Number(fs.readFileSync(path.join(RUN_DIR, 'temporal.pid'), 'utf8'));
      await stopPid(pid);
      const at = ((Date.now() - t0) / 1000).toFixed(1);
      await sleep(DOWN_MS);
      // `prod.ts start` is idempotent: it starts only what is not running — here, the Temporal server.
      execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/prod/prod.ts'), 'start'], { cwd: ROOT, stdio: 'ignore' });
      restarts.push(`${at}s (${why}), down ${DOWN_MS / 1000}s + start`);
      console.log(`[prod-restart] Temporal server restarted: ${restarts.at(-1)}`);
    }));
  try {
    const rounds = await Promise.all(
      [0, 1].map(async (i) => {
        await sleep(i * 4000);
        return runChaosRound(() => xc, {
          prefix: `pr${i}`,
          items: 2,
          policy: chaosPolicy(),
          // The second restart comes as the plans are filed; a plan held up by it (≈ 17 s) must still
          // find its green reminder ahead (reminders already past at the start collapse by design).
          deadlineInMs: 40_000,
          onPhase: (phase) => {
            if (i === 0 && (phase === 'report' || phase === 'planned')) void restart(`round ${i} ${phase}`);
          },
        });
      }),
    );
    await restarting;
    await sleep(2000);
    const result = await reckon(pool, xc, rounds, await allMails(process.env.MAILBOX_URL!));
    writeSummary('temporal-restart-prod', {
      faultsInjected: restarts.length,
      restarts,
      server: 'temporal-server 1.31.2 on PostgreSQL (infra/prod), 3 worker processes',
      rounds: result.rounds,
      items: result.items,
      noticesChecked: result.notices,
      lost: result.itemsLost + result.mailsMissing + result.noticesNotSent + result.stepsMissing,
      duplicated: result.mailsDuplicated + result.stepsRepeated,
      stuck: result.workflowsNotCompleted,
      wallSeconds: Math.round((Date.now() - t0) / 1000),
    });
    if (result.problems.length || restarts.length !== 2) throw new Error(`prod-restart: ${restarts.length} restarts; ${result.problems.join('; ')}`);
    console.log('[prod-restart] OK');
  } finally {
    await xc.client.connection.close();
    await pool.end();
  }
}

main().catch((e) => {
  console.error(`[prod-restart] FAILED: ${(e as Error).message}`);
  process.exit(1);
});
