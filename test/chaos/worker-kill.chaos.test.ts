// Chaos (a): the worker process is SIGKILLed at 20 seeded-random points while rounds run through
// their whole lifecycle — while a notice is being sent, right after a ledger write lands, right
// after a run continues as new (histories are cut at 50 events, so that happens all along), at random
// moments — and restarted each time. Then: no item lost, no e-mail twice, no reminder or escalation missing, no round stuck.
// CHAOS_SEED=<n> replays a run's kill points.
import net from 'node:net';
import path from 'node:path';
import { XunchaClient } from '../../src/client/xuncha-client';
import { itemWorkflowId, roundWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import { freePort, startTemporalDev, type Service } from '../../infra/stack';
import { harness, type Harness } from '../support/helpers';
import { allMails, chaosPolicy, kill, log, prebuiltBundle, reckon, replayAll, runChaosRound, scenarioDir, sleep, startWorker, stopServices, writeSummary, type ChaosRound, type WorkerProcess } from './support';

const SCENARIO = 'worker-kill';
const KILLS = 20;
const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function rng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let h: Harness;
let xc: XunchaClient;
const services: Service[] = [];
let proxy: net.Server;
/** SMTP conversations open right now through the slow link. */
let liveSends = 0;
const sockets = new Set<net.Socket>();
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  const dir = scenarioDir(SCENARIO);
  h = harness();
  const port = await freePort();
  services.push(await startTemporalDev({ runDir: dir, port }));
  // The notice relay (and the real receiver behind it) over a slow link (each connection waits 400 ms
  // before it is passed on), so that a send lasts long enough to be killed in the middle of it.
  proxy = net.createServer((client) => {
    sockets.add(client);
    liveSends++;
    client.once('close', () => liveSends--);
    client.pause();
    setTimeout(() => {
      const upstream = net.connect(Number(new URL(process.env.NOTICE_RELAY_URL!).port), '127.0.0.1');
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      const end = () => (client.destroy(), upstream.destroy());
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    }, 400);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  bundle = await prebuiltBundle(dir);
  const env = { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, NOTICE_RELAY_URL: `smtp://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`, WORKFLOW_BUNDLE: bundle };
  // Every worker's output, across restarts, in one file beside the scenario's servers.
  spawnWorker = () => startWorker(env, path.join(dir, 'workers.log'));
  xc = await XunchaClient.connect({ TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_NAMESPACE: 'default' });
}, 180_000);
let spawnWorker: () => WorkerProcess;
let bundle: string;
afterAll(async () => {
  if (worker) await kill(worker);
  for (const s of sockets) s.destroy();
  proxy?.close();
  await xc?.client.connection.close();
  await stopServices(services);
  await h?.close();
});

interface KillPoint {
  n: number;
  kind: 'send' | 'ledger' | 'continue-as-new' | 'random';
  atMs: number;
  hit: string;
  continueAsNewWithin2s?: boolean;
}

test(`SIGKILL the worker at ${KILLS} seeded-random points of running rounds: nothing lost, nothing twice, nothing stuck`, async () => {
  log(SCENARIO, `seed ${seed} (CHAOS_SEED=${seed} replays these kill points)`);
  const random = rng(seed);
  const t0 = Date.now();
  worker = spawnWorker();
  await worker.ready();
  const rounds: Promise<ChaosRound>[] = [];
  const roundIds: string[] = [];
  const kills: KillPoint[] = [];
  let killing = true;

  // Rounds keep starting (three at once, then one every 20 s, at most 6) while the killer works, so
  // every kill lands in live rounds and no single notice takes all the kills. Stationing lasts 120 s:
  // its end is fixed when the round starts, and a killed ledger write (1-minute start-to-close) or a
  // retried notice during preparation eats into it before the group can record its problems.
  const starter = (async () => {
    for (let i = 0; i < 6 && killing; i++) {
      rounds.push(runChaosRound(() => xc, { prefix: `ck${i}`, items: 2, policy: chaosPolicy({ historyLimit: 50, stationingSeconds: 120 }), timeoutMs: 600_000 }));
      const pause = i < 2 ? 3 : 20;
      for (let s = 0; s < pause && killing; s++) await sleep(1000);
    }
  })();

  const ours = `(round_id LIKE 'ck%')`;
  for (let n = 1; n <= KILLS; n++) {
    const r = random();
    const kind: KillPoint['kind'] = r < 0.35 ? 'send' : r < 0.6 ? 'ledger' : r < 0.8 ? 'continue-as-new' : 'random';
    await sleep(200 + Math.floor(random() * 1300));
    let hit = 'timer';
    if (kind === 'send') {
      // Kill while an SMTP conversation with the receiver is open (the notice is recorded, not yet marked sent).
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        // A first attempt only: killing the same notice again and again only grows its backoff.
        const { rows } = liveSends > 0 ? await h.pool.query(`SELECT idempotency_key FROM notices WHERE ${ours} AND state = 'pending' AND attempts <= 1 ORDER BY notice_id DESC LIMIT 1`) : { rows: [] };
        if (liveSends > 0 && rows.length) {
          hit = `sending (${liveSends} SMTP connection(s) open; pending notice ${rows[0].idempotency_key})`;
          break;
        }
        await sleep(5);
      }
    } else if (kind === 'continue-as-new') {
      // Kill as soon as a run has handed over to the next: the new run's first task is under way.
      const handedOver = async () => (await xc.client.workflow.count(`ExecutionStatus = 'ContinuedAsNew'`)).count;
      const before = await handedOver();
      const until = Date.now() + 6000;
      while (Date.now() < until) {
        const now = await handedOver();
        if (now > before) {
          hit = `continue-as-new (${now} runs handed over so far)`;
          break;
        }
        await sleep(20);
      }
    } else if (kind === 'ledger') {
      // Kill right after a ledger write lands (the workflow has not yet heard of it).
      const count = async () => Number((await h.pool.query(`SELECT count(*) AS n FROM audit_log WHERE ${ours}`)).rows[0].n);
      const before = await count();
      const until = Date.now() + 4000;
      while (Date.now() < until) {
        const { rows } = await h.pool.query(`SELECT event_type FROM audit_log WHERE ${ours} ORDER BY audit_id DESC LIMIT 1`);
        if ((await count()) > before) {
          hit = `after ledger write ${rows[0]?.event_type ?? ''}`;
          break;
        }
        await sleep(10);
      }
    }
    await kill(worker);
    const atMs = Date.now() - t0;
    kills.push({ n, kind, atMs, hit });
    log(SCENARIO, `kill ${n}/${KILLS} at ${(atMs / 1000).toFixed(1)}s (${kind}): ${hit}`);
    worker = spawnWorker();
    await worker.ready();
  }
  killing = false;
  await starter;
  const done = await Promise.all(rounds);
  for (const r of done) roundIds.push(r.roundId);

  // Which kills fell within 2 s after a run handed over by continue-as-new.
  let continuedAsNew = 0;
  const canTimes: number[] = [];
  for (const r of done) {
    const ids = [roundWorkflowId(r.roundId), unitWorkflowId(r.roundId, r.unitId), ...r.items.map((p) => itemWorkflowId(r.roundId, r.unitId, p))];
    for (const id of ids) {
      for await (const e of xc.client.workflow.list({ query: `WorkflowId = '${id}'` })) {
        if (e.status.name === 'CONTINUED_AS_NEW' && e.closeTime) {
          continuedAsNew++;
          canTimes.push(e.closeTime.getTime() - t0);
        }
      }
    }
  }
  for (const k of kills) k.continueAsNewWithin2s = canTimes.some((t) => t <= k.atMs && k.atMs - t <= 2000);

  // Let the last notices settle, then count.
  await sleep(3000);
  const result = await reckon(h.pool, xc, done, await allMails(process.env.MAILBOX_URL!));
  const replay = await replayAll(xc, done, bundle);
  // Retries of notices the relay had already forwarded (a kill after its 250): refused, not sent again.
  const refusedByRelay = (
    await h.pool.query(`SELECT COALESCE(sum(duplicates_refused), 0)::int AS n FROM relay_messages WHERE recipients ~ $1`, [done.map((r) => r.roundId).join('|')])
  ).rows[0].n as number;
  const figures = {
    seed,
    faultsInjected: kills.length,
    killPoints: kills.map((k) => `${(k.atMs / 1000).toFixed(1)}s ${k.kind}${k.continueAsNewWithin2s ? ' +continue-as-new' : ''}: ${k.hit}`),
    killsDuringSend: kills.filter((k) => k.hit.startsWith('sending')).length,
    killsAfterLedgerWrite: kills.filter((k) => k.hit.startsWith('after ledger')).length,
    killsAtContinueAsNew: kills.filter((k) => k.hit.startsWith('continue-as-new') || k.continueAsNewWithin2s).length,
    continuedAsNew,
    rounds: result.rounds,
    items: result.items,
    noticesChecked: result.notices,
    lost: result.itemsLost + result.mailsMissing + result.noticesNotSent + result.stepsMissing,
    duplicated: result.mailsDuplicated + result.stepsRepeated,
    stuck: result.workflowsNotCompleted,
    unrecordedMails: result.mailsUnrecorded,
    duplicatesRefusedByRelay: refusedByRelay,
    runsReplayed: replay.runs,
    runsNotReplaying: replay.problems.length,
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  };
  writeSummary(SCENARIO, figures);
  expect([...result.problems, ...replay.problems]).toEqual([]);
  expect(replay.runs).toBeGreaterThan(done.length * 3);
  expect(kills).toHaveLength(KILLS);
  expect(continuedAsNew).toBeGreaterThan(0);
  expect(result.notices).toBeGreaterThan(0);
  // The kill points really hit sends and ledger writes (a run where none did proves less).
  expect(figures.killsDuringSend + figures.killsAfterLedgerWrite + figures.killsAtContinueAsNew).toBeGreaterThan(0);
});
