// Running the real `xuncha` binary (bin/xuncha) as a child process, asynchronously so the workers
// that run in the test process keep serving while it works.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(__dirname, '../../bin/xuncha');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  raw: Buffer;
}

export function runBin(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const raw = Buffer.concat(out);
      resolve({ code, stdout: raw.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), raw });
    });
  });
}
