// Durations in round policies are written the way an office writes them: "30 days",
// "15 working-days", "2 months", "-20 days" (before a deadline). Fixed-length units can be turned
// into milliseconds anywhere; calendar units (months, working days) only in an activity, because
// the statutory calendar (调休) is data that may change under a replayed workflow.
export const DURATION_PATTERN = /^([+-]?)(\d{1,5}) (second|minute|hour|day|working-day|month)s?$/;

export type DurationUnit = 'second' | 'minute' | 'hour' | 'day' | 'working-day' | 'month';
export interface ParsedDuration {
  sign: 1 | -1;
  amount: number;
  unit: DurationUnit;
}

export function parseDuration(spec: string): ParsedDuration {
  const m = DURATION_PATTERN.exec(spec.trim());
  if (!m) throw new Error(`invalid duration "${spec}": expected e.g. "30 days", "15 working-days", "2 months"`);
  return { sign: m[1] === '-' ? -1 : 1, amount: Number(m[2]), unit: m[3] as DurationUnit };
}

const FIXED_MS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Day-level durations ("20 days before") are dates: what they schedule goes out in office hours. */
export function isDayLevel(d: ParsedDuration): boolean {
  return d.unit === 'day' || d.unit === 'working-day' || d.unit === 'month';
}

/** True when the duration can be computed without a calendar. */
export function isFixed(d: ParsedDuration): boolean {
  return d.unit in FIXED_MS;
}

/** Milliseconds of a fixed-length duration (signed). Throws for calendar units. */
export function fixedMs(spec: string | ParsedDuration): number {
  const d = typeof spec === 'string' ? parseDuration(spec) : spec;
  const unitMs = FIXED_MS[d.unit];
  if (unitMs === undefined) throw new Error(`duration in ${d.unit}s needs the calendar activity`);
  return d.sign * d.amount * unitMs;
}
