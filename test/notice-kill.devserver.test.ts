// A worker SIGKILLed in the middle of a send: each notice still reaches its recipient exactly once.
// 1. Killed before the message is accepted: the first worker's SMTP peer never answers, so it
//    records each notice and hangs; it is killed; a second worker picks the activities up again
//    when they time out and sends each once.
// 2. Killed after the message was accepted and before the worker heard the "250": the notice relay
//    (src/relay) forwarded it and remembers its Message-ID, so the second worker's retry is refused
//    as a duplicate. The control: the same kill with no relay, straight to the receiver, delivers
//    the notice twice — the window the relay closes.
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
const relayPort = Number(new URL(process.env.NOTICE_RELAY_URL!).port);
const smtpPort = Number(process.env.SMTP_PORT);
const sockets: net.Socket[] = [];
const workers: ChildProcess[] = [];

/** A worker sending notices to `port`: through the notice relay, or (`direct`) straight to an SMTP receiver. */
function startWorker(port: number, o: { direct?: boolean } = {}): { proc: ChildProcess; log: () => string } {
  let log = '';
  const mail = o.direct ? { NOTICE_RELAY_URL: '', SMTP_PORT: String(port) } : { NOTICE_RELAY_URL: `smtp://127.0.0.1:${port}` };
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/workers/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_DEV_ADDRESS!, TEMPORAL_NAMESPACE: NAMESPACE, ...mail, LOG_LEVEL: 'WARN' },
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
// No worker outlives its test, even a failed one: a worker left polling this namespace would take
// the next test's notices and send them around its withholding link.
afterEach(async () => {
  for (const w of workers) {
    if (w.exitCode !== null || w.signalCode !== null) continue;
    const exited = new Promise((r) => w.once('exit', r));
    w.kill('SIGKILL');
    await exited;
  }
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

  const second = startWorker(relayPort);
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
  second.proc.kill('SIGTERM');
  await new Promise((r) => second.proc.once('exit', r));
}, 300_000);

/**
 * A link to an SMTP peer that passes everything through, except the first "250" that answers the end
 * of data of a notice of round `roundId`: that answer is held back, so the sender never learns its
 * message was accepted. `held` resolves with the notice key of that message. (Notices of an earlier
 * test's round that the worker still sends pass through.)
 */
function withholdingLink(upstreamPort: number, roundId: string): { server: net.Server; held: Promise<string> } {
  let withheld = false;
  let resolveHeld!: (key: string) => void;
  const held = new Promise<string>((r) => (resolveHeld = r));
  const server = net.createServer((client) => {
    sockets.push(client);
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.push(upstream);
    let sent = '';
    let dataStarted = false;
    let silenced = false;
    client.on('data', (d) => {
      sent += d.toString('latin1');
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (silenced) return;
      const text = d.toString('latin1');
      if (dataStarted && /^250[ -]/m.test(text)) {
        // The answer to a message's end of data: whose notice was it?
        const keys = [...sent.replace(/\r?\n[ \t]+/g, ' ').matchAll(/^X-Xuncha-Notice-Key:\s*(\S+)/gim)];
        const key = keys.at(-1)?.[1] ?? '';
        if (!withheld && key.includes(roundId)) {
          withheld = silenced = true;
          resolveHeld(key);
          return;
        }
        dataStarted = false;
        sent = '';
      }
      if (/^354[ -]/m.test(text)) dataStarted = true;
      client.write(d);
    });
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return { server, held };
}

async function killAfterAcceptance(o: { direct: boolean }): Promise<{ key: string; email: string; copies: number; messageIds: string[]; roundId: string }> {
  const roundId = uid(o.direct ? 'kill-direct' : 'kill-relay');
  const round = sampleRound(roundId, { preparation: '1 hour' });
  const link = withholdingLink(o.direct ? smtpPort : relayPort, roundId);
  await new Promise<void>((r) => link.server.listen(0, '127.0.0.1', r));
  try {
    const first = startWorker((link.server.address() as net.AddressInfo).port, o);
    await eventually(async () => first.log().includes('[worker] running'), 90_000);
    await xc.startRound(stripEmails(round), 'office-wang');
    let timer: NodeJS.Timeout | undefined;
    const key = await Promise.race([
      link.held,
      new Promise<string>((_, no) => (timer = setTimeout(() => no(new Error(`no message accepted within 90 s:\n${first.log().slice(-2000)}`)), 90_000))),
    ]).finally(() => clearTimeout(timer));
    expect(key).toContain(roundId);
    const { rows } = await h.pool.query(`SELECT recipient_email, state FROM notices WHERE idempotency_key = $1`, [key]);
    const email = rows[0].recipient_email as string;
    // Accepted by the receiver, not yet marked sent: the window.
    const copies = async () => (await mailsTo(email)).filter((m) => m.headers['x-xuncha-notice-key'] === key);
    await eventually(async () => (await copies()).length === 1, 30_000);
    expect(rows[0].state).toBe('pending');
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));

    const second = startWorker(o.direct ? smtpPort : relayPort, o);
    await eventually(async () => second.log().includes('[worker] running'), 90_000);
    // The killed attempt times out (heartbeat) and is retried on the second worker, which marks it sent.
    await eventually(async () => {
      const r = await h.pool.query(`SELECT state FROM notices WHERE idempotency_key = $1`, [key]);
      return r.rows[0].state === 'sent';
    }, 150_000);
    await new Promise((r) => setTimeout(r, 1000));
    const got = await copies();
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
    return { key, email, copies: got.length, messageIds: got.map((m) => m.messageId), roundId };
  } finally {
    link.server.close();
  }
}

test('SIGKILL after the relay accepted a notice, before the worker marked it sent: the retry is refused, one e-mail', async () => {
  const r = await killAfterAcceptance({ direct: false });
  expect(r.copies).toBe(1);
  // The relay saw the retry and refused it.
  const { rows } = await h.pool.query(`SELECT duplicates_refused FROM relay_messages WHERE message_id = $1`, [r.messageIds[0]]);
  expect(rows).toEqual([{ duplicates_refused: 1 }]);
}, 400_000);

test('control: the same kill with no relay, straight to the receiver, delivers that notice twice', async () => {
  const r = await killAfterAcceptance({ direct: true });
  expect(r.copies).toBe(2);
  // The same Message-ID both times (derived from the notice key): what a receiver could fold.
  expect(new Set(r.messageIds).size).toBe(1);
}, 400_000);
