// `npm run bench:vm`: what one workflow costs the worker before any server is involved. Bundles the
// workflow code as the worker does (src/workers/bundle.ts), then creates N item workflows in the
// SDK's reusable V8 context (the same creator the worker uses; an internal SDK module, so this is a
// bench tool only) and gives each its first activation; prints heap per workflow after a forced GC
// and the CPU time per workflow start. `--no-preload` builds the bundle without the shared zod.
// Needs --expose-gc (the npm script passes it).
import { defaultPayloadConverter } from '@temporalio/common';
import { msNumberToTs } from '@temporalio/common/lib/time';
import type { coresdk } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { withDefaults } from '../src/domain/policy';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_PATH } from '../src/workers/bundle';
import { itemPolicy, type ItemInput } from '../src/workflows/item';
import { benchPolicy, PRESETS } from './workload';

const N = Number(process.argv[process.argv.indexOf('--n') + 1] || 200);
const preload = !process.argv.includes('--no-preload');

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:vm)');
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: preload ? WORKFLOW_PRELOAD_MODULES : [], logger: new DefaultLogger('WARN') });
  const creator = await ReusableVMWorkflowCreator.create(parseWorkflowCode(bundle.code) as never, 5000, new Set(['recordEvent', 'addDuration', 'scheduleTimeline']), undefined);
  const policy = withDefaults(benchPolicy(PRESETS.mini!) as never);
  const input = (i: number): ItemInput => ({
    roundId: 'r1',
    unitId: 'u1',
    itemId: `p${i}`,
    problemId: `p${i}`,
    title: '专项资金拨付滞后（1）',
    deadline: new Date(Date.now() + 3_600_000).toISOString(),
    kind: 'time-limited',
    measures: '制定整改措施，明确责任人和时限。',
    responsible: { personId: `resp-${i}`, name: '整改责任人', email: `resp-${i}@bench.example.cn` },
    unitWorkflowId: 'round/r1/unit/u1',
    policy: itemPolicy(policy),
  });
  gc();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const keep: unknown[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const runId = `run-${i}`;
    const now = Date.now();
    const info = { workflowId: `wf-${i}`, runId, workflowType: 'itemWorkflow', taskQueue: 'q', namespace: 'default', firstExecutionRunId: runId, attempt: 1, historyLength: 3, historySize: 0, continueAsNewSuggested: false, startTime: new Date(now), runStartTime: new Date(now), searchAttributes: {}, typedSearchAttributes: [], memo: {}, unsafe: { isReplaying: false, now: Date.now }, priority: {} };
    const wf = await creator.createWorkflow({ info: info as never, randomnessSeed: [1, 2], now, showStackTraceSources: false });
    const ts = msNumberToTs(now);
    const completion = await wf.activate({
      runId,
      timestamp: ts,
      historyLength: 3,
      jobs: [{ initializeWorkflow: { workflowType: 'itemWorkflow', workflowId: `wf-${i}`, arguments: [defaultPayloadConverter.toPayload(input(i))], randomnessSeed: msNumberToTs(7).seconds, attempt: 1, firstExecutionRunId: runId, startTime: ts } }],
    } as coresdk.workflow_activation.IWorkflowActivation);
    if (completion.failed) throw new Error(`activation failed: ${JSON.stringify(completion.failed).slice(0, 500)}`);
    keep.push(wf);
  }
  const cpu = process.cpuUsage(cpu0);
  gc();
  gc();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / N / 2 ** 20;
  console.log(
    `${N} item workflows started (${preload ? 'zod shared' : 'no preload'}): heap ${heapMb.toFixed(3)} MB per workflow after GC, CPU ${((cpu.user + cpu.system) / 1000 / N).toFixed(1)} ms per start`,
  );
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`bench:vm failed: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
