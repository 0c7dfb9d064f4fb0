// Cache pressure (工作流缓存): a worker whose sticky cache is full evicts a workflow for every
// uncached one it serves. Rare evictions are cheap (an evicted workflow replays its short history),
// but the benchmark's full province-year with half its 42,100 workflows cached showed what a burst
// does: unit and round workflow tasks waited 10–25 s in the worker, past the 10 s workflow task
// timeout, the slots filled with them and the backlog grew without bound, while smaller full caches
// did not (README "Scale"). So the worker says so when its cache is full, naming the knob, and
// again while it stays full.

export interface CacheStatusSource {
  getStatus(): { numCachedWorkflows: number };
}

export interface CacheWatchOptions {
  /** WORKER_MAX_CACHED_WORKFLOWS of this process. */
  max: number;
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
    `[worker] workflow cache full: ${cached} of WORKER_MAX_CACHED_WORKFLOWS=${o.max} cached, so every uncached workflow task evicts one. ` +
      'A large full cache under a burst of deadlines stalled unit and round tasks in the benchmark: hold every open workflow across the worker processes, or keep each cache small and add processes (README "Tuning knobs").',
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
