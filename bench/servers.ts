// The benchmark's servers. `dev`: its own Postgres, SMTP sink, Temporal dev server, the product's
// worker (src/workers/main.ts) and the baseline worker, on free ports, data in .data/bench.
// `prod`: the production-shaped stack of infra/prod (Temporal server on PostgreSQL, several
// workers, the API) started by its own script on free ports with mail to the bench's SMTP sink.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { freePort, ROOT, startNoticeRelay, startPostgres, startService, startTemporalDev, stopAll, stopPid } from '../infra/stack';
import { migrate } from '../src/ledger/migrate';
import { createPool } from '../src/ledger/pool';

export type Target = 'dev' | 'prod';

export interface Stack {
  target: Target;
  temporalAddress: string;
  databaseUrl: string;
  /** Lines `<ms> <notice key>` written by the SMTP sink. */
  sinkFile: string;
  /** Product worker processes: pid, Prometheus address and memory probe address of each. */
  workers: { pid: number; metrics: string; probe?: string }[];
  /** The baseline's worker processes: as many as the product's, so the ratio compares domain logic, not deployment shape. */
  baselinePids: number[];
  describe: string;
  stop(): Promise<void>;
}

const TSX = ['--import', 'tsx'];
const logHas = (file: string, s: string) => async () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(s);

export interface Knobs {
  noticeRate: number;
  /** WORKER_MAX_CACHED_WORKFLOWS (rounds, units, clues, letters on xuncha-rounds) and WORKER_MAX_CACHED_ITEMS (xuncha-items). */
  maxCached: number;
  maxCachedItems: number;
  heapMb: number;
  workerCount: number;
  /** WORKER_MAX_CONCURRENT_WORKFLOW_TASKS and DATABASE_POOL_MAX of the workers (the baseline's slots too): the product's defaults unless given. */
  workflowTaskSlots: number;
  databasePoolMax: number;
  /** WORKER_MAX_WORKFLOW_TASK_POLLS of the workers and the baseline worker. */
  workflowTaskPolls: number;
  noticePolls: number;
  /** Dev target: the dev server keeps its SQLite database in a file, not in memory (`--server-db-file`; `full`). */
  serverDbFile?: boolean;
}

/** The knobs as the product's settings, the same on both targets. */
function tuningEnv(k: Knobs): Record<string, string> {
  return {
    NOTICE_RATE_PER_SECOND: String(k.noticeRate),
    WORKER_MAX_CACHED_WORKFLOWS: String(k.maxCached),
    WORKER_MAX_CACHED_ITEMS: String(k.maxCachedItems),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: String(k.workflowTaskSlots),
    DATABASE_POOL_MAX: String(k.databasePoolMax),
    WORKER_MAX_WORKFLOW_TASK_POLLS: String(k.workflowTaskPolls),
    WORKER_MAX_NOTICE_POLLS: String(k.noticePolls),
    LOG_LEVEL: 'WARN',
  };
}

/** The dev target's one worker: the knobs, and its heap as a node flag (prod.ts takes WORKER_HEAP_MB). */
function workerEnv(k: Knobs): Record<string, string> {
  return { ...tuningEnv(k), NODE_OPTIONS: `--max-old-space-size=${k.heapMb}` };
}

async function startSink(runDir: string): Promise<{ port: number; file: string }> {
  const port = await freePort();
  const file = path.join(runDir, 'mail.log');
  fs.rmSync(file, { force: true });
  await startService({ name: 'smtp-sink', command: process.execPath, args: [...TSX, path.join(ROOT, 'bench/smtp-sink.ts')], env: { SINK_SMTP_PORT: String(port), SINK_FILE: file }, runDir });
  return { port, file };
}

/** `k.workerCount` baseline worker processes on the baseline's task queue, each with the product workers' knobs. */
async function startBaseline(runDir: string, temporalAddress: string, k: Knobs): Promise<number[]> {
  const pids: number[] = [];
  for (let i = 1; i <= k.workerCount; i++) {
    const name = k.workerCount === 1 ? 'baseline-worker' : `baseline-worker-${i}`;
    const s = await startService({
      name,
      command: process.execPath,
      args: [...TSX, path.join(ROOT, 'bench/baseline/worker.ts')],
      env: { TEMPORAL_ADDRESS: temporalAddress, ...workerEnv(k) },
      runDir,
      readyCheck: logHas(path.join(runDir, `${name}.log`), '[baseline-worker] running'),
      timeoutMs: 240_000,
    });
    pids.push(s.pid);
  }
  return pids;
}

export async function startDev(k: Knobs): Promise<Stack> {
  const dir = path.join(ROOT, '.data/bench');
  const runDir = path.join(dir, 'run');
  fs.mkdirSync(runDir, { recursive: true });
  await stopAll(runDir);
  const pgPort = await freePort();
  await startPostgres({ runDir, dataDir: path.join(dir, 'pg'), port: pgPort, databases: [] });
  const databaseUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/xuncha_bench`;
  // A fresh ledger per run, so row counts and size are this run's.
  const admin = new PgClient({ connectionString: databaseUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS xuncha_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE xuncha_bench');
  await admin.end();
  const pool = createPool(databaseUrl, 1);
  await migrate(pool);
  await pool.end();
  const sink = await startSink(runDir);
  // The notice relay in front of the sink, as in every deployment (src/relay).
  const relayPort = await freePort();
  await startNoticeRelay({ runDir, port: relayPort, smtpPort: sink.port, databaseUrl, env: { RELAY_LOG: '0' } });
  const tPort = await freePort();
  const dbFile = k.serverDbFile ? path.join(runDir, 'temporal.db') : undefined;
  if (dbFile) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) fs.rmSync(f, { force: true });
  await startTemporalDev({ runDir, port: tPort, dbFile });
  const temporalAddress = `127.0.0.1:${tPort}`;
  const metricsPort = await freePort();
  const probePort = await freePort();
  const wlog = path.join(runDir, 'worker.log');
  const w = await startService({
    name: 'worker',
    command: process.execPath,
    // BENCH_WORKER_NODE_ARGS: extra node flags for the worker, e.g. `--cpu-prof --cpu-prof-dir=DIR` (bench:updates).
    args: [...(process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...TSX, path.join(ROOT, 'src/workers/main.ts')],
    env: {
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: databaseUrl,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(sink.port),
      NOTICE_RELAY_URL: `smtp://127.0.0.1:${relayPort}`,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      // Bench only: GET /memory collects garbage in every isolate before reporting (src/workers/memory-probe.ts).
      WORKER_MEMORY_PROBE_ADDRESS: `127.0.0.1:${probePort}`,
      ...workerEnv(k),
    },
    runDir,
    readyCheck: logHas(wlog, '[worker] running'),
    timeoutMs: 240_000,
  });
  // One product worker on the dev target, so one baseline worker.
  const baselinePids = await startBaseline(runDir, temporalAddress, { ...k, workerCount: 1 });
  return {
    target: 'dev',
    temporalAddress,
    databaseUrl,
    sinkFile: sink.file,
    workers: [{ pid: w.pid, metrics: `127.0.0.1:${metricsPort}`, probe: `127.0.0.1:${probePort}` }],
    baselinePids,
    describe: `Temporal CLI dev server (temporal server start-dev, ${dbFile ? 'SQLite in a file' : 'in-memory SQLite'}) ${temporalAddress}; embedded PostgreSQL 18 :${pgPort}; 1 worker process; notice relay :${relayPort}`,
    stop: async () => void (await stopAll(runDir)),
  };
}

/**
 * The production-shaped stack, started fresh (its data removed) by infra/prod/prod.ts on free ports, in
 * a directory of its own (XUNCHA_PROD_DIR): never the data of a stack started with `npm run prod:start`,
 * and nothing left there for the test suite's run of that stack to find.
 */
export async function startProd(k: Knobs): Promise<Stack> {
  const prodDir = path.join(ROOT, '.data/bench/prod');
  const benchRun = path.join(ROOT, '.data/bench/run-prod');
  fs.mkdirSync(benchRun, { recursive: true });
  await stopAll(benchRun);
  const prodCmd = (cmd: string, env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [...TSX, path.join(ROOT, 'infra/prod/prod.ts'), cmd], { cwd: ROOT, env: { ...process.env, XUNCHA_PROD_DIR: prodDir, ...env }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`prod.ts ${cmd} failed:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  prodCmd('stop');
  fs.rmSync(path.join(prodDir, 'pg'), { recursive: true, force: true });
  fs.rmSync(path.join(prodDir, 'secrets.env'), { force: true });
  const sink = await startSink(benchRun);
  const ports = { pg: await freePort(), fe: await freePort(), feHttp: await freePort(), metrics: await freePort(), api: await freePort() };
  const metricsBase = 20000 + Math.floor(Math.random() * 20000);
  // The memory probe (forced collections before memory is read, as on the dev target) beside the metrics.
  const probeBase = metricsBase + 100;
  const out = prodCmd('start', {
    PROD_PG_PORT: String(ports.pg),
    TEMPORAL_FRONTEND_PORT: String(ports.fe),
    TEMPORAL_FRONTEND_HTTP_PORT: String(ports.feHttp),
    TEMPORAL_METRICS_PORT: String(ports.metrics),
    API_PORT: String(ports.api),
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
    SMTP_SECURE: 'false',
    NOTICE_RELAY_PORT: String(await freePort()),
    RELAY_LOG: '0',
    WORKER_COUNT: String(k.workerCount),
    WORKER_HEAP_MB: String(k.heapMb),
    WORKER_METRICS_BASE_PORT: String(metricsBase),
    WORKER_MEMORY_PROBE_BASE_PORT: String(probeBase),
    ...tuningEnv(k),
  });
  const clientEnv = Object.fromEntries(
    fs
      .readFileSync(path.join(prodDir, 'client.env'), 'utf8')
      .split('\n')
      .map((l) => /^([A-Z_]+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => [m[1]!, m[2]!]),
  );
  // The client encrypts with the stack's key, as the workers do.
  for (const key of ['XUNCHA_CODEC_KEYS', 'XUNCHA_CODEC_ACTIVE_KEY']) if (clientEnv[key]) process.env[key] = clientEnv[key];
  const runDir = path.join(prodDir, 'run');
  const workers = Array.from({ length: k.workerCount }, (_, i) => ({
    pid: Number(fs.readFileSync(path.join(runDir, `worker-${i + 1}.pid`), 'utf8')),
    metrics: `127.0.0.1:${metricsBase + i + 1}`,
    probe: `127.0.0.1:${probeBase + i + 1}`,
  }));
  const temporalAddress = clientEnv.TEMPORAL_ADDRESS!;
  const baselinePids = await startBaseline(benchRun, temporalAddress, k);
  return {
    target: 'prod',
    temporalAddress,
    databaseUrl: clientEnv.DATABASE_URL!,
    sinkFile: sink.file,
    workers,
    baselinePids,
    describe: `Temporal server ${/Temporal (v[\d.]+)/.exec(out)?.[1] ?? ''} on PostgreSQL (infra/prod) ${temporalAddress}; ${k.workerCount} worker processes; API on :${ports.api}`,
    stop: async () => {
      for (const pid of baselinePids) await stopPid(pid);
      prodCmd('stop');
      await stopAll(benchRun);
    },
  };
}
