// The notice relay (通知中继): a small SMTP server between the workers and the organisation's mail
// relay that forwards each message once per Message-ID and recipients.
//
// Why: no SMTP sender can know, after a crash, whether a message it was sending was accepted. A
// worker SIGKILLed after the relay's "250" and before it marks the notice sent retries the send.
// Here the retry reaches this relay, which remembers every Message-ID it forwarded (relay_messages)
// and answers 250 without forwarding again. Each notice has a Message-ID derived from its key, so
// a retry carries the same one.
//
// How: the row is inserted in a transaction, the message is forwarded while the transaction holds
// the row, and the transaction commits only once the upstream relay has accepted it. A retry that
// arrives while the first forward is still running waits on the row and then finds it. A forward
// that fails rolls back (nothing remembered) and the sender hears the upstream's answer: a 5xx is
// passed on as it is (the worker opens a task to fix the address), anything else becomes 451 so the
// worker retries later. The one window left is this process dying between the upstream's 250 and
// its own commit; see README "Notice delivery".
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Mailer } from '../activities/mailer';

export interface RelayOptions {
  pool: Pool;
  upstream: Mailer;
  host: string;
  port: number;
  retentionDays: number;
  log?: (line: string) => void;
}
export interface RunningRelay {
  port: number;
  close(): Promise<void>;
}

const MAX_BYTES = 10 * 1024 * 1024;

type SmtpError = Error & { responseCode?: number };
const smtpError = (code: number, message: string): SmtpError => Object.assign(new Error(message), { responseCode: code });

/** The Message-ID header of a raw message (headers unfolded), or a digest of the message when it has none. */
export function messageKey(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(\S+)/im.exec(head);
  return m ? m[1]! : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

async function readAll(stream: Readable & { sizeExceeded?: boolean }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  if (stream.sizeExceeded) throw smtpError(552, `552 message exceeds ${MAX_BYTES} bytes`);
  return Buffer.concat(chunks);
}

/** Forward once: 'forwarded' or 'duplicate' (already forwarded earlier; refused this time). Throws an SMTP error otherwise. */
export async function forwardOnce(
  o: Pick<RelayOptions, 'pool' | 'upstream'>,
  id: string,
  raw: Buffer,
  envelope: { from: string; to: string[] },
): Promise<'forwarded' | 'duplicate'> {
  const recipients = [...new Set(envelope.to.map((a) => a.toLowerCase()))].sort().join(',');
  let client;
  try {
    client = await o.pool.connect();
  } catch (e) {
    throw smtpError(451, `451 notice relay: ledger unavailable (${(e as Error).message}); try again later`);
  }
  try {
    await client.query('BEGIN');
    // Our own uncommitted row holds any concurrent retry of the same message until we finish.
    const mine = await client.query(`INSERT INTO relay_messages (message_id, recipients) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [id, recipients]);
    if (!mine.rowCount) {
      await client.query(`UPDATE relay_messages SET duplicates_refused = duplicates_refused + 1 WHERE message_id = $1 AND recipients = $2`, [id, recipients]);
      await client.query('COMMIT');
      return 'duplicate';
    }
    let info: { response?: string };
    try {
      info = await o.upstream.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
    } catch (e) {
      const err = e as SmtpError;
      const code = typeof err.responseCode === 'number' && err.responseCode >= 500 ? err.responseCode : 451;
      throw smtpError(code, code >= 500 ? err.message : `451 upstream mail relay unavailable (${err.message}); try again later`);
    }
    await client.query(`UPDATE relay_messages SET upstream_response = $3, forwarded_at = now() WHERE message_id = $1 AND recipients = $2`, [
      id,
      recipients,
      (info.response ?? '').slice(0, 300),
    ]);
    await client.query('COMMIT');
    return 'forwarded';
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (typeof (e as SmtpError).responseCode === 'number') throw e;
    throw smtpError(451, `451 notice relay: ledger error (${(e as Error).message}); try again later`);
  } finally {
    client.release();
  }
}

export async function startRelay(o: RelayOptions): Promise<RunningRelay> {
  const log = o.log ?? ((line: string) => console.log(line));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: MAX_BYTES,
    banner: 'Xuncha notice relay',
    onData(stream, session: SMTPServerSession, cb) {
      readAll(stream)
        .then((raw) => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const id = messageKey(raw);
          return forwardOnce(o, id, raw, { from, to: session.envelope.rcptTo.map((r) => r.address) }).then((outcome) => {
            log(`[relay] ${outcome === 'forwarded' ? 'forwarded' : 'duplicate refused'} ${id}`);
            cb(null, outcome === 'forwarded' ? 'accepted and forwarded' : 'already forwarded; not sent again');
          });
        })
        .catch((e: SmtpError) => {
          log(`[relay] not forwarded: ${e.message.slice(0, 200)}`);
          cb(e);
        });
    },
  });
  server.on('error', (e) => log(`[relay] server error: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  // What a worker could still retry is minutes old; a month of memory is ample.
  const prune = () =>
    o.pool
      .query(`DELETE FROM relay_messages WHERE forwarded_at < now() - make_interval(days => $1)`, [o.retentionDays])
      .catch((e: Error) => log(`[relay] pruning skipped: ${e.message}`));
  void prune();
  const timer = setInterval(() => void prune(), 3_600_000);
  timer.unref();
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
      }),
  };
}
