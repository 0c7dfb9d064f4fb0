// Prebuilds the workflow bundle once (prod:build, the image build) so that every worker process
// starts without webpack: workers load it through WORKFLOW_BUNDLE (src/workers/main.ts).
// Usage: node <app>/infra/prod/bundle-workflows.js <out.js>
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowBundleOptions } from '../../src/workers/bundle';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: bundle-workflows <out.js>');
  const { code } = await bundleWorkflowCode({
    // Compiled, these resolve to the compiled workflows next to it; failure messages are encrypted like
    // payloads (src/codec/failure-converter.ts); the shared schemas are preloaded once per worker.
    ...workflowBundleOptions(),
    logger: new DefaultLogger('WARN'),
  });
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err) => {
  console.error(`bundle-workflows: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
