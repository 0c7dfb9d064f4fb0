// Paths and settings shared by prod.ts and smoke.ts.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../stack';

/** The stack's data, pids and logs: `.data/prod`, or XUNCHA_PROD_DIR (the benchmark runs its own stack in `.data/bench/prod`). */
export const PROD_DIR = path.resolve(ROOT, process.env.XUNCHA_PROD_DIR ?? '.data/prod');
export const RUN_DIR = path.join(PROD_DIR, 'run');
export const APP_DIR = path.join(PROD_DIR, 'app');
export const TOOLS_BIN = path.join(ROOT, '.data/tools/bin');
export const SECRETS_FILE = path.join(PROD_DIR, 'secrets.env');
/** Written by `start`: what a client (smoke, `npm run xuncha`) needs to reach this stack. */
export const CLIENT_ENV_FILE = path.join(PROD_DIR, 'client.env');
export const SETTINGS_FILE = path.join(ROOT, 'infra/prod/prod.env');

/** KEY=VALUE lines; `#` comments and blank lines skipped, surrounding quotes removed. */
export function readEnvFile(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export function writeEnvFile(file: string, vars: Record<string, string>, header: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  fs.writeFileSync(file, `# ${header}\n${body}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** A setting: the environment first, then infra/prod/prod.env. */
export function settings(): (key: string) => string | undefined {
  const file = readEnvFile(SETTINGS_FILE);
  return (key) => (process.env[key] !== undefined && process.env[key] !== '' ? process.env[key] : file[key]);
}
