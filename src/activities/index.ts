import type { Pool } from 'pg';
import type { Config } from '../config';
import type { LedgerEvent } from '../domain/events';
import { applyEvent } from '../ledger/events';
import { addDuration, nextMonthlyMorning, nextOfficeTime, officeMorningOnOrBefore, shanghaiDate } from './calendar';
import { unitStatistics } from '../ledger/stats';
import { rectificationRate } from '../domain/rate';
import { isDayLevel, parseDuration } from '../domain/duration';
import { inTimeOrder } from '../domain/schedule';
import type { Mailer } from './mailer';
import { createNoticeActivities } from './notices';

export type { NoticeRequest, NoticeResult } from './notices';

/** Activities on the workflow task queue: the ledger and the calendar. */
export function createLedgerActivities(deps: { pool: Pool }) {
  return {
    async recordEvent(event: LedgerEvent): Promise<{ applied: boolean }> {
      return applyEvent(deps.pool, event);
    },
    async addDuration(req: { from: string; duration: string }): Promise<string> {
      return addDuration(req.from, req.duration);
    },
    async nextMonthlyMorning(req: { from: string; day: number }): Promise<string> {
      return nextMonthlyMorning(req.from, req.day);
    },
    /** 微督报: the digest lines (rate per unit, overdue items, escalations) as of a moment. */
    async roundDigest(req: { roundId: string; asOf: string }): Promise<{ month: string; asOf: string; lines: string }> {
      const units = await unitStatistics(deps.pool, req.roundId);
      const lines = units.map((u) => {
        const rate = rectificationRate(u.items_closed, u.items);
        return `${u.unit_name}：整改率${rate.label}（${u.items_closed}/${u.items}），逾期${u.items_overdue}项，升级处置${u.escalations}次`;
      });
      const date = shanghaiDate(Date.parse(req.asOf));
      return { month: date.slice(0, 7), asOf: date, lines: lines.join('\n') || '暂无整改事项。' };
    },
    /**
     * When each step of an item's timeline falls: its offset from the deadline. A step at the same
     * instant as the step before it in time says so (`withPrevious`), and fires with it.
     */
    async scheduleTimeline(req: { deadline: string; steps: { key: string; offset: string }[] }): Promise<{ key: string; at: string; withPrevious?: boolean }[]> {
      const schedule: { key: string; at: string; withPrevious?: boolean }[] = req.steps.map((s) => {
        const at = addDuration(req.deadline, s.offset);
        const d = parseDuration(s.offset);
        if (!isDayLevel(d)) return { key: s.key, at };
        // Day-level steps go out in office hours on a working day; reminders never later than due.
        return { key: s.key, at: d.sign < 0 ? officeMorningOnOrBefore(at) : nextOfficeTime(at) };
      });
      inTimeOrder(schedule).forEach((s, k, inTime) => {
        if (k > 0 && Date.parse(s.at) === Date.parse(inTime[k - 1]!.at)) schedule[s.i]!.withPrevious = true;
      });
      return schedule;
    },
  };
}

export { createNoticeActivities };

export function createActivities(deps: { pool: Pool; mailer: Mailer; config: Config }) {
  return { ...createLedgerActivities(deps), ...createNoticeActivities(deps) };
}
export type Activities = ReturnType<typeof createActivities>;
