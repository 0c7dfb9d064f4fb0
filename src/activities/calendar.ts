import { findWorkday, isWorkday } from 'chinese-days';
import { parseDuration } from '../domain/duration';

// Calendar arithmetic lives in an activity: the statutory calendar (holidays and 调休 working
// weekends) is data that a package update may change, and a replayed workflow must not see that.

const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // Asia/Shanghai has no daylight saving time
const DAY_MS = 86_400_000;
export const OFFICE_OPENS_MIN = 9 * 60; // 09:00
export const OFFICE_CLOSES_MIN = 17 * 60 + 30; // 17:30

/** YYYY-MM-DD of an instant, in Asia/Shanghai. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}
/** The instant of a Shanghai wall-clock time on a date. */
function shanghaiInstant(date: string, minutes: number): number {
  return Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS + minutes * 60_000;
}
const endOfDay = (date: string) => shanghaiInstant(date, 24 * 60) - 1;

function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/**
 * `from` plus a policy duration. Minutes, hours and days are exact; months and working days are
 * deadlines and end at 23:59:59.999 Shanghai time on the day they land on.
 */
export function addDuration(fromIso: string, spec: string): string {
  const from = Date.parse(fromIso);
  if (Number.isNaN(from)) throw new Error(`invalid instant "${fromIso}"`);
  const d = parseDuration(spec);
  const n = d.sign * d.amount;
  switch (d.unit) {
    case 'second':
      return new Date(from + n * 1_000).toISOString();
    case 'minute':
      return new Date(from + n * 60_000).toISOString();
    case 'hour':
      return new Date(from + n * 3_600_000).toISOString();
    case 'day':
      return new Date(from + n * DAY_MS).toISOString();
    case 'month':
      return new Date(endOfDay(addMonths(shanghaiDate(from), n))).toISOString();
    case 'working-day':
      return new Date(endOfDay(n === 0 ? shanghaiDate(from) : findWorkday(n, shanghaiDate(from)))).toISOString();
  }
}

/** The first moment at or after `iso` that falls in office hours on a statutory working day. */
export function nextOfficeTime(iso: string): string {
  const t = Date.parse(iso);
  let date = shanghaiDate(t);
  const minutes = Math.floor((t + SHANGHAI_OFFSET_MS - Date.parse(`${date}T00:00:00Z`)) / 60_000);
  if (isWorkday(date) && minutes >= OFFICE_OPENS_MIN && minutes < OFFICE_CLOSES_MIN) return new Date(t).toISOString();
  if (!isWorkday(date) || minutes >= OFFICE_CLOSES_MIN) date = findWorkday(1, date);
  return new Date(shanghaiInstant(date, OFFICE_OPENS_MIN)).toISOString();
}

/**
 * The last 09:00 on a working day at or before the instant `iso`: a reminder due "20 days before" is
 * never late. Before 09:00 that is the previous working day's, not the same day's, which is still ahead.
 */
export function officeMorningOnOrBefore(iso: string): string {
  const t = Date.parse(iso);
  let date = shanghaiDate(t);
  if (!isWorkday(date) || shanghaiInstant(date, OFFICE_OPENS_MIN) > t) date = findWorkday(-1, date);
  return new Date(shanghaiInstant(date, OFFICE_OPENS_MIN)).toISOString();
}

/** 09:00 Shanghai on `day` of the first month whose such morning is after `fromIso` (微督报 day). */
export function nextMonthlyMorning(fromIso: string, day: number): string {
  const from = Date.parse(fromIso);
  const [y, m] = shanghaiDate(from).split('-').map(Number) as [number, number];
  for (let k = 0; k < 3; k++) {
    const date = new Date(Date.UTC(y, m - 1 + k, day)).toISOString().slice(0, 10);
    const at = shanghaiInstant(date, OFFICE_OPENS_MIN);
    if (at > from) return new Date(at).toISOString();
  }
  throw new Error('unreachable: a month always has the day');
}
