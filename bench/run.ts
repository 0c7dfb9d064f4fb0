// `npm run bench -- [--preset small|tenth|fifth|full] [--seed N] [--target dev|prod]
//                   [--concurrency N] [--notice-rate N] [--workers N] [--wft-slots N] [--wft-polls N] [--notice-polls N] [--pool N] [--max-cached N] [--max-cached-items N] [--server-db-file] [--no-baseline]`
// A province-year (or a fraction of it) through the real worker, the real Postgres ledger and a
// real SMTP receiver, against the Temporal dev server or the production-shaped stack; then the
// bare baseline on the same server. Prints a table and JSON, and writes bench/results/<ts>-<preset>-<target>.json.
// Not part of `npm test`. See README.md ("Scale") for what is measured and how.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { XunchaClient } from '../src/client/xuncha-client';
import { createDataConverter, loadCodecConfig } from '../src/codec';
import { createPool } from '../src/ledger/pool';
import { Env } from '../src/config';
import { CACHE_SIZE_WARN_ABOVE } from '../src/workers/cache-watch';
import { ROOT, stopPid } from '../infra/stack';
import { BASELINE_TASK_QUEUE, closeUpdate, finishUpdate, planUpdate, stepUpdate } from './baseline/workflows';
import { startDev, startProd, type Knobs, type Stack, type Target } from './servers';
import { cpuByProcess, cpuDelta } from './proc-cpu';
import { limiter } from './limit';
import {
  CLOSE_AT,
  counts,
  generate,
  ITEM_STEP_OFFSETS,
  parseStepKey,
  planItems,
  PRESETS,
  REOPEN_CLOSE_AFTER_SEC,
  summary,
  type UnitPlan,
  type Workload,
} from './workload';

// ---------- arguments
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const presetName = arg('preset', 'small');
const maybePreset = PRESETS[presetName];
if (!maybePreset) throw new Error(`--preset: one of ${Object.keys(PRESETS).join(', ')}`);
const preset = maybePreset;
const target = arg('target', 'dev') as Target;
if (target !== 'dev' && target !== 'prod') throw new Error('--target: dev or prod');
const seed = Number(arg('seed', '20261123'));
const concurrency = Number(arg('concurrency', '32'));
const noticeRate = Number(arg('notice-rate', '100'));
const withBaseline = !process.argv.includes('--no-baseline');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
const T_START = Date.now();
const log = (m: string) => console.log(`[bench +${((Date.now() - T_START) / 1000).toFixed(0).padStart(4)}s] ${m}`);

const limit = limiter(concurrency);

/** Latencies per kind of call, and errors. */
const latencies: Record<string, number[]> = {};
const errors: Record<string, number> = {};
let firstError: string | undefined;
/**
 * One driver call, retried on transport trouble. `fn` gets one Update id for all its attempts: a
 * timed-out step that did run is then answered with its outcome instead of running again.
 */
async function timed<T>(kind: string, fn: (opts: { updateId: string }) => Promise<T>, retries = 3): Promise<T | undefined> {
  const opts = { updateId: randomUUID() };
  for (let attempt = 0; ; attempt++) {
    const t = Date.now();
    try {
      const v = await limit(() => fn(opts));
      (latencies[kind] ??= []).push(Date.now() - t);
      return v;
    } catch (e) {
      const msg = (e as Error).message;
      // Only transport trouble is retried; a refused step is an error of the run.
      if (attempt < retries && /deadline|unavailable|resource|ECONN|timeout/i.test(msg)) {
        await sleep(500 * (attempt + 1));
        continue;
      }
      errors[kind] = (errors[kind] ?? 0) + 1;
      firstError ??= `${kind}: ${msg}`;
      if ((errors[kind] ?? 0) <= 3) log(`error ${kind}: ${msg.slice(0, 300)}`);
      return undefined;
    }
  }
}

// ---------- sampling worker memory and the sticky cache
interface Sample {
  at: number;
  rssMb: number;
  cached: number;
}
const samples: Sample[] = [];
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
async function cachedWorkflows(addr: string): Promise<number> {
  try {
    const text = await (await fetch(`http://${addr}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => /^temporal_sticky_cache_size\b/.test(l) && !/task_queue="bench-baseline"/.test(l))
      .reduce((n, l) => n + Number(l.trim().split(/\s+/).pop() ?? 0), 0);
  } catch {
    return 0;
  }
}
/** Each product worker's Prometheus text (empty for a worker that does not answer). */
function workerMetrics(stack: Stack): Promise<string[]> {
  return Promise.all(stack.workers.map((w) => fetch(`http://${w.metrics}/metrics`).then((r) => r.text()).catch(() => '')));
}
/**
 * Workflow tasks the product workers failed, by the SDK's failure reason (a nondeterminism error
 * leaves a workflow stuck: its task fails on every attempt), summed over processes.
 */
async function failedWorkflowTasks(stack: Stack): Promise<Record<string, number>> {
  const by: Record<string, number> = {};
  for (const text of await workerMetrics(stack)) {
    for (const line of text.split('\n')) {
      const m = /^temporal_workflow_task_execution_failed(?:_total)?\{(.*)\} (\S+)$/.exec(line);
      if (!m || /task_queue="bench-baseline"/.test(m[1]!)) continue;
      const reason = /failure_reason="([^"]*)"/.exec(m[1]!)?.[1] ?? 'unknown';
      by[reason] = (by[reason] ?? 0) + Number(m[2]);
    }
  }
  return by;
}
/** The SDK's latency histograms of the product workers (sum, count, buckets), summed over processes, by metric and task queue. */
type Histos = Record<string, { sum: number; count: number; buckets: Record<string, number> }>;
const HISTOS = /^temporal_(workflow_task_schedule_to_start_latency|workflow_task_execution_latency|workflow_task_replay_latency|workflow_activation_execution_latency|activity_schedule_to_start_latency|activity_execution_latency|local_activity_execution_latency|local_activity_total_execution_latency)(?:_seconds)?_(bucket|sum|count)\{(.*)\} (\S+)$/;
async function histograms(stack: Stack): Promise<Histos> {
  const h: Histos = {};
  for (const text of await workerMetrics(stack)) {
    for (const line of text.split('\n')) {
      const m = HISTOS.exec(line);
      if (!m) continue;
      const labels = m[3]!;
      const queue = /task_queue="([^"]*)"/.exec(labels)?.[1] ?? '';
      const key = `${m[1]} ${queue}`;
      const e = (h[key] ??= { sum: 0, count: 0, buckets: {} });
      const v = Number(m[4]);
      if (m[2] === 'sum') e.sum += v;
      else if (m[2] === 'count') e.count += v;
      else {
        const le = /le="([^"]*)"/.exec(labels)?.[1] ?? '';
        e.buckets[le] = (e.buckets[le] ?? 0) + v;
      }
    }
  }
  return h;
}
/** Mean and bucket-bound p50/p99 of each histogram between two snapshots. */
function histoDelta(a: Histos, b: Histos): Record<string, { n: number; mean: number; p50?: string; p99?: string }> {
  const out: Record<string, { n: number; mean: number; p50?: string; p99?: string }> = {};
  for (const [k, e] of Object.entries(b)) {
    const o = a[k] ?? { sum: 0, count: 0, buckets: {} };
    const n = e.count - o.count;
    if (n <= 0) continue;
    const les = Object.keys(e.buckets).sort((x, y) => (x === '+Inf' ? 1 : y === '+Inf' ? -1 : Number(x) - Number(y)));
    const q = (p: number) => les.find((le) => (e.buckets[le]! - (o.buckets[le] ?? 0)) >= p * n);
    out[k] = { n, mean: (e.sum - o.sum) / n, p50: q(0.5), p99: q(0.99) };
  }
  return out;
}

async function sample(stack: Stack): Promise<Sample> {
  const s: Sample = { at: Date.now(), rssMb: 0, cached: 0 };
  for (const w of stack.workers) {
    s.rssMb += rssMb(w.pid);
    s.cached += await cachedWorkflows(w.metrics);
  }
  samples.push(s);
  return s;
}

/** After a forced collection in every isolate of every worker (src/workers/memory-probe.ts): live memory, not garbage. */
interface GcSample {
  at: number;
  rssMb: number;
  heapUsedMb: number;
  cached: number;
}
async function gcSample(stack: Stack): Promise<GcSample | undefined> {
  if (!stack.workers.every((w) => w.probe)) return undefined;
  const s: GcSample = { at: Date.now(), rssMb: 0, heapUsedMb: 0, cached: 0 };
  for (const w of stack.workers) {
    const r = (await (await fetch(`http://${w.probe}/memory`)).json()) as { rssMb: number; heapUsedMb: number };
    s.rssMb += r.rssMb;
    s.heapUsedMb += r.heapUsedMb;
    s.cached += await cachedWorkflows(w.metrics);
  }
  return s;
}

// ---------- unit phases from the ledger (polled once a second for all units, not per unit)
const phases = new Map<string, string>();
const PHASE_ORDER = ['preparation', 'stationing', 'report', 'feedback', 'rectification', 'look-back', 'disclosure', 'closed'];
async function awaitPhase(unitId: string, phase: string, timeoutMs = 3_600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (PHASE_ORDER.indexOf(phases.get(unitId) ?? '') < PHASE_ORDER.indexOf(phase)) {
    if (Date.now() > deadline) throw new Error(`unit ${unitId} not in ${phase} (is ${phases.get(unitId)})`);
    await sleep(250);
  }
}

interface Figures {
  [k: string]: unknown;
}
/** 1-minute load average when each burst started: the machine is shared, so bursts compare only at similar load. */
const load1 = () => Number(os.loadavg()[0]!.toFixed(2));

// ---------- the bare baseline: the same starts, Updates, item children and timers, no domain logic
async function runBaseline(client: Client, w: Workload): Promise<Figures> {
  log('baseline: starting rounds');
  const loadAt: Record<string, number> = { starts: load1() };
  const bl = (id: string) => `bl/${w.runId}/${id}`;
  const t0 = Date.now();
  const roundHandles = await Promise.all(
    w.rounds.map((r) =>
      limit(() =>
        client.workflow.start('baselineRound', {
          taskQueue: BASELINE_TASK_QUEUE,
          workflowId: bl(r.roundId),
          args: [{ unitIds: r.units.map((u) => u.unitId), offsetsMs: Object.values(ITEM_STEP_OFFSETS).map((sec) => sec * 1000) }],
        }),
      ),
    ),
  );
  const tRounds = Date.now();
  await Promise.all(roundHandles.map((h) => h.result()));
  const tUnits = Date.now();
  const unitHandle = (u: UnitPlan) => client.workflow.getHandle(`${bl(u.roundId)}/unit/${u.unitId}`);
  const lat: number[] = [];
  loadAt.updates = load1();
  const cpuAtBurst = cpuByProcess();
  const tU0 = Date.now();
  await Promise.all(
    w.units.map(async (u) => {
      for (const p of u.problems) {
        const t = Date.now();
        await limit(() => unitHandle(u).executeUpdate(stepUpdate, { args: [p] }));
        lat.push(Date.now() - t);
      }
    }),
  );
  const tU1 = Date.now();
  const burstCpuMsPerUpdate = cpuDelta(cpuAtBurst, cpuByProcess(), lat.length);
  const items = w.units.reduce((n, u) => n + u.items.length, 0);
  // Timers: the same six per item, deadlines spread over 30 s after a lead for the starts.
  const lead = Math.max(20_000, (items / 50) * 1000);
  const anchor = Date.now() + lead;
  const deadline = (u: UnitPlan, i: number) => anchor + 60_000 + (u.items[i]!.deadlineSec / w.spreadSec) * 30_000;
  loadAt.itemStarts = load1();
  const tP0 = Date.now();
  await Promise.all(
    w.units.map((u) => limit(() => unitHandle(u).executeUpdate(planUpdate, { args: [{ deadlinesMs: u.items.map((_, i) => deadline(u, i)) }] }))),
  );
  const tP1 = Date.now();
  log(`baseline: ${items} items started in ${((tP1 - tP0) / 1000).toFixed(1)} s; timers running`);
  const cpuAtPending = cpuByProcess();
  const itemLat: number[] = [];
  await Promise.all(
    w.units.flatMap((u) =>
      u.items.map(async (it, i) => {
        const h = client.workflow.getHandle(`${bl(u.roundId)}/unit/${u.unitId}/item/p${i + 1}`);
        const closeAt = deadline(u, i) + CLOSE_AT[it.fate] * 1000;
        await sleep(closeAt - 5000 - Date.now());
        let t = Date.now();
        await limit(() => h.executeUpdate(stepUpdate, { args: [{ status: 'done' }] }));
        itemLat.push(Date.now() - t);
        await sleep(closeAt - Date.now());
        t = Date.now();
        await limit(() => h.executeUpdate(closeUpdate));
        itemLat.push(Date.now() - t);
      }),
    ),
  );
  const lags = (
    await Promise.all(
      w.units.flatMap((u) => u.items.map((_, i) => limit(() => client.workflow.getHandle(`${bl(u.roundId)}/unit/${u.unitId}/item/p${i + 1}`).result() as Promise<number[]>))),
    )
  ).flat();
  const cpuLadderSec = cpuDelta(cpuAtPending, cpuByProcess(), 1000);
  await Promise.all(w.units.map((u) => limit(() => unitHandle(u).executeUpdate(finishUpdate))));
  return {
    roundsPerSec: w.rounds.length / ((tRounds - t0) / 1000),
    unitsPerSec: w.units.length / ((tUnits - t0) / 1000),
    updatesPerSec: lat.length / ((tU1 - tU0) / 1000),
    updateLatencyMs: summary(lat),
    itemsStartedPerSec: items / ((tP1 - tP0) / 1000),
    itemUpdateLatencyMs: summary(itemLat),
    timerLagMs: summary(lags),
    burstCpuMsPerUpdate,
    cpuLadderSec,
    loadAt,
  };
}

// ---------- the product workload
async function runProduct(xc: XunchaClient, stack: Stack, w: Workload): Promise<Figures> {
  const pool = createPool(stack.databaseUrl, 4);
  const like = `${w.runId}-%`;
  const c = counts(w);
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const { rows } = await pool.query<{ unit_id: string; phase: string }>('SELECT unit_id, phase FROM round_units WHERE round_id LIKE $1', [like]).catch(() => ({ rows: [] }));
      for (const r of rows) phases.set(r.unit_id, r.phase);
      await sleep(1000);
    }
  })();
  const countOf = async (sql: string) => Number((await pool.query<{ n: string }>(sql, [like])).rows[0]?.n ?? 0);

  // Starts: rounds through the client; units counted when their first ledger phase row is written.
  log(`starting ${c.rounds} rounds (${c.units} units)`);
  const loadAt: Record<string, number> = { starts: load1() };
  const cpuStart = cpuByProcess();
  const t0 = Date.now();
  await Promise.all(w.rounds.map((r) => timed('startRound', () => xc.startRound(r, `office-${r.roundId}`))));
  const tRounds = Date.now();
  for (;;) {
    // The unit workflow's own first write (unit.phase preparation), not the round's row for it.
    const n = await countOf(`SELECT count(*) AS n FROM audit_log WHERE event_type = 'unit.phase' AND round_id LIKE $1`);
    if (n >= c.units || Date.now() - t0 > 600_000) break;
    await sleep(200);
  }
  const tUnits = Date.now();
  log(`rounds ${(c.rounds / ((tRounds - t0) / 1000)).toFixed(1)}/s, units in the ledger after ${((tUnits - t0) / 1000).toFixed(1)} s`);

  // Stationing: every unit's problems (20 Updates each) as soon as it is stationed.
  let tProb0 = 0;
  let tProb1 = 0;
  let planGate: (t0: number) => void = () => undefined;
  const planAnchor = new Promise<number>((r) => (planGate = r));
  let inRectification = 0;
  const itemUpdates: number[] = [];
  // The burst begins when every unit is stationed, as the baseline's begins when every unit exists:
  // otherwise the first units' Updates would share the cores with the last units' preparation and
  // the figure would include how far apart the units were stationed.
  let stationed = 0;
  let recordedAll = 0;
  let cpuAtBurst: Record<string, number> = {};
  let burstCpuMsPerUpdate: Record<string, number> = {};
  let burstGate: () => void = () => undefined;
  const burst = new Promise<void>((r) => (burstGate = r));
  const unitRuns = w.units.map(async (u) => {
    const { roundId, unitId } = u;
    await awaitPhase(unitId, 'stationing');
    if (++stationed === w.units.length) {
      tProb0 = Date.now();
      loadAt.updates = load1();
      cpuAtBurst = cpuByProcess();
      burstGate();
    }
    await burst;
    const recorded = new Set<string>();
    for (const p of u.problems) if (await timed('recordProblem', (o) => xc.unitStep(roundId, unitId, 'recordProblem', p, o))) recorded.add(p.problemId);
    // A problem refused (stationing over before the driver got to it) is not in the plan.
    u.items = u.items.filter((it) => recorded.has(it.itemId));
    if (u.items.length === 0) throw new Error(`unit ${unitId}: no problem recorded`);
    tProb1 = Math.max(tProb1, Date.now());
    if (++recordedAll === w.units.length) burstCpuMsPerUpdate = cpuDelta(cpuAtBurst, cpuByProcess(), c.units * preset.problemsPerUnit);
    await awaitPhase(unitId, 'report');
    await timed('submitReport', (o) => xc.unitStep(roundId, unitId, 'submitReport', { by: `grp-${unitId}`, summary: '巡察报告：发现问题若干，详见问题底稿。' }, o));
    for (const stage of ['office', 'leadingGroup', 'secretaryMeeting'] as const) {
      await timed('reviewReport', (o) => xc.unitStep(roundId, unitId, 'reviewReport', { by: `office-${roundId}`, stage, decision: 'approve' }, o));
    }
    await awaitPhase(unitId, 'feedback');
    await timed('holdFeedback', (o) => xc.unitStep(roundId, unitId, 'holdFeedback', { by: `office-${roundId}` }, o));
    await awaitPhase(unitId, 'rectification');
    inRectification++;
    const anchor = await planAnchor;
    await timed('fileRectificationPlan', (o) => xc.unitStep(roundId, unitId, 'fileRectificationPlan', { by: `head-${unitId}`, items: planItems(u, anchor) }, o));
    const lead = -ITEM_STEP_OFFSETS.green! * 1000;
    const deadlineOf = (sec: number) => anchor + lead + sec * 1000;
    const item = (itemId: string) => async (closeAt: number) => {
      await sleep(closeAt - 5000 - Date.now());
      let t = Date.now();
      await timed('reportProgress', (o) => xc.itemStep(roundId, unitId, itemId, 'reportProgress', { by: `resp-${unitId}-${itemId}`, status: 'done', note: '已按整改措施完成', evidence: ['整改材料'] }, o));
      itemUpdates.push(Date.now() - t);
      await sleep(closeAt - Date.now());
      t = Date.now();
      await timed('reconcileItem', (o) => xc.itemStep(roundId, unitId, itemId, 'reconcileItem', { by: `office-${roundId}`, decision: 'close', evidence: ['对账材料'] }, o));
      itemUpdates.push(Date.now() - t);
    };
    await Promise.all(u.items.map((it) => item(it.itemId)(deadlineOf(it.deadlineSec) + CLOSE_AT[it.fate] * 1000)));
    await timed('submitRectificationReport', (o) => xc.unitStep(roundId, unitId, 'submitRectificationReport', { by: `head-${unitId}`, summary: '整改报告' }, o));
    await awaitPhase(unitId, 'look-back');
    const findings = u.items.map((it) => ({ itemId: it.itemId, verdict: it.fate === 'reopened' ? ('relapsed' as const) : ('sustained' as const), note: '回头看核查' }));
    await timed('recordFindings', (o) => xc.unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'look-back', findings }, o));
    const tFindings = Date.now();
    await awaitPhase(unitId, 'disclosure');
    await timed('publishResults', (o) => xc.unitStep(roundId, unitId, 'publishResults', { by: `office-${roundId}`, summary: '整改情况公开' }, o));
    await Promise.all(u.items.filter((it) => it.fate === 'reopened').map((it) => item(it.itemId)(tFindings + REOPEN_CLOSE_AFTER_SEC * 1000)));
    await awaitPhase(unitId, 'closed');
  });
  const allDone = Promise.all(unitRuns);
  const progress = setInterval(() => {
    void failedWorkflowTasks(stack).then((by) => {
      for (const [reason, n] of Object.entries(by)) errors[`workflow task failed (${reason})`] = n;
    });
    const byPhase: Record<string, number> = {};
    for (const ph of phases.values()) byPhase[ph] = (byPhase[ph] ?? 0) + 1;
    const calls = Object.entries(latencies).map(([k, v]) => `${k} ${v.length}`).join(', ');
    log(`units ${JSON.stringify(byPhase)}; calls: ${calls}; errors ${JSON.stringify(errors)}`);
  }, 20_000);

  // When every unit is in rectification, the plans are filed with deadlines from a common anchor,
  // far enough out that every item is running (all timers pending) before the first reminder.
  while (inRectification < c.units) await sleep(500);
  c.items = w.units.reduce((n, u) => n + u.items.length, 0);
  const tProbSec = (tProb1 - tProb0) / 1000;
  const updRate = c.units * preset.problemsPerUnit / Math.max(tProbSec, 0.001);
  // An item start (a child workflow, its ledger rows, its schedule) costs several recordProblem
  // Updates: tenth started 61 items/s after a 330/s burst, so a lead at half the burst rate was 20 s
  // short and the first reminders fell due while items were still being planned. An eighth of it.
  const leadMs = Math.max(45_000, Math.ceil((c.items / Math.max(updRate / 8, 1)) * 1000));
  const anchor = Date.now() + leadMs;
  log(`problems: ${(c.units * preset.problemsPerUnit)} Updates in ${tProbSec.toFixed(1)} s; filing plans, first reminders in ${(leadMs / 1000).toFixed(0)} s (${c.items} items, deadlines over ${w.spreadSec} s)`);
  loadAt.itemStarts = load1();
  const tPlan0 = Date.now();
  planGate(anchor);
  for (;;) {
    const n = await countOf('SELECT count(*) AS n FROM rectification_items WHERE round_id LIKE $1');
    if (n >= c.items || Date.now() > anchor + 600_000) break;
    await sleep(250);
  }
  const tPlan1 = Date.now();
  log(`items in the ledger: ${c.items} after ${((tPlan1 - tPlan0) / 1000).toFixed(1)} s (${((anchor - tPlan1) / 1000).toFixed(0)} s before the first reminder)`);
  await sleep(anchor - Date.now() - 5000);
  const pendingSample = await sample(stack);
  const histosAtPending = await histograms(stack).catch(() => ({}));
  // Then the same after a forced collection (it pauses the worker briefly, seconds before the first reminder).
  const pendingGc = await gcSample(stack);
  const itemsRunningAtFirstReminder = await countOf(`SELECT count(*) AS n FROM rectification_items WHERE round_id LIKE $1 AND state = 'open'`);
  log(`all timers pending: ${itemsRunningAtFirstReminder} items open, worker RSS ${pendingSample.rssMb.toFixed(0)} MB, ${pendingSample.cached} workflows cached`);
  const cpuAtPending = cpuByProcess();

  await allDone;
  clearInterval(progress);
  for (const [reason, n] of Object.entries(await failedWorkflowTasks(stack))) errors[`workflow task failed (${reason})`] = n;
  // CPU seconds every process spent from the first reminder to the last unit's close (the ladders, item Updates and notices).
  const cpuLadderSec = cpuDelta(cpuAtPending, cpuByProcess(), 1000);
  // Where the time went from the first reminder to the last unit's close: the worker's own latency histograms.
  const sdkLatencies = histoDelta(histosAtPending, await histograms(stack).catch(() => ({})));
  const roundsDeadline = Date.now() + 300_000;
  for (;;) {
    const n = await countOf(`SELECT count(*) AS n FROM rounds WHERE round_id LIKE $1 AND phase = 'completed'`);
    if (n >= c.rounds) break;
    if (Date.now() > roundsDeadline) {
      errors.roundCompleted = c.rounds - n;
      firstError ??= `${c.rounds - n} round(s) not completed 300 s after every unit closed`;
      log(firstError);
      break;
    }
    await sleep(500);
  }
  const tEnd = Date.now();
  const cpuRunSec = cpuDelta(cpuStart, cpuByProcess(), 1000);
  polling = false;
  await poller;

  // Reminder lag: SMTP acceptance time minus the step's scheduled time (deadline + offset), first-run timelines.
  const deadlines = new Map<string, number>();
  for (const u of w.units) for (const it of u.items) deadlines.set(`${u.unitId}/${it.itemId}`, anchor + 60_000 + it.deadlineSec * 1000);
  const lags: number[] = [];
  const lagByStep: Record<string, number[]> = {};
  let mails = 0;
  for (const line of fs.readFileSync(stack.sinkFile, 'utf8').split('\n')) {
    const [ms, key] = line.split(' ');
    if (!ms || !key) continue;
    mails++;
    const k = parseStepKey(key);
    if (!k) continue;
    const d = deadlines.get(`${k.unitId}/${k.itemId}`);
    if (d === undefined) continue;
    const lag = Number(ms) - (d + ITEM_STEP_OFFSETS[k.step]! * 1000);
    lags.push(lag);
    (lagByStep[k.step] ??= []).push(lag);
  }

  // Postgres: rows per table and the database's size.
  const { rows: tables } = await pool.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
  const rows: Record<string, number> = {};
  for (const { t } of tables) rows[t] = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`)).rows[0]?.n ?? 0);
  const dbSize = Number((await pool.query<{ s: string }>('SELECT pg_database_size(current_database()) AS s')).rows[0]?.s ?? 0);
  const problemsInLedger = await countOf('SELECT count(*) AS n FROM problems WHERE round_id LIKE $1');
  await pool.end();

  return {
    wallSec: (tEnd - t0) / 1000,
    roundsPerSec: c.rounds / ((tRounds - t0) / 1000),
    unitsPerSec: c.units / ((tUnits - t0) / 1000),
    updatesPerSec: (c.units * preset.problemsPerUnit) / Math.max(tProbSec, 0.001),
    problemsInLedger,
    updateLatencyMs: summary(latencies.recordProblem ?? []),
    itemsStartedPerSec: c.items / ((tPlan1 - tPlan0) / 1000),
    itemUpdateLatencyMs: summary(itemUpdates),
    latencyByStepMs: Object.fromEntries(Object.entries(latencies).map(([k, v]) => [k, summary(v)])),
    itemsPlanned: c.items,
    firstReminderLeadSec: (anchor - tPlan1) / 1000,
    itemsOpenAtFirstReminder: itemsRunningAtFirstReminder,
    timersPendingAtFirstReminder: itemsRunningAtFirstReminder * Object.keys(ITEM_STEP_OFFSETS).length,
    reminderLagMs: summary(lags),
    reminderLagByStepMs: Object.fromEntries(Object.entries(lagByStep).map(([k, v]) => [k, summary(v)])),
    mails,
    pendingSample,
    pendingGc,
    sdkLatencies,
    burstCpuMsPerUpdate,
    cpuLadderSec,
    cpuRunSec,
    postgresRows: rows,
    postgresRowsTotal: Object.values(rows).reduce((a, b) => a + b, 0),
    postgresBytes: dbSize,
    loadAt,
  };
}

/** History events per unit and per item over their whole life (every run), via the client. */
async function histories(client: Client, w: Workload): Promise<Figures> {
  const perWorkflow = new Map<string, { type: string; events: number; runs: number }>();
  let largest = { workflowId: '', runId: '', events: 0 };
  for (const r of w.rounds) {
    const execs: { workflowId: string; runId: string; type: string }[] = [];
    for await (const e of client.workflow.list({ query: `RoundId = '${r.roundId}'` })) execs.push({ workflowId: e.workflowId, runId: e.runId, type: e.type });
    await Promise.all(
      execs.map((e) =>
        limit(async () => {
          const d = await client.workflow.getHandle(e.workflowId, e.runId).describe();
          const n = d.historyLength;
          const cur = perWorkflow.get(e.workflowId) ?? { type: e.type, events: 0, runs: 0 };
          cur.events += n;
          cur.runs++;
          perWorkflow.set(e.workflowId, cur);
          if (n > largest.events) largest = { workflowId: e.workflowId, runId: e.runId, events: n };
        }),
      ),
    );
  }
  // The largest is read in full, to check describe's count against the history itself.
  const full = largest.workflowId ? await client.workflow.getHandle(largest.workflowId, largest.runId).fetchHistory() : undefined;
  const of = (type: string) => [...perWorkflow.values()].filter((v) => v.type === type);
  const stat = (type: string) => {
    const xs = of(type);
    return { workflows: xs.length, runs: xs.reduce((a, b) => a + b.runs, 0), events: summary(xs.map((x) => x.events)) };
  };
  return {
    round: stat('roundWorkflow'),
    unit: stat('unitWorkflow'),
    item: stat('itemWorkflow'),
    largest: { ...largest, fetchedEvents: full?.events?.length },
    totalEvents: [...perWorkflow.values()].reduce((a, b) => a + b.events, 0),
  };
}

function gitDescribe(): string | undefined {
  const r = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

// ---------- the report
const fmt = (n: unknown, d = 1) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(d) : '—');
function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS';
}

async function main(): Promise<void> {
  const runId = `b${(seed % 1000).toString(36)}${Date.now().toString(36).slice(-4)}`;
  const w = generate(preset, seed, runId, noticeRate);
  const c = counts(w);
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const header = `Xuncha bench — preset ${preset.name} (${c.rounds} rounds, ${c.units} units, ${c.items} items: ${Object.entries(c.byFate).map(([f, n]) => `${f} ${n}`).join(', ')}), seed ${seed}, target ${target}
machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average at start ${load} — shared with other work: figures are noisy
time: the dev server cannot skip time, so the bench's round policy (bench/workload.ts, benchPolicy) writes the ladder in seconds
  (green −60 s, yellow −30 s, red/催办 0, 约谈 +20 s, 移送 +40 s; stationing ${preset.stationingSec} s; reopened deadline 60 s); the product's default policy is untouched`;
  console.log(header);
  // The heap is sized to the memory target (about 1.5 MB per workflow over a 512 MB base) so that V8
  // collects garbage as it would in production and RSS is not mostly uncollected garbage.
  const workflows = c.rounds + c.units + c.items;
  // Each of the two caches holds every workflow of its queue up to the size past which the worker
  // warns: every workflow task walks its whole cache in the SDK core, so holding all of `full`'s 40,000
  // items slows every item task; units and rounds must stay cached, or each item's news makes them
  // replay (README "Scale", "Every task walks the cache"). An evicted workflow is replayed from its
  // history at its next task.
  const maxCached = Number(arg('max-cached', String(Math.min(c.rounds + c.units + 1000, CACHE_SIZE_WARN_ABOVE))));
  const maxCachedItems = Number(arg('max-cached-items', String(Math.min(c.items + 1000, CACHE_SIZE_WARN_ABOVE))));
  const knobs: Knobs = {
    noticeRate,
    maxCached,
    maxCachedItems,
    heapMb: Number(arg('heap-mb', String(Math.max(1024, Math.ceil(512 + 1.5 * Math.min(workflows, maxCached + maxCachedItems)))))),
    workerCount: Number(arg('workers', target === 'prod' ? '3' : '1')),
    workflowTaskSlots: Number(arg('wft-slots', String(Env.shape.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS.parse(undefined)))),
    databasePoolMax: Number(arg('pool', String(Env.shape.DATABASE_POOL_MAX.parse(undefined)))),
    workflowTaskPolls: Number(arg('wft-polls', String(Env.shape.WORKER_MAX_WORKFLOW_TASK_POLLS.parse(undefined)))),
    noticePolls: Number(arg('notice-polls', String(Env.shape.WORKER_MAX_NOTICE_POLLS.parse(undefined)))),
    // The dev server's histories in memory (1.3 GB at `fifth`, ~4 GB at `full` before its ladders) unless
    // told otherwise; a file costs the server more CPU per Update.
    serverDbFile: process.argv.includes('--server-db-file'),
  };
  log(`starting the ${target} stack`);
  const stack = target === 'dev' ? await startDev(knobs) : await startProd(knobs);
  log(stack.describe);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the stack`);
      // Calls still in flight fail once their connection goes: that is expected now.
      process.on('uncaughtException', () => undefined);
      process.on('unhandledRejection', () => undefined);
      void stack.stop().finally(() => process.exit(130));
    });
  }
  const idle = await sample(stack);
  const idleGc = await gcSample(stack);
  const sampler = setInterval(() => void sample(stack), 5000);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, dataConverter: createDataConverter(loadCodecConfig()) });
  const xc = new XunchaClient(client);
  const plainClient = new Client({ connection });
  let result: Figures = {};
  try {
    const product = await runProduct(xc, stack, w);
    log('reading histories');
    const hist = await histories(client, w);
    const peak = samples.reduce((a, b) => (b.rssMb > a.rssMb ? b : a), idle);
    const pending = product.pendingSample as Sample;
    const perCachedMbNoGc = pending.cached > 0 ? (pending.rssMb - idle.rssMb) / pending.cached : undefined;
    // With the probe: resident and heap growth after forced collections at idle and when all are pending.
    const pendingGc = product.pendingGc as GcSample | undefined;
    const perCachedRssGcMb = pendingGc && idleGc && pendingGc.cached > 0 ? (pendingGc.rssMb - idleGc.rssMb) / pendingGc.cached : undefined;
    const perCachedHeapMb = pendingGc && idleGc && pendingGc.cached > 0 ? (pendingGc.heapUsedMb - idleGc.heapUsedMb) / pendingGc.cached : undefined;
    const perCachedMb = perCachedRssGcMb ?? perCachedMbNoGc;
    let baseline: Figures | undefined;
    if (withBaseline) {
      // Every figure of ours is read by now and our workers are idle (every unit closed): stop them, so
      // that the baseline has the machine's memory to itself (at `full` they hold ~15 GB of cached
      // workflows) and the sampler no longer reads them.
      clearInterval(sampler);
      log('stopping our worker processes (idle, figures read)');
      for (const x of stack.workers) await stopPid(x.pid);
      log('baseline run (bench/baseline: same starts, Updates, children and timers; no domain logic)');
      baseline = await runBaseline(plainClient, w);
    }
    const ratio = (k: string) => (baseline && typeof baseline[k] === 'number' ? (product[k] as number) / (baseline[k] as number) : undefined);
    const lag = product.reminderLagMs as { p50?: number; p99?: number };
    const largest = (hist.largest as { events: number }).events;
    const allPending = (product.firstReminderLeadSec as number) >= 0;
    const targets = {
      'throughput ratio (Updates/s) ≥ 0.7': { value: ratio('updatesPerSec'), pass: ratio('updatesPerSec') === undefined ? undefined : ratio('updatesPerSec')! >= 0.7 },
      'no history > 10,240 events': { value: largest, pass: largest <= 10_240 },
      '≤ 1 MB worker memory per cached workflow': { value: perCachedMb, pass: perCachedMb === undefined ? undefined : perCachedMb <= 1 },
      // Measured with all timers pending only if every item was planned before the first reminder fell due.
      [`reminder lag p99 ≤ 5 s (${product.timersPendingAtFirstReminder} timers pending${allPending ? '' : `; items still being planned ${-(product.firstReminderLeadSec as number)} s after the first reminder`})`]: {
        value: lag.p99,
        pass: lag.p99 === undefined ? undefined : lag.p99 <= 5000 && allPending,
      },
    };
    result = {
      preset: preset.name,
      target,
      seed,
      runId,
      at: new Date().toISOString(),
      // The code measured (a dirty tree is marked).
      commit: gitDescribe(),
      machine: { cores: os.cpus().length, loadAvgStart: load, loadAvgEnd: os.loadavg().map((l) => l.toFixed(2)).join(' ') },
      stack: stack.describe,
      workload: { ...c, spreadSec: w.spreadSec, noticeRatePerSec: noticeRate, concurrency },
      knobs,
      product,
      histories: hist,
      memory: {
        idleRssMb: idle.rssMb,
        pendingRssMb: pending.rssMb,
        cachedAtPending: pending.cached,
        peakRssMb: peak.rssMb,
        // The target's figure: resident growth per cached workflow after forced collections where the probe exists, else without.
        perCachedWorkflowMb: perCachedMb,
        perCachedWorkflowNoGcMb: perCachedMbNoGc,
        afterGc: idleGc && pendingGc ? { idleRssMb: idleGc.rssMb, pendingRssMb: pendingGc.rssMb, idleHeapUsedMb: idleGc.heapUsedMb, pendingHeapUsedMb: pendingGc.heapUsedMb, cached: pendingGc.cached } : undefined,
        perCachedWorkflowRssAfterGcMb: perCachedRssGcMb,
        perCachedWorkflowHeapMb: perCachedHeapMb,
        workers: stack.workers.length,
      },
      baseline,
      ratios: { roundsPerSec: ratio('roundsPerSec'), unitsPerSec: ratio('unitsPerSec'), updatesPerSec: ratio('updatesPerSec'), itemsStartedPerSec: ratio('itemsStartedPerSec') },
      targets,
      errors,
      firstError,
    };
    printTable(result);
    const dir = path.join(ROOT, 'bench/results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${preset.name}-${target}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nJSON (also in ${path.relative(ROOT, file)}):\n${JSON.stringify(result)}`);
  } finally {
    clearInterval(sampler);
    await connection.close();
    log('stopping the stack');
    await stack.stop();
  }
}

function printTable(r: Figures): void {
  const p = r.product as Figures;
  const b = r.baseline as Figures | undefined;
  const h = r.histories as Figures;
  const m = r.memory as Figures;
  const ratios = r.ratios as Record<string, number | undefined>;
  const s = (x: unknown) => x as { n?: number; p50?: number; p99?: number; max?: number; mean?: number };
  const rowsOut: [string, string, string, string][] = [
    ['rounds started /s', fmt(p.roundsPerSec), fmt(b?.roundsPerSec), fmt(ratios.roundsPerSec, 2)],
    ['units started /s (to the ledger)', fmt(p.unitsPerSec), fmt(b?.unitsPerSec), fmt(ratios.unitsPerSec, 2)],
    ['Updates /s end to end (recordProblem burst)', fmt(p.updatesPerSec), fmt(b?.updatesPerSec), fmt(ratios.updatesPerSec, 2)],
    ['  1-min load average when the burst began', fmt((p.loadAt as Figures | undefined)?.updates, 2), fmt((b?.loadAt as Figures | undefined)?.updates, 2), ''],
    ['  Update latency p50 / p99 ms', `${fmt(s(p.updateLatencyMs).p50, 0)} / ${fmt(s(p.updateLatencyMs).p99, 0)}`, b ? `${fmt(s(b.updateLatencyMs).p50, 0)} / ${fmt(s(b.updateLatencyMs).p99, 0)}` : '—', ''],
    ['items started /s (plans filed)', fmt(p.itemsStartedPerSec), fmt(b?.itemsStartedPerSec), fmt(ratios.itemsStartedPerSec, 2)],
    ['  item Update latency p50 / p99 ms', `${fmt(s(p.itemUpdateLatencyMs).p50, 0)} / ${fmt(s(p.itemUpdateLatencyMs).p99, 0)}`, b ? `${fmt(s(b.itemUpdateLatencyMs).p50, 0)} / ${fmt(s(b.itemUpdateLatencyMs).p99, 0)}` : '—', ''],
    [`reminder lag p50 / p99 ms (${s(p.reminderLagMs).n} mails)`, `${fmt(s(p.reminderLagMs).p50, 0)} / ${fmt(s(p.reminderLagMs).p99, 0)}`, b ? `timer ${fmt(s(b.timerLagMs).p50, 0)} / ${fmt(s(b.timerLagMs).p99, 0)}` : '—', ''],
    ['timers pending at the first reminder', String(p.timersPendingAtFirstReminder), '', ''],
    ['history events per unit, whole life: mean / max', `${fmt(s((h.unit as Figures).events).mean, 0)} / ${fmt(s((h.unit as Figures).events).max, 0)}`, '', ''],
    ['history events per item, whole life: mean / max', `${fmt(s((h.item as Figures).events).mean, 0)} / ${fmt(s((h.item as Figures).events).max, 0)}`, '', ''],
    ['history events per round: max', fmt(s((h.round as Figures).events).max, 0), '', ''],
    ['largest single history (events)', String((h.largest as Figures).events), '', ''],
    ['worker RSS idle / all pending / peak MB', `${fmt(m.idleRssMb, 0)} / ${fmt(m.pendingRssMb, 0)} / ${fmt(m.peakRssMb, 0)}`, '', ''],
    ['worker RSS / heap after GC: idle, all pending MB', m.afterGc ? `${fmt((m.afterGc as Figures).idleRssMb, 0)}, ${fmt((m.afterGc as Figures).pendingRssMb, 0)} / ${fmt((m.afterGc as Figures).idleHeapUsedMb, 0)}, ${fmt((m.afterGc as Figures).pendingHeapUsedMb, 0)}` : '—', '', ''],
    ['workflows cached (all pending)', String(m.cachedAtPending), '', ''],
    ['per cached workflow MB: RSS no GC / RSS after GC / heap', `${fmt(m.perCachedWorkflowNoGcMb, 3)} / ${fmt(m.perCachedWorkflowRssAfterGcMb, 3)} / ${fmt(m.perCachedWorkflowHeapMb, 3)}`, '', ''],
    ['Postgres rows (all tables) / size MB', `${p.postgresRowsTotal} / ${fmt((p.postgresBytes as number) / 2 ** 20, 0)}`, '', ''],
    ['e-mails accepted by SMTP', String(p.mails), '', ''],
    ['wall time s', fmt(p.wallSec, 0), '', ''],
  ];
  console.log(`\n${'figure'.padEnd(52)} ${'xuncha'.padStart(18)} ${'baseline'.padStart(16)} ${'ratio'.padStart(7)}`);
  for (const [k, v, bv, rv] of rowsOut) console.log(`${k.padEnd(52)} ${v.padStart(18)} ${bv.padStart(16)} ${rv.padStart(7)}`);
  console.log('\ntargets:');
  for (const [k, v] of Object.entries(r.targets as Record<string, { value?: number; pass?: boolean }>)) console.log(`  ${verdict(v.pass).padEnd(5)} ${k}: ${fmt(v.value, 3)}`);
  const cpu = (x: unknown) =>
    Object.entries((x ?? {}) as Record<string, number>)
      .sort((a, c) => c[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ');
  const perUpdate = (x: unknown) =>
    Object.entries((x ?? {}) as Record<string, number>)
      .sort((a, c) => c[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
  console.log(`\nCPU ms per Update in the recordProblem burst: ${perUpdate(p.burstCpuMsPerUpdate)}`);
  if (b) console.log(`  baseline: ${perUpdate(b.burstCpuMsPerUpdate)}`);
  console.log(`CPU seconds by process, first reminder to the last unit's close: ${cpu(p.cpuLadderSec)}`);
  if (b) console.log(`  baseline, its timers and item Updates: ${cpu(b.cpuLadderSec)}`);
  console.log(`  the whole product run: ${cpu(p.cpuRunSec)}`);
  if (Object.keys(r.errors as object).length) console.log(`errors: ${JSON.stringify(r.errors)} (first: ${r.firstError})`);
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
