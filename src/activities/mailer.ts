import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config';

export type Mailer = Transporter;

export function createMailer(c: Config): Mailer {
  return nodemailer.createTransport({
    host: c.SMTP_HOST,
    port: c.SMTP_PORT,
    secure: c.SMTP_SECURE,
    auth: c.SMTP_USER ? { user: c.SMTP_USER, pass: c.SMTP_PASS ?? '' } : undefined,
    // Local receivers have no certificate; a real relay on 465 uses `secure`.
    ignoreTLS: !c.SMTP_SECURE && (c.SMTP_HOST === '127.0.0.1' || c.SMTP_HOST === 'localhost'),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
