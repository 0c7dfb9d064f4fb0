// Chaos (c): PostgreSQL stops for 30 seconds while items climb their reminder ladder. Ledger writes
// (the worker's ledger sink) fail and are retried, holding their workflow tasks' completions back, so
// no notice or signal goes out ahead of its rows; the HTTP API answers 503 naming PostgreSQL; when the
// database returns, every ledger row and every notice lands, once.
import type { FastifyInstance } from 'fastify';
import { signToken } from '../../src/api/auth';
import { buildApi } from '../../src/api/server';
import { itemWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import { allMails, chaosPolicy, log, reckon, runChaosRound, sleep, Stack, writeSummary } from './support';

const SCENARIO = 'postgres-outage';
const OUTAGE_MS = 30_000;
let stack: Stack;
let app: FastifyInstance;
let base = '';
let worker: Awaited<ReturnType<Stack['worker']>>;

beforeAll(async () => {
  stack = await Stack.start(SCENARIO, { postgres: true });
  worker = await stack.worker();
  app = buildApi({ pool: stack.h.pool, xc: stack.xc, config: stack.h.config, mailer: stack.h.mailer }, { console: false });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);
afterAll(async () => {
  await app?.close();
  await stack?.close();
});

test('PostgreSQL down for 30 s mid-round: ledger writes retry, the API answers 503, nothing lost or doubled', async () => {
  const t0 = Date.now();
  const during: { status: number; message: string }[] = [];
  let outage: Promise<void> | undefined;
  let roundId = '';
  const token = () => signToken({ sub: `office-${roundId}`, name: '巡察办王主任', role: 'office', scope: {} }, stack.h.config.API_TOKEN_SECRET, 600);
  const get = async (url: string) => {
    const res = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${token()}` } });
    const body = (await res.json()) as { error?: { message: string } };
    return { status: res.status, message: body.error?.message ?? '' };
  };
  const round = runChaosRound(() => stack.xc, {
    prefix: 'pgo',
    items: 3,
    policy: chaosPolicy(),
    deadlineInMs: 14_000,
    onPhase: (phase, id) => {
      roundId = id;
      // Right after the plan is filed: the ladder's ledger writes and notices all fall in the outage.
      if (phase !== 'planned') return;
      outage = (async () => {
        await sleep(2000);
        expect((await get(`/api/rounds/${roundId}`)).status).toBe(200);
        await stack.stop('postgres');
        log(SCENARIO, `PostgreSQL stopped at ${((Date.now() - t0) / 1000).toFixed(1)}s`);
        const until = Date.now() + OUTAGE_MS;
        while (Date.now() < until) {
          during.push(await get(`/api/rounds/${roundId}`));
          during.push(await get(`/api/rounds/${roundId}/items`));
          await sleep(2000);
        }
        await stack.startPostgres();
        log(SCENARIO, `PostgreSQL back at ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      })();
    },
  });
  const done = await round;
  await outage;
  await sleep(2000);
  const result = await reckon(stack.h.pool, stack.xc, [done], await allMails(stack.mailboxUrl));

  // Ledger writes failed against the missing database and were retried until written (the sink's
  // reports in the worker's log); activities that failed were retried (attempt > 1 in the histories).
  const sinkLog = worker.output().split('\n');
  const writesRetried = sinkLog.filter((l) => /\[ledger-sink\] .* not written, attempt 1, retrying/.test(l)).length;
  const writtenAfterRetries = sinkLog.filter((l) => /\[ledger-sink\] .* written after \d+ attempts/.test(l)).length;
  let retried = 0;
  for (const id of [unitWorkflowId(done.roundId, done.unitId), ...done.items.map((p) => itemWorkflowId(done.roundId, done.unitId, p))]) {
    const history = await stack.xc.client.workflow.getHandle(id).fetchHistory();
    retried += history.events!.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
  }
  log(SCENARIO, `${during.length} API calls during the outage: ${[...new Set(during.map((d) => `${d.status} ${d.message}`))].join(' | ')}`);
  writeSummary(SCENARIO, {
    faultsInjected: 1,
    outageSeconds: OUTAGE_MS / 1000,
    apiCallsDuringOutage: during.length,
    api503: during.filter((d) => d.status === 503).length,
    ledgerWritesRetried: writesRetried,
    ledgerWritesWrittenAfterRetries: writtenAfterRetries,
    activityAttemptsRetried: retried,
    rounds: result.rounds,
    items: result.items,
    noticesChecked: result.notices,
    lost: result.itemsLost + result.mailsMissing + result.noticesNotSent + result.stepsMissing,
    duplicated: result.mailsDuplicated + result.stepsRepeated,
    stuck: result.workflowsNotCompleted,
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  });
  expect(during.length).toBeGreaterThan(10);
  for (const d of during) expect(d).toEqual({ status: 503, message: expect.stringContaining('PostgreSQL is unreachable') });
  expect(writesRetried).toBeGreaterThan(0);
  expect(writtenAfterRetries).toBe(writesRetried);
  expect(result.problems).toEqual([]);
});
