// Starts the real servers once per test run: embedded Postgres (or $DATABASE_URL), the SMTP
// receiver, and a Temporal dev server from the project's scripts. Time-skipping servers are
// started per test file (each needs its own clock).
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, ROOT, startMailbox, startNoticeRelay, startPostgres, startTemporalDev, stopAll, temporalTestServer, type Service } from '../../infra/stack';
import { migrate } from '../../src/ledger/migrate';
import { createPool, assertTestDatabase, databaseName } from '../../src/ledger/pool';

// XUNCHA_TEST_DIR lets two test runs share a checkout without sharing servers.
export const TEST_DIR = path.resolve(ROOT, process.env.XUNCHA_TEST_DIR ?? '.data/test');
export const RUN_DIR = path.join(TEST_DIR, 'run');

export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  fs.mkdirSync(RUN_DIR, { recursive: true });
  // A run that crashed may have left its servers behind: they are ours (pid files in RUN_DIR).
  await stopAll(RUN_DIR);
  const services: Service[] = [];
  (globalThis as { __XUNCHA_SERVICES__?: Service[] }).__XUNCHA_SERVICES__ = services;

  let databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const port = await freePort();
    services.push(await startPostgres({ runDir: RUN_DIR, dataDir: path.join(TEST_DIR, 'pg'), port, databases: [] }));
    databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/xuncha_test`;
  }
  assertTestDatabase(databaseUrl);
  // A fresh database per run: migrations are tested from empty every time.
  const admin = new Client({ connectionString: databaseUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${databaseName(databaseUrl)}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${databaseName(databaseUrl)}"`);
  await admin.end();
  const pool = createPool(databaseUrl, 1);
  await migrate(pool);
  await pool.end();

  const smtpPort = await freePort();
  const httpPort = await freePort();
  services.push(await startMailbox({ runDir: RUN_DIR, smtpPort, httpPort, log: false }));
  // Notices go through the notice relay, as in every deployment (src/relay).
  const relayPort = await freePort();
  const appRole = process.env.DATABASE_APP_ROLE ?? 'xuncha_app';
  services.push(await startNoticeRelay({ runDir: RUN_DIR, port: relayPort, smtpPort, databaseUrl, env: { DATABASE_APP_ROLE: appRole, RELAY_LOG: '0' } }));

  const temporalPort = await freePort();
  // A second namespace keeps the fault tests' workers apart from the other dev-server tests'.
  services.push(await startTemporalDev({ runDir: RUN_DIR, port: temporalPort, namespaces: ['faults'] }));

  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    NOTICE_RELAY_URL: `smtp://127.0.0.1:${relayPort}`,
    MAILBOX_URL: `http://127.0.0.1:${httpPort}`,
    TEMPORAL_DEV_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TEST_SERVER: temporalTestServer(),
    // Workers, API and test harnesses act as the application's role (migration 007), not the owner.
    DATABASE_APP_ROLE: process.env.DATABASE_APP_ROLE ?? 'xuncha_app',
  });
  console.log(`\n[test] servers up in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${services.map((s) => s.name).join(', ')}`);
}
