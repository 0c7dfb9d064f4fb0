import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config';

export type Mailer = Transporter;

const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
const isLocal = (host: string) => host === '127.0.0.1' || host === 'localhost';

/** The organisation's mail relay (SMTP_*): what the notice relay forwards to, or what workers use when there is no notice relay. */
export function createUpstreamMailer(c: Config, o: { pool?: boolean } = {}): Mailer {
  return nodemailer.createTransport({
    host: c.SMTP_HOST,
    port: c.SMTP_PORT,
    secure: c.SMTP_SECURE,
    auth: c.SMTP_USER ? { user: c.SMTP_USER, pass: c.SMTP_PASS ?? '' } : undefined,
    // Local receivers have no certificate; a real relay on 465 uses `secure`.
    ignoreTLS: !c.SMTP_SECURE && isLocal(c.SMTP_HOST),
    ...(o.pool ? { pool: true, maxConnections: 5 } : {}),
    ...TIMEOUTS,
  });
}

/** What the notice activities send through: the notice relay when NOTICE_RELAY_URL is set (src/relay), else the upstream relay. */
export function createMailer(c: Config): Mailer {
  if (!c.NOTICE_RELAY_URL) return createUpstreamMailer(c);
  const url = new URL(c.NOTICE_RELAY_URL);
  // The notice relay runs beside the workers (same host or pod network) and speaks plain SMTP. Its
  // connections are kept open and reused: a new connection per notice (connect, greeting, EHLO, QUIT)
  // cost both sides more than the message. A message that fails on a reused connection fails its
  // attempt as before; the activity retries and the relay forwards once per Message-ID.
  return nodemailer.createTransport({ host: url.hostname, port: Number(url.port), secure: false, ignoreTLS: true, pool: true, maxConnections: 10, ...TIMEOUTS });
}
