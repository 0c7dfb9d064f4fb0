// Secrets never reach a log: the real worker and API processes run with distinctive secret values
// (payload keys, the codec endpoint token, API_TOKEN_SECRET, the SMTP password, the database
// password inside DATABASE_URL) through a round's whole lifecycle with errors on the way — an
// address the relay refuses, requests with bad and forged tokens and bad bodies, a worker that
// refuses a bad setting — and everything they print is searched for every secret.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { signToken } from '../src/api/auth';
import { XunchaClient } from '../src/client/xuncha-client';
import { createDataConverter, loadCodecConfig } from '../src/codec';
import { freePort, ROOT, startNoticeRelay, startTemporalDev, stopPid, type Service } from '../infra/stack';
import { chaosPolicy, runChaosRound, scenarioDir, sleep, startWorker, kill, type WorkerProcess } from './chaos/support';
import { createPool, eventually } from './support/helpers';
import type { Pool } from 'pg';

const hex = (n: number) => randomBytes(n).toString('hex');
const SECRETS = {
  codecKey: randomBytes(32).toString('base64'),
  codecToken: `codec-token-${hex(12)}`,
  apiTokenSecret: `api-secret-${hex(20)}`,
  smtpPassword: `smtp-pass-${hex(10)}`,
  dbPassword: `db-pass-${hex(10)}`,
};
const ROLE = `xuncha_secrets_${hex(3)}`;

let owner: Pool;
let temporal: Service;
let relay: Service;
let smtp: SMTPServer;
let smtpPort = 0;
const received: { to: string[]; subject: string }[] = [];
const outputs: { what: string; text: () => string }[] = [];
let worker: WorkerProcess;
let api: ReturnType<typeof spawn> | undefined;
let apiOut = '';
let env: Record<string, string>;
let xc: XunchaClient;

beforeAll(async () => {
  const dir = scenarioDir('secrets');
  owner = createPool(process.env.DATABASE_URL!, 1);
  // A login of its own with a distinctive password, acting as the application's role.
  await owner.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${SECRETS.dbPassword}' IN ROLE xuncha_app`);
  const url = new URL(process.env.DATABASE_URL!);
  url.username = ROLE;
  url.password = SECRETS.dbPassword;

  // A real SMTP relay that wants a password (and refuses one domain, for an error path).
  smtp = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'xuncha' && auth.password === SECRETS.smtpPassword) return cb(null, { user: 'xuncha' });
      cb(new Error('535 authentication failed'));
    },
    onRcptTo(address, _session, cb) {
      if (/\.invalid\.test$/i.test(address.address)) return cb(Object.assign(new Error(`550 mailbox unavailable: ${address.address}`), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (m) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: m.subject ?? '' });
          cb();
        },
        (e: Error) => cb(e),
      );
    },
  });
  smtpPort = await freePort();
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));

  // The notice relay in front of it, holding the SMTP password and the database password.
  const relayPort = await freePort();
  relay = await startNoticeRelay({
    runDir: dir,
    port: relayPort,
    smtpPort,
    databaseUrl: url.toString(),
    env: { DATABASE_APP_ROLE: 'xuncha_app', SMTP_USER: 'xuncha', SMTP_PASS: SECRETS.smtpPassword },
  });
  outputs.push({ what: 'relay', text: () => fs.readFileSync(relay.logFile, 'utf8') });

  const temporalPort = await freePort();
  temporal = await startTemporalDev({ runDir: dir, port: temporalPort });
  env = {
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    DATABASE_URL: url.toString(),
    DATABASE_APP_ROLE: 'xuncha_app',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    SMTP_USER: 'xuncha',
    SMTP_PASS: SECRETS.smtpPassword,
    NOTICE_RELAY_URL: `smtp://127.0.0.1:${relayPort}`,
    XUNCHA_CODEC_KEYS: `k7:${SECRETS.codecKey}`,
    XUNCHA_CODEC_AUTH_TOKENS: SECRETS.codecToken,
    API_TOKEN_SECRET: SECRETS.apiTokenSecret,
    LOG_LEVEL: 'INFO',
  };
  worker = startWorker(env, path.join(dir, 'worker.log'));
  outputs.push({ what: 'worker', text: worker.output });
  await worker.ready();
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  xc = new XunchaClient(new Client({ connection, dataConverter: createDataConverter(loadCodecConfig(env)) }));
}, 180_000);

afterAll(async () => {
  if (worker) await kill(worker, 'SIGTERM');
  if (api && api.exitCode === null) api.kill('SIGKILL');
  await xc?.client.connection.close();
  smtp?.close();
  if (temporal) await stopPid(temporal.pid);
  if (relay) await stopPid(relay.pid);
  await owner?.query(`DROP OWNED BY ${ROLE}`).catch(() => undefined);
  await owner?.query(`DROP ROLE IF EXISTS ${ROLE}`).catch(() => undefined);
  await owner?.end();
});

test('no secret appears in anything the worker and the API print, through a lifecycle with errors', async () => {
  // The API as its own process, with request logging on.
  const apiPort = await freePort();
  api = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/api/main.ts')], { cwd: ROOT, env: { ...process.env, ...env, API_PORT: String(apiPort), API_LOG: '1' } });
  api.stdout!.on('data', (d) => (apiOut += d));
  api.stderr!.on('data', (d) => (apiOut += d));
  outputs.push({ what: 'api', text: () => apiOut });
  await eventually(async () => apiOut.includes('[api] listening'), 90_000);
  const base = `http://127.0.0.1:${apiPort}`;

  let roundId = '';
  const round = await runChaosRound(() => xc, {
    prefix: 'sec',
    items: 2,
    policy: chaosPolicy(),
    onPhase: (_phase, id) => void (roundId = id),
    // The audit office's address is one the relay refuses (550): its information request fails for good.
    adjust: (r) => void (r.contacts.auditOffice!.email = `sj.${r.roundId}@sj.invalid.test`),
  });
  expect(roundId).toBe(round.roundId);
  const office = signToken({ sub: `office-${roundId}`, name: '巡察办', role: 'office', scope: {} }, SECRETS.apiTokenSecret, 600);
  const forged = signToken({ sub: `office-${roundId}`, name: '巡察办', role: 'office', scope: {} }, 'not-the-secret-0123456789abcdef0123', 600);
  const call = (url: string, o: { token?: string; body?: unknown } = {}) =>
    fetch(`${base}${url}`, {
      method: o.body === undefined ? 'GET' : 'POST',
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  expect((await call(`/api/rounds/${roundId}`, { token: office })).status).toBe(200);
  expect((await call(`/api/rounds/${roundId}`, { token: forged })).status).toBe(401);
  expect((await call(`/api/rounds/${roundId}`, { token: `${office}x` })).status).toBe(401);
  expect((await call(`/api/rounds/${roundId}/units/${round.unitId}/items/p1/close`, { token: office, body: { evidence: 'not a list' } })).status).toBe(400);
  expect((await call(`/api/rounds/${roundId}/units/${round.unitId}/items/p1/close`, { token: office, body: { evidence: ['再次销号'] } })).status).toBe(409);
  // A login link by e-mail, through the password-protected relay; then redeemed once, then again.
  expect((await call('/api/auth/login-link', { body: { email: round.emails.office } })).status).toBe(202);
  await eventually(async () => received.some((m) => m.to.includes(round.emails.office) && m.subject.includes('登录链接')), 30_000);
  // The address the relay refused: that notice is marked failed (and the office has a task to fix it).
  await eventually(async () => (await owner.query(`SELECT state FROM notices WHERE round_id = $1 AND recipient_email LIKE '%.invalid.test'`, [roundId])).rows[0]?.state === 'failed', 60_000);
  // A worker that refuses a bad setting says which, and nothing else.
  const bad = startWorker({ ...env, SMTP_PORT: 'not-a-port' });
  outputs.push({ what: 'worker with a bad setting', text: bad.output });
  expect(await bad.exited).toBe(1);
  expect(bad.output()).toContain('SMTP_PORT');
  await sleep(1000);

  // The round ran and mail went through the relay with the password.
  expect(received.filter((m) => m.to.some((a) => a.includes(roundId))).length).toBeGreaterThan(5);
  for (const { what, text } of outputs) {
    const out = text();
    expect(out.length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SECRETS)) {
      if (out.includes(value)) throw new Error(`${what} printed the secret ${name}`);
    }
    // Bearer tokens are credentials too: never in the request log.
    expect(out).not.toContain(office);
    expect(out).not.toContain(forged);
  }
  // The redacted configuration was printed (so the check above looked at real output).
  expect(worker.output()).toContain('"SMTP_PASS":"***"');
  expect(fs.readFileSync(relay.logFile, 'utf8')).toContain('"SMTP_PASS":"***"');
  expect(fs.readFileSync(relay.logFile, 'utf8')).toContain('[relay] forwarded');
  expect(apiOut).toContain('"API_TOKEN_SECRET":"***"');
  expect(worker.output()).toContain(`${ROLE}:***@`);
  const sizes = outputs.map(({ what, text }) => `${what} ${text().length} chars`).join(', ');
  process.stdout.write(`[secrets] ${Object.keys(SECRETS).length} secrets checked in ${sizes}\n`);
}, 600_000);
