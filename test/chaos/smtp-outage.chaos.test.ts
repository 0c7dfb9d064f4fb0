// Chaos (d): the SMTP receiver is stopped for five minutes (real time) while items climb their
// reminder ladder. Notices stay recorded as pending and are retried with backoff (10 s doubling,
// no attempt limit: src/workflows/proxies.ts), none is marked failed, and once the receiver is back
// each goes out exactly once.
import { allMails, chaosPolicy, log, reckon, runChaosRound, sleep, Stack, writeSummary } from './support';
import type { Mail } from '../support/helpers';

const SCENARIO = 'smtp-outage';
const OUTAGE_MS = Number(process.env.CHAOS_SMTP_OUTAGE_MS ?? 300_000);
let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start(SCENARIO, { mailbox: true });
  await stack.worker();
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

test('the SMTP receiver down for 5 minutes: notices wait, then go out exactly once each', async () => {
  const t0 = Date.now();
  let before: Mail[] = [];
  let outage: Promise<void> | undefined;
  const waiting: { pending: number; failed: number; withError: number }[] = [];
  let roundId = '';
  const done = await runChaosRound(() => stack.xc, {
    prefix: 'smtp',
    items: 3,
    policy: chaosPolicy(),
    timeoutMs: OUTAGE_MS + 300_000,
    onPhase: (phase, id) => {
      roundId = id;
      if (phase !== 'planned') return;
      outage = (async () => {
        await sleep(1000);
        // The receiver keeps its mails in memory: what arrived before the outage is kept here.
        before = await allMails(stack.mailboxUrl);
        await stack.stop('mailbox');
        log(SCENARIO, `SMTP receiver stopped at ${((Date.now() - t0) / 1000).toFixed(1)}s for ${OUTAGE_MS / 1000}s`);
        const until = Date.now() + OUTAGE_MS;
        while (Date.now() < until) {
          await sleep(Math.min(30_000, until - Date.now()));
          const { rows } = await stack.h.pool.query(
            `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending, count(*) FILTER (WHERE state = 'failed')::int AS failed,
                    count(*) FILTER (WHERE state = 'pending' AND last_error IS NOT NULL)::int AS "withError"
               FROM notices WHERE round_id = $1`,
            [roundId],
          );
          waiting.push(rows[0]);
          log(SCENARIO, `outage +${Math.round((OUTAGE_MS - (until - Date.now())) / 1000)}s: ${JSON.stringify(rows[0])}`);
        }
        await stack.startMailbox();
        log(SCENARIO, `SMTP receiver back at ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      })();
    },
  });
  await outage;
  // Every notice ends sent (the last retries come at most one backoff interval after the return).
  const deadline = Date.now() + 400_000;
  for (;;) {
    const { rows } = await stack.h.pool.query(`SELECT count(*)::int AS n FROM notices WHERE round_id = $1 AND state <> 'sent'`, [roundId]);
    if (rows[0].n === 0 || Date.now() > deadline) break;
    await sleep(2000);
  }
  await sleep(2000);
  const after = await allMails(stack.mailboxUrl);
  const result = await reckon(stack.h.pool, stack.xc, [done], [...before, ...after]);
  const maxPending = Math.max(0, ...waiting.map((w) => w.pending));
  writeSummary(SCENARIO, {
    faultsInjected: 1,
    outageSeconds: OUTAGE_MS / 1000,
    noticesWaitingAtPeak: maxPending,
    noticesMarkedFailed: Math.max(0, ...waiting.map((w) => w.failed)),
    mailsBeforeOutage: before.filter((m) => m.to.some((a) => a.includes(roundId))).length,
    mailsAfterReturn: after.filter((m) => m.to.some((a) => a.includes(roundId))).length,
    rounds: result.rounds,
    items: result.items,
    noticesChecked: result.notices,
    lost: result.itemsLost + result.mailsMissing + result.noticesNotSent + result.stepsMissing,
    duplicated: result.mailsDuplicated + result.stepsRepeated,
    stuck: result.workflowsNotCompleted,
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  });
  // Notices really waited through the outage, with their error recorded, and none gave up.
  expect(maxPending).toBeGreaterThan(0);
  expect(waiting.some((w) => w.withError > 0)).toBe(true);
  expect(waiting.every((w) => w.failed === 0)).toBe(true);
  expect(after.filter((m) => m.to.some((a) => a.includes(roundId))).length).toBeGreaterThan(0);
  expect(result.problems).toEqual([]);
});
