// Saved histories for the replay test. `RECORD_HISTORIES=1 npm test` rewrites them from the
// lifecycle tests (do it when a workflow change is meant to be incompatible, and say so in the commit).
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify(history, null, 1));
}
