// `npm run bench:timer-scan`: what one page read of Temporal's timer queue costs as timer tasks pile up
// below the page, on the dev server's store (SQLite, in memory) and on the production stack's
// (PostgreSQL). Both read a page the same way: the rows of one shard from a (time, task id) position
// up to a time, in key order, the first N; without row-value comparisons that predicate is an OR of two
// ranges. SQLite's planner bounds the index scan by the upper time only, so it walks every row of the
// shard below the page (timer tasks already fired but not yet range-deleted, every 30 s by default);
// PostgreSQL scans the two ranges (a BitmapOr). The `full` benchmark's profile (README, "Scale") found
// this read growing to a quarter of the dev server's CPU in the ladders. A diagnosis tool, not part of
// `npm test`. Postgres: DATABASE_URL's server if set (a scratch database is created and dropped),
// else the project's embedded Postgres in .data/bench/timer-scan.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, ROOT, startPostgres, stopAll } from '../infra/stack';

const ROWS = [10_000, 100_000, 400_000];
const READS = 50;
const PAGE = 100;
const TABLE = `CREATE TABLE timer_tasks (shard_id INTEGER NOT NULL, visibility_timestamp TIMESTAMP NOT NULL, task_id BIGINT NOT NULL,
  data BYTEA NOT NULL, data_encoding VARCHAR(16) NOT NULL, PRIMARY KEY (shard_id, visibility_timestamp, task_id))`;
// Rows of shard $1 at or after ($2, $3), below $5, in key order, the first $6 ($4 = $2).
const PAGE_READ = (p: (i: number) => string) => `SELECT visibility_timestamp, task_id, data, data_encoding FROM timer_tasks
  WHERE shard_id = ${p(1)} AND ((visibility_timestamp >= ${p(2)} AND task_id >= ${p(3)}) OR visibility_timestamp > ${p(4)})
  AND visibility_timestamp < ${p(5)} ORDER BY visibility_timestamp, task_id LIMIT ${p(6)}`;

/** SQLite through Python's standard library (the machine's python3; Node 20 has no SQLite). */
function sqlite(): { plan: string; msPerRead: Record<number, number> } {
  const py = `
import json, sqlite3, sys, time
rows, reads, page = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
table, query = sys.argv[4].replace('BYTEA', 'BLOB'), sys.argv[5]
c = sqlite3.connect(':memory:')
c.execute(table)
plan = ' | '.join(r[-1] for r in c.execute('EXPLAIN QUERY PLAN ' + query, (1, 0, 0, 0, 1, page)))
out = {}
for n in rows:
    c.execute('DELETE FROM timer_tasks')
    c.executemany("INSERT INTO timer_tasks VALUES (1, ?, ?, x'00', 'p')", ((i, i) for i in range(n)))
    t = time.perf_counter()
    for _ in range(reads): c.execute(query, (1, n, 0, n, n + 1000, page)).fetchall()
    out[n] = (time.perf_counter() - t) / reads * 1000
print(json.dumps({'plan': plan, 'msPerRead': out}))`;
  const python = fs.existsSync(path.join(ROOT, '.venv/bin/python')) ? path.join(ROOT, '.venv/bin/python') : 'python3';
  const r = spawnSync(python, ['-c', py, JSON.stringify(ROWS), String(READS), String(PAGE), TABLE, PAGE_READ(() => '?')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite (python3): ${r.stderr}`);
  return JSON.parse(r.stdout) as { plan: string; msPerRead: Record<number, number> };
}

async function postgres(url: string): Promise<{ plan: string; msPerRead: Record<number, number> }> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS xuncha_timer_scan');
  await admin.query('CREATE DATABASE xuncha_timer_scan');
  const c = new Client({ connectionString: url.replace(/\/[^/]*$/, '/xuncha_timer_scan') });
  await c.connect();
  try {
    await c.query(TABLE);
    const query = PAGE_READ((i) => `$${i}`);
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
    const msPerRead: Record<number, number> = {};
    let plan = '';
    for (const n of ROWS) {
      await c.query('TRUNCATE timer_tasks');
      await c.query(`INSERT INTO timer_tasks SELECT 1, $2::timestamp + (i || ' ms')::interval, i, '\\x00', 'p' FROM generate_series(0, $1 - 1) i`, [n, at(0)]);
      await c.query('ANALYZE timer_tasks');
      const args = [1, at(n), 0, at(n), at(n + 1000), PAGE];
      plan = (await c.query(`EXPLAIN ${query}`, args)).rows.map((r: Record<string, string>) => r['QUERY PLAN']!.trim()).join(' | ');
      const t = performance.now();
      for (let i = 0; i < READS; i++) await c.query(query, args);
      msPerRead[n] = (performance.now() - t) / READS;
    }
    return { plan, msPerRead };
  } finally {
    await c.end();
    await admin.query('DROP DATABASE IF EXISTS xuncha_timer_scan');
    await admin.end();
  }
}

async function main(): Promise<void> {
  const lite = sqlite();
  let url = process.env.DATABASE_URL;
  const runDir = path.join(ROOT, '.data/bench/timer-scan');
  if (!url) {
    fs.mkdirSync(runDir, { recursive: true });
    await stopAll(runDir);
    const port = await freePort();
    await startPostgres({ runDir, dataDir: path.join(runDir, 'pg'), port, databases: [] });
    url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  }
  try {
    const pg = await postgres(url);
    console.log(`timer queue page read (${PAGE} rows), ms per read, by timer tasks below the page:`);
    console.log(`${'rows below'.padStart(12)} ${'SQLite'.padStart(10)} ${'PostgreSQL'.padStart(12)}`);
    for (const n of ROWS) console.log(`${n.toLocaleString('en').padStart(12)} ${lite.msPerRead[n]!.toFixed(2).padStart(10)} ${pg.msPerRead[n]!.toFixed(2).padStart(12)}`);
    console.log(`SQLite plan: ${lite.plan}\nPostgreSQL plan: ${pg.plan}`);
    console.log(JSON.stringify({ page: PAGE, reads: READS, sqlite: lite, postgres: pg }));
  } finally {
    if (!process.env.DATABASE_URL) await stopAll(runDir);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
