// The worker's cache-pressure warning (src/workers/cache-watch.ts), read from a real workflow worker
// on the time-skipping server: silent while the cache has room, a warning naming the knob once it is
// full, not repeated within the repeat interval, repeated after it; and the start-up warning for a
// cache configured past the size where every workflow task pays for it.
import { XunchaClient } from '../src/client/xuncha-client';
import { roundWorkflowId } from '../src/domain/ids';
import { CACHE_SIZE_WARN_ABOVE, cacheSizeWarning, checkCache } from '../src/workers/cache-watch';
import { eventually, harness, realWorkers, sampleRound, stripEmails, timeSkippingEnv, uid } from './support/helpers';

test('a full workflow cache is reported once per repeat interval, naming WORKER_MAX_CACHED_WORKFLOWS', async () => {
  const env = await timeSkippingEnv();
  const h = harness({ WORKER_MAX_CACHED_WORKFLOWS: '1' });
  try {
    const w = await realWorkers(h, env.nativeConnection);
    const warnings: string[] = [];
    let now = 1_000_000;
    const o = { max: h.config.WORKER_MAX_CACHED_WORKFLOWS, repeatMs: 60_000, warn: (m: string) => warnings.push(m), now: () => now };
    await w.runUntil(async () => {
      // Nothing cached yet: no warning.
      expect(checkCache(w.workflowWorker, o, undefined)).toBeUndefined();
      expect(warnings).toEqual([]);
      const roundId = uid('cache');
      await new XunchaClient(env.client).startRound(stripEmails(sampleRound(roundId)), 'office-wang');
      await eventually(async () => w.workflowWorker.getStatus().numCachedWorkflows >= 1);
      const first = checkCache(w.workflowWorker, o, undefined);
      expect(first).toBe(now);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('WORKER_MAX_CACHED_WORKFLOWS=1');
      now += 30_000;
      expect(checkCache(w.workflowWorker, o, first)).toBe(first);
      expect(warnings).toHaveLength(1);
      now += 31_000;
      expect(checkCache(w.workflowWorker, o, first)).toBe(now);
      expect(warnings).toHaveLength(2);
      await env.client.workflow.getHandle(roundWorkflowId(roundId)).terminate('test over');
    });
  } finally {
    await h.close();
    await env.teardown();
  }
});

test('a cache of size 0 (every workflow evicted after its task) is never reported', () => {
  const warnings: string[] = [];
  expect(checkCache({ getStatus: () => ({ numCachedWorkflows: 0 }) }, { max: 0, warn: (m) => warnings.push(m) }, undefined)).toBeUndefined();
  expect(warnings).toEqual([]);
});

test('a cache configured past the size where every task pays for it is reported at start, naming the knob and the limit', () => {
  expect(cacheSizeWarning(2000)).toBeUndefined();
  expect(cacheSizeWarning(CACHE_SIZE_WARN_ABOVE)).toBeUndefined();
  const w = cacheSizeWarning(CACHE_SIZE_WARN_ABOVE + 1);
  expect(w).toContain(`WORKER_MAX_CACHED_WORKFLOWS=${CACHE_SIZE_WARN_ABOVE + 1}`);
  expect(w).toContain(`past ${CACHE_SIZE_WARN_ABOVE}`);
  // The items' cache is its own, and its warning names its own knob.
  expect(cacheSizeWarning(CACHE_SIZE_WARN_ABOVE, 'WORKER_MAX_CACHED_ITEMS')).toBeUndefined();
  expect(cacheSizeWarning(CACHE_SIZE_WARN_ABOVE + 7, 'WORKER_MAX_CACHED_ITEMS')).toContain(`WORKER_MAX_CACHED_ITEMS=${CACHE_SIZE_WARN_ABOVE + 7}`);
});

test('a full item cache names WORKER_MAX_CACHED_ITEMS', () => {
  const warnings: string[] = [];
  const o = { max: 3, name: 'WORKER_MAX_CACHED_ITEMS' as const, warn: (m: string) => warnings.push(m), now: () => 5 };
  expect(checkCache({ getStatus: () => ({ numCachedWorkflows: 2 }) }, o, undefined)).toBeUndefined();
  expect(checkCache({ getStatus: () => ({ numCachedWorkflows: 3 }) }, o, undefined)).toBe(5);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('3 of WORKER_MAX_CACHED_ITEMS=3 cached');
});
