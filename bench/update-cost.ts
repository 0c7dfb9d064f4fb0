// `npm run bench:updates -- [--units N] [--passes N]`: what one Update costs, and where.
// The benchmark's recordProblem burst alone — one round of N units on the dev target (its own
// Postgres, SMTP receiver, notice relay, Temporal dev server, the product worker and the baseline
// worker, bench/servers.ts), each unit taking 20 problems one after another, all units at once — then
// the baseline's same burst on the same server. For each pass it prints Updates per second, latency,
// and the CPU time every process on the machine spent per Update (from /proc: the worker, the
// Temporal server, Postgres, this driver), which is what decides the ratio on a machine whose cores
// are all busy (README "Scale", "What an Update costs"). A diagnosis tool, not part of `npm test`.
// BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" profiles the worker's threads.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { XunchaClient } from '../src/client/xuncha-client';
import { createDataConverter, loadCodecConfig } from '../src/codec';
import { BASELINE_TASK_QUEUE, stepUpdate } from './baseline/workflows';
import { cpuByProcess, cpuDelta } from './proc-cpu';
import { startDev } from './servers';
import { generate, ITEM_STEP_OFFSETS, PRESETS, summary, type UnitPlan } from './workload';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: a positive whole number`);
  return v;
}
const units = arg('units', 20);
const passes = arg('passes', 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One burst: every unit's problems one after another, all units at once; figures of the pass. */
async function burst(label: string, plans: UnitPlan[], send: (u: UnitPlan, i: number) => Promise<unknown>) {
  const cpu0 = cpuByProcess();
  const lat: number[] = [];
  const t0 = Date.now();
  await Promise.all(
    plans.map(async (u) => {
      for (let i = 0; i < u.problems.length; i++) {
        const t = Date.now();
        await send(u, i);
        lat.push(Date.now() - t);
      }
    }),
  );
  const sec = (Date.now() - t0) / 1000;
  const r = { label, updatesPerSec: Number((lat.length / sec).toFixed(1)), latencyMs: summary(lat), cpuMsPerUpdate: cpuDelta(cpu0, cpuByProcess(), lat.length) };
  const cpu = Object.entries(r.cpuMsPerUpdate).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`${label.padEnd(12)} ${String(r.updatesPerSec).padStart(6)}/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  CPU ms per Update: ${cpu}`);
  return r;
}

async function main(): Promise<void> {
  const preset = { ...PRESETS.mini!, unitsPerRound: units, stationingSec: 3600 };
  const w = generate(preset, 20261123, `u${Date.now().toString(36).slice(-5)}`, 100);
  const stack = await startDev({ noticeRate: 100, maxCached: 3000, maxCachedItems: 3000, heapMb: 2048, workerCount: 1, workflowTaskSlots: 40, databasePoolMax: 10, workflowTaskPolls: 20, noticePolls: 40 });
  const pool = new Pool({ connectionString: stack.databaseUrl, max: 2 });
  const results = [];
  try {
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const xc = new XunchaClient(new Client({ connection, dataConverter: createDataConverter(loadCodecConfig()) }));
    const plain = new Client({ connection });
    const r = w.rounds[0]!;
    await xc.startRound(r, `office-${r.roundId}`);
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM round_units WHERE round_id = $1 AND phase = 'stationing'`, [r.roundId]);
      if (rows[0]!.n >= units) break;
      await sleep(300);
    }
    await sleep(3000);
    console.log(`${units} units, ${w.units[0]!.problems.length} problems each, one Update per unit in flight; load average ${fsLoad()}`);
    for (let pass = 1; pass <= passes; pass++) {
      results.push(
        await burst(`ours ${pass}`, w.units, (u, i) => xc.unitStep(u.roundId, u.unitId, 'recordProblem', { ...u.problems[i]!, problemId: `${u.problems[i]!.problemId}-${pass}` }, { updateId: randomUUID() })),
      );
    }
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM problems WHERE round_id = $1', [r.roundId]);
    if (rows[0]!.n !== units * w.units[0]!.problems.length * passes) throw new Error(`problems in the ledger: ${rows[0]!.n}`);
    const bl = `bl/${w.runId}/${r.roundId}`;
    await plain.workflow.execute('baselineRound', {
      taskQueue: BASELINE_TASK_QUEUE,
      workflowId: bl,
      args: [{ unitIds: r.units.map((u) => u.unitId), offsetsMs: Object.values(ITEM_STEP_OFFSETS).map((s) => s * 1000) }],
    });
    await sleep(3000);
    for (let pass = 1; pass <= passes; pass++) {
      results.push(await burst(`baseline ${pass}`, w.units, (u, i) => plain.workflow.getHandle(`${bl}/unit/${u.unitId}`).executeUpdate(stepUpdate, { args: [u.problems[i]] })));
    }
    console.log(JSON.stringify({ units, passes, results }));
  } finally {
    await pool.end();
    await stack.stop();
  }
}
const fsLoad = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
