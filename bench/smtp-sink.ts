// The benchmark's SMTP receiver: a real SMTP server (smtp-server) that accepts every message and
// appends one line per message to SINK_FILE: `<epoch ms when the message was accepted> <X-Xuncha-Notice-Key>`.
// Unlike infra/services/mailbox.ts it neither parses bodies nor keeps mail in memory, so tens of
// thousands of e-mails cost it little CPU on a shared machine. Env: SINK_SMTP_PORT, SINK_FILE.
import fs from 'node:fs';
import { SMTPServer } from 'smtp-server';

const port = Number(process.env.SINK_SMTP_PORT ?? 0);
const file = process.env.SINK_FILE;
if (!port || !file) {
  console.error('smtp-sink: SINK_SMTP_PORT and SINK_FILE are required');
  process.exit(2);
}
const out = fs.createWriteStream(file, { flags: 'a' });

/** The notice key from the raw header block (folded lines joined); '-' when absent. */
function noticeKey(head: string): string {
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const m = /^x-xuncha-notice-key:\s*(\S+)/im.exec(unfolded);
  return m?.[1] ?? '-';
}

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 1024 * 1024,
  onData(stream, _session, cb) {
    let head = '';
    let inHead = true;
    stream.on('data', (chunk: Buffer) => {
      if (!inHead) return;
      head += chunk.toString('utf8');
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0) {
        head = head.slice(0, end);
        inHead = false;
      }
    });
    stream.on('end', () => {
      out.write(`${Date.now()} ${noticeKey(head)}\n`);
      cb();
    });
  },
});

smtp.listen(port, '127.0.0.1', () => process.stdout.write(`READY smtp://127.0.0.1:${port}\n`));
const stop = () => smtp.close(() => out.end(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
