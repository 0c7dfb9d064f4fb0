// A worker SIGKILLed between "recorded" and "sent" sends exactly one e-mail after restart: the
// first worker's SMTP relay never answers, so it records each notice and hangs; it is killed; a
// second worker with a working relay picks the activities up again when they time out.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { XunchaClient } from '../src/client/xuncha-client';
import { eventually, harness, mailsTo, sampleRound, stripEmails, uid, type Harness } from './support/helpers';

const ROOT = path.resolve(__dirname, '..');
const NAMESPACE = 'faults';
let h: Harness;
let xc: XunchaClient;
let tarpit: net.Server;
const sockets: net.Socket[] = [];
const workers: ChildProcess[] = [];

function startWorker(smtpPort: number): { proc: ChildProcess; log: () => string } {
  let log = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/workers/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_DEV_ADDRESS!, TEMPORAL_NAMESPACE: NAMESPACE, SMTP_PORT: String(smtpPort), LOG_LEVEL: 'WARN' },
  });
  proc.stdout!.on('data', (d) => (log += d));
  proc.stderr!.on('data', (d) => (log += d));
  workers.push(proc);
  return { proc, log: () => log };
}

beforeAll(async () => {
  h = harness();
  xc = await XunchaClient.connect({ TEMPORAL_ADDRESS: process.env.TEMPORAL_DEV_ADDRESS!, TEMPORAL_NAMESPACE: NAMESPACE });
  // A relay that accepts the connection and never says a word.
  tarpit = net.createServer((sock) => void sockets.push(sock));
  await new Promise<void>((r) => tarpit.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  for (const sock of sockets) sock.destroy();
  tarpit?.close();
  await xc?.client.connection.close();
  await h?.close();
});

test('SIGKILL between recording and sending: after restart every notice is sent exactly once', async () => {
  const roundId = uid('kill');
  const round = sampleRound(roundId, { preparation: '1 hour' });
  const first = startWorker((tarpit.address() as net.AddressInfo).port);
  await eventually(async () => first.log().includes('[worker] running'), 90_000);
  await xc.startRound(stripEmails(round), 'office-wang');
  // The first information request is recorded, then stuck in sending.
  const recorded = await eventually(async () => {
    const { rows } = await h.pool.query(`SELECT idempotency_key, recipient_email FROM notices WHERE round_id = $1 AND state = 'pending'`, [roundId]);
    return rows.length >= 1 && rows;
  }, 60_000);
  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));
  expect(await mailsTo(round.emails.discipline)).toHaveLength(0);

  const second = startWorker(Number(process.env.SMTP_PORT));
  await eventually(async () => second.log().includes('[worker] running'), 90_000);
  // The killed attempts time out (heartbeat timeout) and are retried on the second worker.
  for (const to of [round.emails.discipline, round.emails.organisation, round.emails.petitions, round.emails.audit]) {
    await eventually(async () => (await mailsTo(to)).length > 0, 150_000).catch(async (e) => {
      const { rows } = await h.pool.query(`SELECT idempotency_key, state, attempts, last_error FROM notices WHERE round_id = $1`, [roundId]);
      throw new Error(`${e.message}\nnotices: ${JSON.stringify(rows)}\nsecond worker: ${second.log().slice(-3000)}`);
    });
  }
  const announcement = await eventually(async () => (await mailsTo(round.emails.head)).length > 0 && (await mailsTo(round.emails.head)), 60_000);
  await new Promise((r) => setTimeout(r, 2000));
  for (const to of [round.emails.discipline, round.emails.organisation, round.emails.petitions, round.emails.audit, round.emails.head]) {
    expect((await mailsTo(to)).filter((m) => !m.subject.startsWith('【待办】'))).toHaveLength(1);
  }
  expect(announcement[0]!.subject).toBe('【巡察公告】县委第九轮巡察进驻县财政局');
  // Nothing is left behind: every recorded notice ends sent.
  await eventually(async () => {
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM notices WHERE round_id = $1 AND state <> 'sent'`, [roundId]);
    return rows[0].n === 0;
  }, 90_000);
  // What the killed worker had recorded but not sent went out once, from the second worker.
  for (const r of recorded) {
    const { rows } = await h.pool.query(`SELECT state, provider_message_id FROM notices WHERE idempotency_key = $1`, [r.idempotency_key]);
    expect(rows).toEqual([{ state: 'sent', provider_message_id: expect.any(String) }]);
    expect((await mailsTo(r.recipient_email)).filter((m) => m.headers['x-xuncha-notice-key'] === r.idempotency_key)).toHaveLength(1);
  }
}, 300_000);
