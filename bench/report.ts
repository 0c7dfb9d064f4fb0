// `npm run bench:report`: the latest result of each preset and target in bench/results, side by
// side as a Markdown table (dev server beside the production-shaped stack; sizes side by side), and
// how cost grows with the size. What README.md shows.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../infra/stack';

type J = Record<string, unknown>;
const dir = path.join(ROOT, 'bench/results');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
const latest = new Map<string, J>();
for (const f of files) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as J;
  latest.set(`${r.preset}/${r.target}`, { ...r, file: f });
}
const ORDER = ['micro', 'mini', 'midi', 'small', 'tenth', 'fifth', 'full'];
const runs = [...latest.values()].sort(
  (a, b) => ORDER.indexOf(a.preset as string) - ORDER.indexOf(b.preset as string) || String(a.target).localeCompare(String(b.target)),
);
if (runs.length === 0) {
  console.log('no results in bench/results: run npm run bench first');
  process.exit(0);
}
const g = (r: J, p: string): unknown => p.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as J)[k] : undefined), r);
const n = (v: unknown, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—');
const pair = (r: J, a: string, b: string, d = 0) => `${n(g(r, a), d)} / ${n(g(r, b), d)}`;
const pass = (r: J, prefix: string) => {
  const t = Object.entries((r.targets as Record<string, { pass?: boolean; value?: number }>) ?? {}).find(([k]) => k.startsWith(prefix));
  return t ? `${t[1].pass === undefined ? 'n/a' : t[1].pass ? 'PASS' : 'MISS'} (${n(t[1].value, prefix.startsWith('≤') || prefix.startsWith('throughput') ? 2 : 0)})` : '—';
};
const rows: [string, (r: J) => string][] = [
  ['rounds / units / items', (r) => `${g(r, 'workload.rounds')} / ${g(r, 'workload.units')} / ${g(r, 'product.itemsPlanned')}`],
  ['worker processes', (r) => String(g(r, 'memory.workers'))],
  ['load average at start', (r) => String(g(r, 'machine.loadAvgStart')).split(' ')[0] ?? ''],
  ['rounds started /s', (r) => n(g(r, 'product.roundsPerSec'))],
  ['units started /s (first ledger row)', (r) => n(g(r, 'product.unitsPerSec'))],
  ['Updates /s end to end (baseline)', (r) => `${n(g(r, 'product.updatesPerSec'))} (${n(g(r, 'baseline.updatesPerSec'))})`],
  ['load average at the Updates burst (baseline)', (r) => `${n(g(r, 'product.loadAt.updates'), 1)} (${n(g(r, 'baseline.loadAt.updates'), 1)})`],
  ['Update latency p50 / p99 ms', (r) => pair(r, 'product.updateLatencyMs.p50', 'product.updateLatencyMs.p99')],
  ['items started /s (baseline)', (r) => `${n(g(r, 'product.itemsStartedPerSec'))} (${n(g(r, 'baseline.itemsStartedPerSec'))})`],
  ['item Update latency p50 / p99 ms', (r) => pair(r, 'product.itemUpdateLatencyMs.p50', 'product.itemUpdateLatencyMs.p99')],
  ['CPU ms per Update, worker / Temporal (baseline)', (r) =>
      g(r, 'product.burstCpuMsPerUpdate') ? `${pair(r, 'product.burstCpuMsPerUpdate.worker', 'product.burstCpuMsPerUpdate.temporal', 1)} (${pair(r, 'baseline.burstCpuMsPerUpdate.baseline worker', 'baseline.burstCpuMsPerUpdate.temporal', 1)})` : '—'],
  ['timers pending at the first reminder', (r) => n(g(r, 'product.timersPendingAtFirstReminder'), 0)],
  // How densely the ladders fall: the deadlines' spread and the items whose deadline falls per second.
  ['deadlines spread over s (items due /s)', (r) => `${n(g(r, 'workload.spreadSec'), 0)} (${n((g(r, 'product.itemsPlanned') as number) / (g(r, 'workload.spreadSec') as number), 1)})`],
  ['reminder lag p50 / p99 ms', (r) => pair(r, 'product.reminderLagMs.p50', 'product.reminderLagMs.p99')],
  ['baseline timer lag p50 / p99 ms (its deadlines within 30 s)', (r) => pair(r, 'baseline.timerLagMs.p50', 'baseline.timerLagMs.p99')],
  ['CPU ms per item in the ladders, worker / Temporal (baseline)', (r) => {
    const items = g(r, 'product.itemsPlanned') as number;
    const f = (path: string) => ((g(r, path) as number | undefined) ?? NaN) * 1000 / items;
    return g(r, 'product.cpuLadderSec') ? `${n(f('product.cpuLadderSec.worker'), 0)} / ${n(f('product.cpuLadderSec.temporal'), 0)} (${n(f('baseline.cpuLadderSec.baseline worker'), 0)} / ${n(f('baseline.cpuLadderSec.temporal'), 0)})` : '—';
  }],
  ['history events per unit, mean / max', (r) => pair(r, 'histories.unit.events.mean', 'histories.unit.events.max')],
  ['history events per item, mean / max', (r) => pair(r, 'histories.item.events.mean', 'histories.item.events.max')],
  ['history events per round, max', (r) => n(g(r, 'histories.round.events.max'), 0)],
  ['largest history (events)', (r) => n(g(r, 'histories.largest.events'), 0)],
  ['worker RSS idle / all pending / peak MB', (r) => `${n(g(r, 'memory.idleRssMb'), 0)} / ${n(g(r, 'memory.pendingRssMb'), 0)} / ${n(g(r, 'memory.peakRssMb'), 0)}`],
  ['worker RSS after GC: idle / all pending MB', (r) => pair(r, 'memory.afterGc.idleRssMb', 'memory.afterGc.pendingRssMb')],
  ['worker heap after GC: idle / all pending MB', (r) => pair(r, 'memory.afterGc.idleHeapUsedMb', 'memory.afterGc.pendingHeapUsedMb')],
  ['workflows cached (all pending)', (r) => n(g(r, 'memory.cachedAtPending'), 0)],
  ['MB per cached workflow: RSS no GC / RSS after GC / heap', (r) => `${n(g(r, 'memory.perCachedWorkflowNoGcMb') ?? g(r, 'memory.perCachedWorkflowMb'), 3)} / ${n(g(r, 'memory.perCachedWorkflowRssAfterGcMb'), 3)} / ${n(g(r, 'memory.perCachedWorkflowHeapMb'), 3)}`],
  ['Postgres rows / MB', (r) => `${n(g(r, 'product.postgresRowsTotal'), 0)} / ${n((g(r, 'product.postgresBytes') as number) / 2 ** 20, 0)}`],
  ['e-mails', (r) => n(g(r, 'product.mails'), 0)],
  ['wall time s', (r) => n(g(r, 'product.wallSec'), 0)],
  ['ratio ≥ 0.7 (Updates/s)', (r) => pass(r, 'throughput')],
  ['no history > 10,240 events', (r) => pass(r, 'no history')],
  ['≤ 1 MB per cached workflow', (r) => pass(r, '≤ 1 MB')],
  ['reminder lag p99 ≤ 5 s', (r) => pass(r, 'reminder lag')],
];
console.log(`| figure | ${runs.map((r) => `${r.preset} · ${r.target}`).join(' | ')} |`);
console.log(`|---|${runs.map(() => '---:').join('|')}|`);
for (const [label, f] of rows) console.log(`| ${label} | ${runs.map(f).join(' | ')} |`);
console.log(`\nfrom ${runs.map((r) => `bench/results/${r.file}`).join(', ')}`);
