// The benchmark's pure parts (bench/workload.ts): the seeded generator is deterministic and yields
// valid round set-ups, plans and policies; the percentile maths; the notice keys it measures lag on.
// The benchmark itself is not a test (npm run bench).
import { loadConfig } from '../src/config';
import { FileRectificationPlanInput } from '../src/domain/lifecycle';
import { withDefaults, RoundPolicy } from '../src/domain/policy';
import { RecordProblemInput } from '../src/domain/problem';
import { RoundSetup } from '../src/domain/round';
import { counts, FATE_SHARES, generate, parseStepKey, percentile, pickFate, planItems, PRESETS, rng, spreadFor, summary } from '../bench/workload';

describe('seeded generator', () => {
  test('the same seed gives the same province-year; another seed a different one', () => {
    const a = generate(PRESETS.small!, 42, 'bx', 100);
    const b = generate(PRESETS.small!, 42, 'bx', 100);
    const c = generate(PRESETS.small!, 43, 'bx', 100);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a.units.map((u) => u.items))).not.toBe(JSON.stringify(c.units.map((u) => u.items)));
  });

  test('sizes of each preset; full is the province-year of 100 rounds, 2,000 units, 40,000 items', () => {
    const full = counts(generate(PRESETS.full!, 1, 'bf', 100));
    expect(full).toMatchObject({ rounds: 100, units: 2000, items: 40_000 });
    expect(counts(generate(PRESETS.small!, 1, 'bs', 100))).toMatchObject({ rounds: 5, units: 100, items: 2000 });
    // Fates close to their shares over 40,000 draws.
    for (const [fate, share] of FATE_SHARES) expect(Math.abs(full.byFate[fate] / 40_000 - share)).toBeLessThan(0.01);
  });

  test('round set-ups, problems, plans and the bench policy pass the product schemas', () => {
    const w = generate(PRESETS.small!, 7, 'bv', 100);
    for (const r of w.rounds) expect(RoundSetup.safeParse(r).success).toBe(true);
    const policy = RoundPolicy.safeParse(withDefaults(w.rounds[0]!.policy as never));
    expect(policy.success).toBe(true);
    const u = w.units[0]!;
    for (const p of u.problems) expect(RecordProblemInput.safeParse(p).success).toBe(true);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const plan = FileRectificationPlanInput.parse({ by: 'head-x', items: planItems(u, t0) });
    // Every deadline is at least the green reminder's lead (60 s) after the anchor and inside the spread.
    for (const it of plan.items) {
      const d = Date.parse(it.deadline) - t0;
      expect(d).toBeGreaterThanOrEqual(60_000);
      expect(d).toBeLessThanOrEqual(60_000 + w.spreadSec * 1000);
    }
  });

  test('rng is uniform enough and in [0, 1)', () => {
    const r = rng(1);
    const xs = Array.from({ length: 10_000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 0.5)).toBeLessThan(0.02);
  });

  test('pickFate follows the cumulative shares; spread keeps notices under 40% of the rate', () => {
    expect(pickFate(0)).toBe('on-time');
    expect(pickFate(0.549)).toBe('on-time');
    expect(pickFate(0.55)).toBe('late-red');
    expect(pickFate(0.999)).toBe('reopened');
    expect(spreadFor(10, 100)).toBe(60);
    expect(spreadFor(40_000, 100)).toBe(5000);
    expect(spreadFor(40_000, 100, 3)).toBe(3000);
  });
});

describe('percentiles (nearest rank)', () => {
  test('known values', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
  });
  test('out-of-range p is refused', () => {
    expect(() => percentile([1], 101)).toThrow(/0\.\.100/);
    expect(() => percentile([1], -1)).toThrow(/0\.\.100/);
  });
  test('summary', () => {
    expect(summary([])).toEqual({ n: 0 });
    expect(summary([3, 1, 2])).toEqual({ n: 3, p50: 2, p99: 3, max: 3, mean: 2 });
  });
});

describe('notice keys', () => {
  test('first-run timeline steps are recognised; task notices, later runs and other notices are not', () => {
    expect(parseStepKey('round/b1-r1/unit/b1-r1-u2/item/p3:v1:yellow:lead-b1-r1-u2')).toEqual({ roundId: 'b1-r1', unitId: 'b1-r1-u2', itemId: 'p3', step: 'yellow' });
    expect(parseStepKey('round/b1-r1/unit/b1-r1-u2/item/p3:v1:interview:task:assigned:lg-b1-r1')).toBeUndefined();
    expect(parseStepKey('round/b1-r1/unit/b1-r1-u2/item/p3#2:v1:interview:lg-b1-r1')).toBeUndefined();
    expect(parseStepKey('round/b1-r1/unit/b1-r1-u2/item/p3:v2:red:head-x')).toBeUndefined();
    expect(parseStepKey('round/b1-r1/unit/b1-r1-u2:announcement:head-x')).toBeUndefined();
  });
});

describe('worker tuning knobs (src/config.ts)', () => {
  test('defaults (the SDK defaults unless measured otherwise); values are parsed', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 40, WORKER_MAX_CONCURRENT_ACTIVITIES: 100, WORKER_MAX_CONCURRENT_NOTICES: 100, WORKER_MAX_NOTICE_POLLS: 40, DATABASE_POOL_MAX: 10 });
    expect(c.WORKER_METRICS_ADDRESS).toBeUndefined();
    expect(loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: '20', DATABASE_POOL_MAX: '25', WORKER_METRICS_ADDRESS: '0.0.0.0:9464' })).toMatchObject({
      WORKER_MAX_CONCURRENT_ACTIVITIES: 20,
      DATABASE_POOL_MAX: 25,
      WORKER_METRICS_ADDRESS: '0.0.0.0:9464',
    });
  });
  test.each([
    ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1', /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS.*at least 2/],
    ['WORKER_MAX_CONCURRENT_ACTIVITIES', '0', /WORKER_MAX_CONCURRENT_ACTIVITIES/],
    ['WORKER_MAX_CONCURRENT_NOTICES', 'many', /WORKER_MAX_CONCURRENT_NOTICES/],
    ['WORKER_MAX_NOTICE_POLLS', '0', /WORKER_MAX_NOTICE_POLLS/],
    ['DATABASE_POOL_MAX', '1.5', /DATABASE_POOL_MAX/],
    ['WORKER_METRICS_ADDRESS', '9464', /WORKER_METRICS_ADDRESS.*host:port/],
  ])('%s=%s is refused naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
