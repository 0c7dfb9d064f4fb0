// The sandbox rule must be able to fail: lint a would-be workflow file that breaks it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
function lintAs(file: string, source: string): { status: number | null; problems: { line: number; message: string }[] } {
  const r = spawnSync(path.join(ROOT, 'node_modules/.bin/eslint'), ['--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: ROOT,
    input: source,
    encoding: 'utf8',
  });
  if (r.status === 2) throw new Error(`eslint failed: ${r.stderr}`);
  const [result] = JSON.parse(r.stdout) as { messages: { line: number; message: string }[] }[];
  return { status: r.status, problems: result!.messages.map((m) => ({ line: m.line, message: m.message })) };
}

test('workflow code may not import Node built-ins, pg, nodemailer or activity implementations', () => {
  const bad = [
    `import fs from 'fs';`,
    `import { readFileSync } from 'node:fs';`,
    `import { Pool } from 'pg';`,
    `import nodemailer from 'nodemailer';`,
    `import { createActivities } from '../activities';`,
    `import { createPool } from '../ledger/pool';`,
  ].join('\n');
  const r = lintAs('src/workflows/would-be.ts', `${bad}\nexport const x = [fs, readFileSync, Pool, nodemailer, createActivities, createPool];\n`);
  expect(r.status).toBe(1);
  expect(r.problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(r.problems[4]!.message).toContain('Only types may be imported from activities into workflows');
});

test('type-only imports from activities and domain imports are allowed in workflows', () => {
  const ok = `import type { createActivities } from '../activities';\nimport { parseDuration } from '../domain/duration';\nexport type A = ReturnType<typeof createActivities>;\nexport const p = parseDuration;\n`;
  expect(lintAs('src/workflows/would-be.ts', ok)).toEqual({ status: 0, problems: [] });
  // The same imports are fine outside the sandbox.
  expect(lintAs('src/activities/would-be.ts', `import fs from 'fs';\nexport const f = fs;\n`).status).toBe(0);
});
