// The notice relay (src/relay) against the run's real Postgres and SMTP receiver: the relay process
// the global setup started (the one every worker in the tests sends through), and, for an upstream
// outage, one started here on a port where nothing listens.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { createMailer, createUpstreamMailer } from '../src/activities/mailer';
import type { Config } from '../src/config';
import { messageKey, startRelay } from '../src/relay/relay';
import { harness, mailsTo, uid, type Harness } from './support/helpers';

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(async () => {
  await h.close();
});

const relayPort = () => Number(new URL(process.env.NOTICE_RELAY_URL!).port);
const transport = (port: number) => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
const message = (to: string, messageId = `<${randomBytes(8).toString('hex')}@xuncha>`) => ({
  from: 'xuncha-office@localhost',
  to,
  subject: '【整改提醒】测试',
  text: '请按期完成整改。',
  messageId,
});
const refused = async (messageId: string) =>
  (await h.pool.query(`SELECT duplicates_refused FROM relay_messages WHERE message_id = $1`, [messageId])).rows.map((r) => r.duplicates_refused as number);

test('a message sent twice with one Message-ID is forwarded once; the second send is answered 250 and refused', async () => {
  const to = `${uid('relay-twice')}@unit.example.cn`;
  const t = transport(relayPort());
  const m = message(to);
  const first = await t.sendMail(m);
  const second = await t.sendMail(m);
  t.close();
  expect(first.response).toMatch(/^250 .*forwarded/);
  expect(second.response).toMatch(/^250 .*not sent again/);
  expect(await mailsTo(to)).toHaveLength(1);
  expect(await refused(m.messageId)).toEqual([1]);
});

test('two sends of one message at the same moment: one waits for the other, one e-mail', async () => {
  const to = `${uid('relay-race')}@unit.example.cn`;
  const m = message(to);
  const [a, b] = [transport(relayPort()), transport(relayPort())];
  const answers = await Promise.all([a.sendMail(m), b.sendMail(m)]);
  a.close();
  b.close();
  expect(answers.map((x) => x.response.slice(0, 3))).toEqual(['250', '250']);
  expect(await mailsTo(to)).toHaveLength(1);
  expect(await refused(m.messageId)).toEqual([1]);
});

test('the same Message-ID to another recipient is another delivery', async () => {
  const m = message(`${uid('relay-a')}@unit.example.cn`);
  const other = `${uid('relay-b')}@unit.example.cn`;
  const t = transport(relayPort());
  await t.sendMail(m);
  await t.sendMail({ ...m, to: other });
  t.close();
  expect(await mailsTo(m.to)).toHaveLength(1);
  expect(await mailsTo(other)).toHaveLength(1);
});

test('a recipient the mail server refuses: its 5xx is passed on and nothing is remembered', async () => {
  const m = message(`${uid('nobody')}@invalid.test`);
  const t = transport(relayPort());
  const err = (await t.sendMail(m).catch((e: unknown) => e)) as { responseCode?: number; message: string };
  t.close();
  expect(err.responseCode).toBe(550);
  expect(err.message).toMatch(/550/);
  expect(await refused(m.messageId)).toEqual([]);
});

test('the mail server down: 451 (try again), nothing remembered, and a later send goes out once', async () => {
  // A port where nothing listens stands for the organisation's relay being down.
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as net.AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const upstream = createUpstreamMailer({ ...h.config, SMTP_PORT: deadPort });
  const relay = await startRelay({ pool: h.pool, upstream, host: '127.0.0.1', port: 0, retentionDays: 30, log: () => undefined });
  const to = `${uid('relay-down')}@unit.example.cn`;
  const m = message(to);
  try {
    const t = transport(relay.port);
    const err = (await t.sendMail(m).catch((e: unknown) => e)) as { responseCode?: number; message: string };
    t.close();
    expect(err.responseCode).toBe(451);
    expect(err.message).toMatch(/upstream mail relay unavailable/);
    expect(await refused(m.messageId)).toEqual([]);
  } finally {
    await relay.close();
    upstream.close();
  }
  // The worker's retry, once the mail server is back (here: through the run's relay).
  const t = transport(relayPort());
  await t.sendMail(m);
  t.close();
  expect(await mailsTo(to)).toHaveLength(1);
  expect(await refused(m.messageId)).toEqual([0]);
});

test("the workers' mailer keeps its connection to the relay: five notices, one connection; a connection the relay side closes is replaced", async () => {
  // A TCP link in front of the relay that counts connections and can cut them all.
  const open = new Set<net.Socket>();
  let connections = 0;
  const link = net.createServer((client) => {
    connections++;
    const upstream = net.connect(relayPort(), '127.0.0.1');
    open.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy(), open.delete(client), open.delete(upstream));
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => link.listen(0, '127.0.0.1', r));
  const mailer = createMailer({ NOTICE_RELAY_URL: `smtp://127.0.0.1:${(link.address() as net.AddressInfo).port}` } as Config);
  try {
    const to = `${uid('relay-pool')}@unit.example.cn`;
    for (let i = 0; i < 5; i++) expect((await mailer.sendMail(message(to))).response).toMatch(/^250 .*forwarded/);
    expect(connections).toBe(1);
    for (const s of open) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await mailer.sendMail(message(to))).response).toMatch(/^250 .*forwarded/);
    expect(connections).toBe(2);
    expect(await mailsTo(to)).toHaveLength(6);
  } finally {
    mailer.close();
    for (const s of open) s.destroy();
    await new Promise((r) => link.close(r));
  }
});

test('bad SMTP input: a message over 10 MB is refused with 552', async () => {
  const t = transport(relayPort());
  const err = (await t.sendMail({ ...message(`${uid('big')}@unit.example.cn`), text: 'x'.repeat(11 * 1024 * 1024) }).catch((e: unknown) => e)) as { responseCode?: number };
  t.close();
  expect(err.responseCode).toBe(552);
});

test('messageKey: the Message-ID header (folded or not), else a digest of the message', () => {
  expect(messageKey(Buffer.from('Subject: a\r\nMessage-ID: <abc@xuncha>\r\n\r\nbody'))).toBe('<abc@xuncha>');
  expect(messageKey(Buffer.from('Subject: a\r\nmessage-id:\r\n <folded@xuncha>\r\n\r\nbody'))).toBe('<folded@xuncha>');
  // A Message-ID line in the body is not a header.
  const noHeader = Buffer.from('Subject: a\r\n\r\nMessage-ID: <in-body@x>');
  expect(messageKey(noHeader)).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(messageKey(noHeader)).toBe(messageKey(Buffer.from('Subject: a\r\n\r\nMessage-ID: <in-body@x>')));
  expect(messageKey(noHeader)).not.toBe(messageKey(Buffer.from('Subject: b\r\n\r\nMessage-ID: <in-body@x>')));
});
