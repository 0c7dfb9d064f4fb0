// The baseline's worker (bench only): the same SDK, connection options and slots as the product's
// worker (src/workers), and its two caches' room in one, polling only `bench-baseline`, with no activities.
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { BASELINE_TASK_QUEUE } from './workflows';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: BASELINE_TASK_QUEUE,
      workflowsPath: require.resolve('./workflows'),
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS + config.WORKER_MAX_CACHED_ITEMS,
      maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: Math.min(config.WORKER_MAX_WORKFLOW_TASK_POLLS, config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS) },
    });
    console.log('[baseline-worker] running');
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(`[baseline-worker] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
