// The benchmark's workload, pure and deterministic: a province-year of rounds, units and
// rectification items from a seeded generator, the bench-only round policy (seconds instead of
// days: the dev server cannot skip time), and the statistics the report prints.
// Nothing here touches Temporal, Postgres or SMTP (test/bench-workload.test.ts covers it).
import type { PlanItem } from '../src/domain/lifecycle';
import type { z } from 'zod';
import type { RoundPolicyInput } from '../src/domain/policy';
import type { RecordProblemInput } from '../src/domain/problem';
import type { RoundSetupInput } from '../src/domain/round';

export interface Preset {
  name: string;
  rounds: number;
  unitsPerRound: number;
  problemsPerUnit: number;
  /** Stationing in seconds: long enough for every unit's problems to be recorded while it lasts. */
  stationingSec: number;
}

/** The full province-year and its fractions; `small` is 1/20th, `midi` 1/50th; `mini` (1/100th) and `micro` (1/400th) are quick checks. */
export const PRESETS: Record<string, Preset> = {
  micro: { name: 'micro', rounds: 1, unitsPerRound: 5, problemsPerUnit: 20, stationingSec: 90 },
  mini: { name: 'mini', rounds: 1, unitsPerRound: 20, problemsPerUnit: 20, stationingSec: 120 },
  midi: { name: 'midi', rounds: 2, unitsPerRound: 20, problemsPerUnit: 20, stationingSec: 180 },
  small: { name: 'small', rounds: 5, unitsPerRound: 20, problemsPerUnit: 20, stationingSec: 240 },
  tenth: { name: 'tenth', rounds: 10, unitsPerRound: 20, problemsPerUnit: 20, stationingSec: 420 },
  // Stationing only has to outlast the starts and the problem burst (tenth: 10 s and 12 s).
  fifth: { name: 'fifth', rounds: 20, unitsPerRound: 20, problemsPerUnit: 20, stationingSec: 420 },
  // 2,000 unit starts (~90 s at tenth's rate) and 40,000 problems (~120 s) inside it, four times over.
  full: { name: 'full', rounds: 100, unitsPerRound: 20, problemsPerUnit: 20, stationingSec: 900 },
};

/** mulberry32: a tiny, fast, seedable PRNG; the same seed gives the same province-year. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What happens to an item, and when the driver acts (seconds relative to its deadline):
 * on time (closed after the yellow reminder), late to each rung of the ladder, or closed on time
 * and then reopened by the look-back (relapse) and closed again after the reopened 约谈.
 */
export type Fate = 'on-time' | 'late-red' | 'late-interview' | 'late-referral' | 'reopened';
export const FATE_SHARES: [Fate, number][] = [
  ['on-time', 0.55],
  ['late-red', 0.15],
  ['late-interview', 0.1],
  ['late-referral', 0.05],
  ['reopened', 0.15],
];
/** Seconds after the deadline at which the office closes an item of each fate (progress is reported 5 s before). */
export const CLOSE_AT: Record<Fate, number> = { 'on-time': -15, 'late-red': 10, 'late-interview': 30, 'late-referral': 50, reopened: -15 };
/** A reopened item is closed again this long after the look-back's findings (its 约谈 fires at +30 s). */
export const REOPEN_CLOSE_AFTER_SEC = 40;

/** The item ladder of the bench policy in seconds; the same steps, recipients and tasks as the default policy's days. */
export const ITEM_STEP_OFFSETS: Record<string, number> = { green: -60, yellow: -30, red: 0, urge: 0, interview: 20, referral: 40 };
export const REOPEN_DEADLINE_SEC = 60;

export function benchPolicy(p: Preset): z.input<typeof RoundPolicyInput> {
  return {
    preparation: '3 seconds',
    stationing: `${p.stationingSec} seconds`,
    // Far beyond any run: the unit-level ladder (深刻检查, 民主生活会) does not fire in the bench.
    rectificationReport: '12 hours',
    lookBackAfter: '5 seconds',
    reopenDeadline: `${REOPEN_DEADLINE_SEC} seconds`,
    itemTimeline: [
      { key: 'green', offset: '-60 seconds', template: 'reminder-green', to: ['responsible', 'claimer'] },
      { key: 'yellow', offset: '-30 seconds', template: 'reminder-yellow', to: ['responsible', 'leaderInCharge', 'claimer'] },
      { key: 'red', offset: '0 seconds', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
      { key: 'urge', offset: '0 seconds', template: 'urge', to: ['responsible', 'unitHead'] },
      {
        key: 'interview',
        offset: '20 seconds',
        template: 'interview',
        to: ['unitHead', 'leadingGroup'],
        task: { kind: 'interview', assignee: 'leadingGroup', dueIn: '5 working-days' },
      },
      {
        key: 'referral',
        offset: '40 seconds',
        template: 'discipline-referral',
        to: ['disciplineCommission'],
        task: { kind: 'accountability', assignee: 'disciplineCommission', dueIn: '1 month' },
      },
    ],
    reopenTimeline: [
      {
        key: 'interview',
        offset: '-30 seconds',
        template: 'interview',
        to: ['unitHead', 'leadingGroup'],
        task: { kind: 'interview', assignee: 'leadingGroup', dueIn: '5 working-days' },
      },
      { key: 'red', offset: '0 seconds', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
      { key: 'referral', offset: '0 seconds', template: 'discipline-referral', to: ['disciplineCommission'] },
    ],
  };
}

export interface ItemPlan {
  itemId: string;
  fate: Fate;
  /** Seconds after the common anchor T0 at which the deadline falls. */
  deadlineSec: number;
}
export interface UnitPlan {
  roundId: string;
  unitId: string;
  problems: RecordProblemInput[];
  items: ItemPlan[];
}
export interface Workload {
  runId: string;
  preset: Preset;
  seed: number;
  rounds: RoundSetupInput[];
  units: UnitPlan[];
  /** Seconds over which item deadlines are spread (so the notice rate limit is not what is measured). */
  spreadSec: number;
}

const CATEGORIES = ['party-leadership', 'party-building', 'strict-governance', 'finance', 'work-style', 'appointments', 'other'] as const;
const TITLES = ['领导干部违规公款吃喝', '“三重一大”事项未集体决策', '专项资金拨付滞后', '干部选拔程序不规范', '党组织生活会流于形式', '办公用房面积超标', '政府采购未按规定程序'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

export function pickFate(u: number): Fate {
  let acc = 0;
  for (const [fate, share] of FATE_SHARES) {
    acc += share;
    if (u < acc) return fate;
  }
  return FATE_SHARES[FATE_SHARES.length - 1]![0];
}

/**
 * Notice activities per item while the ladders run: its ladder steps (about 3 on average over the
 * fates) plus the 销号 task's notice to the office, the 约谈 and 问责 tasks' notices and the reopened
 * notice. Measured 4.8 at `small` (9,610 notice activities for 2,000 items, first reminder to the last
 * close); the spread used 3, the ladder steps alone, until 24 November, so the ladders ran at about
 * 64 % of the notice rate limit instead of the 40 % meant.
 */
export const NOTICES_PER_ITEM = 5;

/** Deadline spread: `noticesPerItem` notice activities per item at no more than 40% of the server's notice rate. */
export function spreadFor(items: number, noticeRatePerSec: number, noticesPerItem = NOTICES_PER_ITEM): number {
  return Math.max(60, Math.ceil((items * noticesPerItem) / (0.4 * noticeRatePerSec)));
}

export function generate(preset: Preset, seed: number, runId: string, noticeRatePerSec: number): Workload {
  const r = rng(seed);
  const rounds: RoundSetupInput[] = [];
  const units: UnitPlan[] = [];
  const items = preset.rounds * preset.unitsPerRound * preset.problemsPerUnit;
  const spreadSec = spreadFor(items, noticeRatePerSec);
  const person = (id: string, name: string) => ({ personId: id, name, email: `${id}@bench.example.cn` });
  for (let i = 1; i <= preset.rounds; i++) {
    const roundId = `${runId}-r${i}`;
    const c = (role: string, name: string) => person(`${role}-${roundId}`, name);
    const setupUnits: RoundSetupInput['units'] = [];
    for (let j = 1; j <= preset.unitsPerRound; j++) {
      const unitId = `${roundId}-u${j}`;
      setupUnits.push({
        unitId,
        name: `第${i}轮被巡察单位${j}`,
        sector: pick(r, ['municipal', 'town', 'village', 'soe', 'key-project', 'grassroots-station'] as const),
        head: person(`head-${unitId}`, '单位主要负责人'),
        partySecretary: person(`sec-${unitId}`, '单位党组书记'),
        leaderInCharge: person(`lead-${unitId}`, '分管领导'),
        group: { leader: person(`grp-${unitId}`, '巡察组组长'), phone: '0471-6000000', email: `grp-${unitId}@bench.example.cn`, mailbox: '巡察信箱' },
      });
      const problems: RecordProblemInput[] = [];
      const plans: ItemPlan[] = [];
      for (let k = 1; k <= preset.problemsPerUnit; k++) {
        const problemId = `p${k}`;
        problems.push({
          problemId,
          category: pick(r, CATEGORIES),
          title: `${pick(r, TITLES)}（${k}）`,
          facts: '个别谈话和查阅资料发现，详见问题底稿。',
          evidence: ['谈话记录', '会议纪要复印件'],
          recordedBy: `grp-${unitId}`,
        });
        plans.push({ itemId: problemId, fate: pickFate(r()), deadlineSec: Math.round(r() * spreadSec) });
      }
      units.push({ roundId, unitId, problems, items: plans });
    }
    rounds.push({
      roundId,
      name: `基准测试第${i}轮巡察`,
      kind: 'regular',
      contacts: {
        office: c('office', '巡察办主任'),
        disciplineCommission: c('jiwei', '纪委监委'),
        leadingGroup: c('lg', '领导小组'),
        organisationDept: c('zzb', '组织部'),
        supervisionGroup: c('ducha', '督查组'),
        petitionsOffice: c('xf', '信访局'),
        auditOffice: c('sj', '审计局'),
      },
      units: setupUnits,
      policy: benchPolicy(preset),
    });
  }
  return { runId, preset, seed, rounds, units, spreadSec };
}

/** The plan a unit head files: deadlines at T0 (ms) + the item's offset + the green reminder's lead. */
export function planItems(u: UnitPlan, t0Ms: number): PlanItem[] {
  const lead = -ITEM_STEP_OFFSETS.green! * 1000;
  return u.items.map((it) => ({
    problemId: it.itemId,
    measures: '制定整改措施，明确责任人和时限。',
    responsible: { personId: `resp-${u.unitId}-${it.itemId}`, name: '整改责任人', email: `resp-${u.unitId}-${it.itemId}@bench.example.cn` },
    deadline: new Date(t0Ms + lead + it.deadlineSec * 1000).toISOString(),
    kind: 'time-limited',
  }));
}

export function counts(w: Workload): { rounds: number; units: number; items: number; byFate: Record<Fate, number> } {
  const byFate = Object.fromEntries(FATE_SHARES.map(([f]) => [f, 0])) as Record<Fate, number>;
  for (const u of w.units) for (const it of u.items) byFate[it.fate]++;
  return { rounds: w.rounds.length, units: w.units.length, items: w.units.reduce((n, u) => n + u.items.length, 0), byFate };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; undefined for none. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (p < 0 || p > 100 || Number.isNaN(p)) throw new Error(`percentile: p must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function summary(values: number[]): { n: number; p50?: number; p99?: number; max?: number; mean?: number } {
  if (values.length === 0) return { n: 0 };
  return {
    n: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.reduce((a, b) => Math.max(a, b), -Infinity),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

/** A notice key of a first-run item timeline step: `round/<r>/unit/<u>/item/<i>:v1:<step>:<personId>`. */
export function parseStepKey(key: string): { roundId: string; unitId: string; itemId: string; step: string } | undefined {
  const m = /^round\/([^/]+)\/unit\/([^/]+)\/item\/([^/:#]+):v1:([a-z-]+):[^:]+$/.exec(key);
  if (!m || !(m[4]! in ITEM_STEP_OFFSETS)) return undefined;
  return { roundId: m[1]!, unitId: m[2]!, itemId: m[3]!, step: m[4]! };
}
