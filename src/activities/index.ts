import type { Pool } from 'pg';
import type { Config } from '../config';
import type { LedgerEvent } from '../domain/events';
import { applyEvent } from '../ledger/events';
import { addDuration, nextOfficeTime, officeMorningOnOrBefore } from './calendar';
import { isDayLevel, parseDuration } from '../domain/duration';
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
    /** When each step of an item's timeline falls: its offset from the deadline. */
    async scheduleTimeline(req: { deadline: string; steps: { key: string; offset: string }[] }): Promise<{ key: string; at: string }[]> {
      return req.steps.map((s) => {
        const at = addDuration(req.deadline, s.offset);
        const d = parseDuration(s.offset);
        if (!isDayLevel(d)) return { key: s.key, at };
        // Day-level steps go out in office hours on a working day; reminders never later than due.
        return { key: s.key, at: d.sign < 0 ? officeMorningOnOrBefore(at) : nextOfficeTime(at) };
      });
    },
  };
}

export { createNoticeActivities };

export function createActivities(deps: { pool: Pool; mailer: Mailer; config: Config }) {
  return { ...createLedgerActivities(deps), ...createNoticeActivities(deps) };
}
export type Activities = ReturnType<typeof createActivities>;
