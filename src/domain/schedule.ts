/**
 * A timeline schedule's entries in the order they fall: by time, then as the policy lists them. One
 * order for the activity that marks steps falling with the one before them and for the workflow that
 * fires them (src/activities/index.ts `scheduleTimeline`, src/workflows/common.ts `runTimeline`).
 */
export function inTimeOrder<T extends { at: string }>(schedule: readonly T[]): (T & { i: number })[] {
  return schedule.map((s, i) => ({ ...s, i })).sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.i - b.i);
}
