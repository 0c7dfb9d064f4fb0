import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';

/** One append-only audit row for a write that is not a workflow event (notices, pools, groups). */
export interface AuditRow {
  /** Unique per change: writing the same change twice adds nothing. */
  eventKey: string;
  eventType: string;
  roundId?: string | null;
  unitId?: string | null;
  entity: string;
  entityId: string;
  actor: string;
  /** What changed. */
  details: Record<string, unknown>;
  confidentialUntil?: string | null;
}

const AUDIT_COLUMNS = 'event_key, event_type, round_id, unit_id, entity, entity_id, actor, occurred_at, details, confidential_until';

export async function appendAudit(c: { query: PoolClient['query'] }, a: AuditRow): Promise<void> {
  await c.query(
    `INSERT INTO audit_log (${AUDIT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8, $9) ON CONFLICT (event_key) DO NOTHING`,
    [a.eventKey, a.eventType, a.roundId ?? null, a.unitId ?? null, a.entity, a.entityId, a.actor, JSON.stringify(a.details), a.confidentialUntil ?? null],
  );
}

/**
 * The audit row of a change made in the same statement, as a data-modifying WITH clause: `rows`
 * names the changed rows (a CTE with round_id, unit_id and confidential_until), and the audit row is
 * written for each of them, in the change's own commit. Parameters are numbered from `first`.
 */
export function auditWith(
  rows: string,
  a: Omit<AuditRow, 'roundId' | 'unitId' | 'confidentialUntil'>,
  first: number,
): { sql: string; params: unknown[] } {
  const p = (i: number) => `$${first + i}`;
  return {
    sql: `INSERT INTO audit_log (${AUDIT_COLUMNS})
          SELECT ${p(0)}, ${p(1)}, round_id, unit_id, ${p(2)}, ${p(3)}, ${p(4)}, now(), ${p(5)}::jsonb, confidential_until FROM ${rows}
          ON CONFLICT (event_key) DO NOTHING`,
    params: [a.eventKey, a.eventType, a.entity, a.entityId, a.actor, JSON.stringify(a.details)],
  };
}

/** A short stable digest of a change, for event keys of writes that may be repeated with new content. */
export const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);
