// `npm run bench:cache -- [--sizes 1000,5000,20000] [--updates 3000]`: what a cached workflow costs
// every other workflow task of its worker process (README "Scale", "Every task walks the cache").
// For each size N, a worker in this process (its own task queue on one Temporal dev server) holds N
// idle workflows of `workflows.ts` in its sticky cache, all of them; then the driver sends `--updates`
// Updates to random ones, 32 in flight, each answered in one workflow task. It prints Updates per
// second and the CPU milliseconds per Update of the SDK core's workflow-processing thread (the one
// that runs the workflow state machines and the cache) and of the rest of the process. No domain
// code, no Postgres, no e-mail: only the SDK and the server. A diagnosis tool, not part of `npm test`.
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { freePort, ROOT, startTemporalDev, stopAll } from '../../infra/stack';
import { summary } from '../workload';
import { limiter } from '../limit';
import { readStat } from '../proc-cpu';
import { idle, poke } from './workflows';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? '') : fallback;
}
function wholeNumbers(name: string, fallback: string): number[] {
  const v = arg(name, fallback).split(',').map(Number);
  if (!v.length || v.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${name}: positive whole numbers, comma-separated`);
  return v;
}
const sizes = wholeNumbers('sizes', '1000,5000,20000');
const updates = wholeNumbers('updates', '3000')[0]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU milliseconds of this process's threads: the SDK core's workflow-processing thread, and all others. */
function threadCpu(): { workflowProcessing: number; rest: number } {
  const out = { workflowProcessing: 0, rest: 0 };
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const { comm, ms } = readStat(`/proc/self/task/${tid}/stat`);
      if (comm.startsWith('workflow-proces')) out.workflowProcessing += ms;
      else out.rest += ms;
    } catch {
      // The thread ended while being read.
    }
  }
  return out;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const runDir = path.join(ROOT, '.data/bench-cache');
  await stopAll(runDir);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const port = await freePort();
  await startTemporalDev({ runDir, port });
  const address = `127.0.0.1:${port}`;
  const results = [];
  try {
    const client = new Client({ connection: await Connection.connect({ address }) });
    const nativeConnection = await NativeConnection.connect({ address });
    console.log(`cached workflows  Updates/s  latency p50/p99 ms  CPU ms per Update: workflow-processing thread / rest of the process`);
    for (const n of sizes) {
      const taskQueue = `cache-scan-${n}`;
      const worker = await Worker.create({
        connection: nativeConnection,
        taskQueue,
        workflowsPath: require.resolve('./workflows'),
        maxCachedWorkflows: n + 100,
        maxConcurrentWorkflowTaskExecutions: 40,
      });
      const running = worker.run();
      try {
        const ids = Array.from({ length: n }, (_, i) => `${taskQueue}-${i}`);
        const starts = limiter(64);
        await Promise.all(ids.map((workflowId) => starts(() => client.workflow.start(idle, { taskQueue, workflowId }))));
        while (worker.getStatus().numCachedWorkflows < n) await sleep(200);
        await sleep(2000); // the last first tasks settle
        const cpu0 = threadCpu();
        const lat: number[] = [];
        const t0 = Date.now();
        let seed = n;
        const pokes = limiter(32);
        await Promise.all(
          Array.from({ length: updates }, () =>
            pokes(async () => {
              seed = (seed * 1103515245 + 12345) % 2 ** 31;
              const t = Date.now();
              await client.workflow.getHandle(ids[seed % n]!).executeUpdate(poke);
              lat.push(Date.now() - t);
            }),
          ),
        );
        const sec = (Date.now() - t0) / 1000;
        const cpu1 = threadCpu();
        const r = {
          cached: worker.getStatus().numCachedWorkflows,
          updatesPerSec: Number((updates / sec).toFixed(1)),
          latencyMs: summary(lat),
          workflowProcessingMsPerUpdate: Number(((cpu1.workflowProcessing - cpu0.workflowProcessing) / updates).toFixed(2)),
          restMsPerUpdate: Number(((cpu1.rest - cpu0.rest) / updates).toFixed(2)),
        };
        results.push(r);
        console.log(
          `${String(r.cached).padStart(16)}  ${String(r.updatesPerSec).padStart(9)}  ${`${r.latencyMs.p50}/${r.latencyMs.p99}`.padStart(18)}  ${r.workflowProcessingMsPerUpdate} / ${r.restMsPerUpdate}`,
        );
      } finally {
        worker.shutdown();
        await running;
      }
    }
    await nativeConnection.close();
  } finally {
    await stopAll(runDir);
  }
  const out = path.join(ROOT, 'bench/results/experiments', `${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}-cache-scan.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ sizes, updates, results }, null, 2));
  console.log(JSON.stringify(results));
  console.log(`written ${path.relative(ROOT, out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
