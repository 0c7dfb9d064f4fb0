// Stack control for `npm start` / `npm stop` (and the test script's clean-up).
import fs from 'node:fs';
import path from 'node:path';
import { XunchaClient } from '../src/client/xuncha-client';
import { DEMO_PROBLEMS, demoRound } from '../src/client/demo';
import { signToken } from '../src/api/auth';
import { DEV_API_TOKEN_SECRET, loadConfig, redactConfig, type Config } from '../src/config';
import { driveToRectification } from '../src/client/drive';
import { migrate } from '../src/ledger/migrate';
import { createPool } from '../src/ledger/pool';
import { portOpen, ROOT, startMailbox, startNoticeRelay, startPostgres, startService, startTemporalDev, stopAll, type Service } from './stack';

const RUN_DIR = path.join(ROOT, '.data/run');
const TEST_RUN_DIR = path.join(path.resolve(ROOT, process.env.XUNCHA_TEST_DIR ?? '.data/test'), 'run');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function running(name: string): boolean {
  const f = path.join(RUN_DIR, `${name}.pid`);
  if (!fs.existsSync(f)) return false;
  try {
    process.kill(Number(fs.readFileSync(f, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

async function start(): Promise<void> {
  // Embedded defaults unless the user points at their own servers.
  const external = { db: !!process.env.DATABASE_URL, temporal: !!process.env.TEMPORAL_ADDRESS, smtp: !!process.env.SMTP_HOST };
  const env: Record<string, string> = {};
  const mailboxHttp = Number(process.env.MAILBOX_HTTP_PORT ?? 8025);
  const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
  if (!external.db) env.DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5433/xuncha';
  if (!external.temporal) env.TEMPORAL_ADDRESS = '127.0.0.1:7233';
  if (!external.smtp) Object.assign(env, { SMTP_HOST: '127.0.0.1', SMTP_PORT: '1025' });
  Object.assign(process.env, env);
  const config = loadConfig(); // a bad value stops start-up here, naming the variable
  console.log('配置 configuration:', JSON.stringify(redactConfig(config)));

  const started: Service[] = [];
  const ensure = async (name: string, fn: () => Promise<Service>) => {
    if (running(name)) return console.log(`· ${name} already running`);
    console.log(`· starting ${name} ...`);
    started.push(await fn());
  };
  if (!external.db) {
    await ensure('postgres', () => startPostgres({ runDir: RUN_DIR, dataDir: path.join(ROOT, '.data/pg'), port: 5433, databases: ['xuncha'] }));
  }
  if (!external.smtp) {
    await ensure('mailbox', () => startMailbox({ runDir: RUN_DIR, smtpPort: config.SMTP_PORT, httpPort: mailboxHttp, log: true }));
  }
  if (!external.temporal) {
    const port = Number(config.TEMPORAL_ADDRESS.split(':')[1]);
    await ensure('temporal', () => startTemporalDev({ runDir: RUN_DIR, port, uiPort, dbFile: path.join(ROOT, '.data/temporal.db') }));
  }

  const pool = createPool(config.DATABASE_URL, 2);
  const applied = await migrate(pool);
  console.log(`· migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);
  // The notice relay between the workers and the mail server (src/relay): unless the user runs their own.
  if (!process.env.NOTICE_RELAY_URL) {
    const relayPort = Number(process.env.NOTICE_RELAY_PORT ?? 2526);
    await ensure('relay', () => startNoticeRelay({ runDir: RUN_DIR, port: relayPort, smtpPort: config.SMTP_PORT, databaseUrl: config.DATABASE_URL, env: { SMTP_HOST: config.SMTP_HOST } }));
    process.env.NOTICE_RELAY_URL = `smtp://127.0.0.1:${relayPort}`;
  }

  // One process each (not the tsx wrapper and a child), so its pid is the service's own.
  const tsService = (name: string, file: string, readyText: string) =>
    ensure(name, () =>
      startService({
        name,
        command: process.execPath,
        args: ['--import', 'tsx', path.join(ROOT, file)],
        runDir: RUN_DIR,
        readyCheck: async () => fs.readFileSync(path.join(RUN_DIR, `${name}.log`), 'utf8').includes(readyText),
      }),
    );
  await tsService('worker', 'src/workers/main.ts', '[worker] running');
  // The HTTP API (and the web console it serves) next to the worker, on API_PORT.
  await tsService('api', 'src/api/main.ts', '[api] listening');

  // The demo round: the driver plays the group, the office and the unit head up to the plan.
  const xc = await XunchaClient.connect(config);
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const roundId = `demo-${stamp}`;
  const round = demoRound(roundId);
  await xc.startRound(round, 'demo-office');
  const unit = round.units[0]!;
  const unitId = unit.unitId;
  console.log(`· demo round ${roundId} started: preparation 10 s, stationing 20 s, then report, feedback and plan ...`);
  const clock = { advance: sleep, pause: sleep };
  await driveToRectification(xc, clock, {
    roundId,
    unitId,
    preparationMs: 11_000,
    stationingMs: 21_000,
    problems: DEMO_PROBLEMS,
    office: 'demo-office',
    group: 'demo-group-leader',
    unitHead: 'demo-finance-head',
    plan: (feedbackAt) =>
      DEMO_PROBLEMS.map((p) => ({
        problemId: p.problemId,
        measures: '制定整改措施，明确责任人和时限，逐项销号。',
        responsible: unit.head,
        deadline: new Date(Date.parse(feedbackAt) + 3 * 60_000).toISOString(),
        kind: 'time-limited' as const,
      })),
  });
  console.log('· rectification plan filed; waiting for the first reminder e-mail (about 30 seconds) ...');

  const head = unit.head.email;
  const mailbox = external.smtp ? undefined : `http://127.0.0.1:${mailboxHttp}`;
  if (mailbox) {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const mails = (await (await fetch(`${mailbox}/api/messages?to=${encodeURIComponent(head)}`)).json()) as { subject: string }[];
      const reminder = mails.find((m) => m.subject.startsWith('【整改提醒'));
      if (reminder) {
        console.log(`· 收到提醒邮件 reminder received by ${head}: ${reminder.subject}`);
        break;
      }
      if (Date.now() > deadline) throw new Error('no reminder e-mail within 3 minutes; see .data/run/worker.log');
      await sleep(1000);
    }
  }
  const { rows } = await pool.query('SELECT count(*)::int AS items FROM rectification_items WHERE round_id = $1', [roundId]);
  await pool.end();
  await xc.client.connection.close();

  console.log(`
巡察系统已启动 Xuncha is running.
  Temporal UI      http://127.0.0.1:${uiPort}/namespaces/default/workflows   (round/${roundId}, its unit and ${rows[0].items} items)
  收件箱 mailbox     ${mailbox ?? '(external SMTP)'}
  通知中继 relay      ${process.env.NOTICE_RELAY_URL}   (each notice forwarded once; see relay_messages)
  Postgres 台账     ${redactConfig(config).DATABASE_URL}   e.g. psql "${config.DATABASE_URL}" -c 'table notices'
  控制台 console     ${config.API_PUBLIC_URL}   (API: ${config.API_PUBLIC_URL}/api/openapi.json)
${demoLogins(config, roundId, unit)}
  Logs             .data/run/*.log
  The demo items turn yellow in ~1.5 min, red with 催办 at ~3 min and go to the discipline commission at ~4 min unless closed:
    npm run xuncha -- close-item ${roundId} ${unitId} official-card --by demo-office --evidence 公务卡管理办法
  Stop everything:  npm stop
`);
}

/** DEV ONLY: sessions minted directly with the API's signing key, for the demo's office and unit head. */
function demoLogins(config: Config, roundId: string, unit: { unitId: string; head: { personId: string; name: string } }): string {
  if (config.API_TOKEN_SECRET !== DEV_API_TOKEN_SECRET) return '  登录 login       POST /api/auth/login-link { email } (a one-time link is e-mailed)';
  const ttl = 12 * 3600;
  const office = signToken({ sub: 'demo-office', name: '王芳', role: 'office', scope: {} }, config.API_TOKEN_SECRET, ttl);
  const head = signToken({ sub: unit.head.personId, name: unit.head.name, role: 'unitHead', scope: { roundId, unitId: unit.unitId } }, config.API_TOKEN_SECRET, ttl);
  const base = config.API_PUBLIC_URL.replace(/\/$/, '');
  return [
    `  巡察办登录 office  ${base}/#token=${office}`,
    `  单位负责人登录 unit head (${unit.head.name})  ${base}/#token=${head}`,
    `  e.g. curl -H "Authorization: Bearer <token>" ${base}/api/me   (dev-only tokens, valid 12 h)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const cmd = process.argv[2];
  switch (cmd) {
    case 'start':
      return start();
    case 'stop': {
      const stopped = await stopAll(RUN_DIR);
      console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
      return;
    }
    case 'stop-test':
      await stopAll(TEST_RUN_DIR);
      return;
    case 'migrate': {
      const pool = createPool(loadConfig().DATABASE_URL, 1);
      console.log((await migrate(pool)).join('\n') || 'up to date');
      await pool.end();
      return;
    }
    case 'status':
      for (const n of ['postgres', 'mailbox', 'temporal', 'relay', 'worker', 'api']) console.log(`${n}: ${running(n) ? 'running' : 'stopped'}`);
      console.log(`temporal port open: ${await portOpen(7233)}`);
      return;
    default:
      console.error('usage: tsx infra/cli.ts start|stop|status|migrate');
      process.exitCode = 2;
  }
}

main().catch((err: Error) => {
  console.error(`\n启动失败 failed: ${err.message}`);
  process.exit(1);
});
