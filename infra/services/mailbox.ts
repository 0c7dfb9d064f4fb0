// Local SMTP receiver for dev and tests: real SMTP in (smtp-server), parsed with mailparser,
// kept in memory and shown over HTTP (JSON API and a page). Not a product component.
// Env: MAILBOX_SMTP_PORT (1025), MAILBOX_HTTP_PORT (8025), MAILBOX_LOG (1 to log each message).
// Addresses at the domain `invalid.test` are refused with 550, like a real relay refusing a mailbox.
import http from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  id: number;
  receivedAt: string;
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const smtpPort = Number(process.env.MAILBOX_SMTP_PORT ?? 1025);
const httpPort = Number(process.env.MAILBOX_HTTP_PORT ?? 8025);
const mails: ReceivedMail[] = [];
let nextId = 1;

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address, _session, cb) {
    if (/@invalid\.test$/i.test(address.address)) {
      const err = new Error(`550 mailbox unavailable: ${address.address}`) as Error & { responseCode: number };
      err.responseCode = 550;
      return cb(err);
    }
    cb();
  },
  onData(stream, session, cb) {
    simpleParser(stream)
      .then((m) => {
        const mail: ReceivedMail = {
          id: nextId++,
          receivedAt: new Date().toISOString(),
          messageId: m.messageId ?? '',
          from: m.from?.text ?? '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: m.subject ?? '',
          text: m.text ?? '',
          html: typeof m.html === 'string' ? m.html : '',
          headers: Object.fromEntries([...m.headers].map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
        };
        mails.push(mail);
        if (process.env.MAILBOX_LOG === '1') console.log(`[mailbox] 收到邮件 #${mail.id} 致 ${mail.to.join(', ')}：${mail.subject}`);
        cb();
      })
      .catch((e: Error) => cb(e));
  },
});

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function page(list: ReceivedMail[]): string {
  const rows = list
    .slice()
    .reverse()
    .map(
      (m) =>
        `<tr><td>${m.id}</td><td>${esc(m.receivedAt)}</td><td>${esc(m.to.join(', '))}</td><td><details><summary>${esc(m.subject)}</summary><pre>${esc(m.text)}</pre></details></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>本地收件箱</title>
<body style="font-family:sans-serif"><h1>本地收件箱（开发用）</h1><p>共 ${list.length} 封。JSON：<a href="/api/messages">/api/messages</a></p>
<table border="1" cellpadding="4"><tr><th>#</th><th>收到时间</th><th>收件人</th><th>主题</th></tr>${rows}</table></body></html>`;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/api/messages' && req.method === 'GET') {
    const to = url.searchParams.get('to');
    const since = Number(url.searchParams.get('since') ?? 0);
    const list = mails.filter((m) => m.id > since && (!to || m.to.some((a) => a.toLowerCase() === to.toLowerCase())));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    return res.end(JSON.stringify(list));
  }
  if (url.pathname === '/api/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ ok: true, count: mails.length }));
  }
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(page(mails));
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found');
});

smtp.listen(smtpPort, '127.0.0.1', () => {
  server.listen(httpPort, '127.0.0.1', () => {
    process.stdout.write(`READY smtp://127.0.0.1:${smtpPort} http://127.0.0.1:${httpPort}\n`);
  });
});
const stop = () => smtp.close(() => server.close(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
