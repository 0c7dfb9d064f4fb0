// Cache size (工作流缓存). Two costs pull against each other (README "Scale", "Every task walks the
// cache"):
// - Too small: a task for a workflow not in a full cache evicts one, and the evicted workflow replays
//   its whole history at its next task. When the workflows that take tasks within minutes of each
//   other (the units and rounds, woken by every item, and the items in their ladders) do not fit,
//   nearly every task replays: `full` with 2,000 cached fell behind that way.
// - Too large: after every input to the SDK core's workflow stream (a task, a completion, a local
//   activity's result) it walks the list of every cached run, on one thread for the whole process, so
//   every task of the process costs more with every workflow cached: ~0.12 ms of that thread per task
//   per 1,000 cached with a bare workflow (`npm run bench:cache`), and `full` with 30,000 cached fell
//   behind that way.
// Items have their own worker and cache (WORKER_MAX_CACHED_ITEMS), so their churn does not evict the
// units and rounds, and each cache's walk is its own. So the worker says when a cache is full
// (repeated at most hourly while it stays full), and at start when one is configured past
// CACHE_SIZE_WARN_ABOVE.

/** Past this many cached workflows per process, every workflow task pays noticeably for the cache. */
export const CACHE_SIZE_WARN_ABOVE = 5000;

/** The variable that sizes a cache: one for xuncha-rounds, one for xuncha-items. */
export type CacheSetting = 'WORKER_MAX_CACHED_WORKFLOWS' | 'WORKER_MAX_CACHED_ITEMS';

/** The start-up warning for a cache configured past CACHE_SIZE_WARN_ABOVE, if it is. */
export function cacheSizeWarning(max: number, name: CacheSetting = 'WORKER_MAX_CACHED_WORKFLOWS'): string | undefined {
  if (max <= CACHE_SIZE_WARN_ABOVE) return undefined;
  return (
    `[worker] ${name}=${max} is past ${CACHE_SIZE_WARN_ABOVE}: the SDK core walks every workflow in this cache after each input to it, ` +
    'so every workflow task of this cache gets slower with its size. Add worker processes rather than cache (README "Tuning knobs").'
  );
}

export interface CacheStatusSource {
  getStatus(): { numCachedWorkflows: number };
}

export interface CacheWatchOptions {
  /** The cache's size in this process. */
  max: number;
  /** The variable that sets it (named in the warning). */
  name?: CacheSetting;
  /** How often the cache size is read. */
  everyMs?: number;
  /** Least time between two warnings while the cache stays full. */
  repeatMs?: number;
  warn?: (message: string) => void;
  now?: () => number;
}

/** One reading: warns when the cache is full, at most once per `repeatMs`. Returns the new last-warned time. */
export function checkCache(source: CacheStatusSource, o: CacheWatchOptions, lastWarnedAt: number | undefined): number | undefined {
  const now = (o.now ?? Date.now)();
  const cached = source.getStatus().numCachedWorkflows;
  if (o.max <= 0 || cached < o.max) return lastWarnedAt;
  if (lastWarnedAt !== undefined && now - lastWarnedAt < (o.repeatMs ?? 3_600_000)) return lastWarnedAt;
  (o.warn ?? ((m: string) => console.warn(m)))(
    `[worker] workflow cache full: ${cached} of ${o.name ?? 'WORKER_MAX_CACHED_WORKFLOWS'}=${o.max} cached, so every uncached workflow task evicts one, and the evicted workflow replays its history at its next task. ` +
      `If workflow tasks slow down, the workflows busy at the same time do not fit: raise it (up to ${CACHE_SIZE_WARN_ABOVE} per process) or add worker processes (README "Tuning knobs").`,
  );
  return now;
}

/** Reads the cache size every `everyMs` until stopped. */
export function watchCache(source: CacheStatusSource, o: CacheWatchOptions): () => void {
  let last: number | undefined;
  const timer = setInterval(() => {
    try {
      last = checkCache(source, o, last);
    } catch {
      // The worker is shutting down: nothing to watch.
    }
  }, o.everyMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
