import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { createMailer } from '../activities/mailer';
import { createDataConverter, devKeyInUse, loadCodecConfig, redactCodecConfig } from '../codec';
import { loadConfig, redactConfig } from '../config';
import { createPool } from '../ledger/pool';
import { cacheSizeWarning, watchCache } from './cache-watch';
import { createWorkers, runWorkers } from './create';
import { startMemoryProbe } from './memory-probe';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({
    logger: new DefaultLogger((process.env.LOG_LEVEL as 'INFO' | 'WARN' | undefined) ?? 'INFO'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    ...(config.WORKER_METRICS_ADDRESS ? { telemetryOptions: { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } } } : {}),
  });
  console.log('[worker] configuration', JSON.stringify(redactConfig(config)));
  const codec = loadCodecConfig();
  console.log('[worker] payload encryption', JSON.stringify(redactCodecConfig(codec)));
  if (devKeyInUse(codec)) console.warn('[worker] WARNING: payloads are encrypted with the development key; set XUNCHA_CODEC_KEYS in production');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_MAX, config.DATABASE_APP_ROLE);
  const mailer = createMailer(config);
  // Bench only: a probe that forces garbage collection, so it is never on in normal operation.
  const probe = config.WORKER_MEMORY_PROBE_ADDRESS ? startMemoryProbe(config.WORKER_MEMORY_PROBE_ADDRESS) : undefined;
  try {
    const bundlePath = process.env.WORKFLOW_BUNDLE;
    const workers = await createWorkers({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      pool,
      mailer,
      config,
      workflowBundle: bundlePath ? { codePath: bundlePath } : undefined,
      dataConverter: createDataConverter(codec),
    });
    // Each cache is its own: its own LRU list in the SDK core, walked by its own thread.
    const caches = [
      { worker: workers.workflowWorker, name: 'WORKER_MAX_CACHED_WORKFLOWS' as const, max: config.WORKER_MAX_CACHED_WORKFLOWS },
      { worker: workers.itemWorker, name: 'WORKER_MAX_CACHED_ITEMS' as const, max: config.WORKER_MAX_CACHED_ITEMS },
    ];
    for (const c of caches) {
      const sizeWarning = cacheSizeWarning(c.max, c.name);
      if (sizeWarning) console.warn(sizeWarning);
    }
    const stops = caches.map((c) => watchCache(c.worker, { max: c.max, name: c.name }));
    console.log('[worker] running; SIGINT or SIGTERM drains and stops');
    try {
      await runWorkers(workers);
    } finally {
      for (const stop of stops) stop();
    }
  } finally {
    probe?.close();
    await connection.close();
    await pool.end();
    mailer.close();
    console.log('[worker] stopped');
  }
}

main().catch((err) => {
  console.error(`[worker] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
