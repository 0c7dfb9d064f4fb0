import type { Pool } from 'pg';
import { auditWith } from './audit';
import { z } from 'zod';
import type { RecipientRole } from '../domain/people';

export const Recipient = z.object({
  role: z.string(),
  personId: z.string(),
  name: z.string(),
  email: z.string(),
});
export type Recipient = z.infer<typeof Recipient>;

const UNIT_ROLE_COLUMN: Partial<Record<RecipientRole, string>> = {
  unitHead: 'head_person_id',
  partySecretary: 'party_secretary_person_id',
  leaderInCharge: 'leader_in_charge_person_id',
};

/**
 * Resolve roles to people at send time (the directory may have changed since the round started).
 * One person holding two roles (书记 and 一把手 are often the same) gets one notice.
 */
export async function resolveRecipients(
  pool: Pool,
  q: { roundId: string; unitId?: string; itemId?: string; roles: RecipientRole[]; personIds?: string[] },
): Promise<{ recipients: Recipient[]; unresolved: RecipientRole[] }> {
  const out: Recipient[] = [];
  const unresolved: RecipientRole[] = [];
  if (q.personIds?.length) {
    const { rows } = await pool.query(
      `SELECT 'person' AS role, person_id AS "personId", name, email FROM people WHERE person_id = ANY($1) ORDER BY person_id`,
      [q.personIds],
    );
    for (const r of rows) out.push(Recipient.parse(r));
  }
  for (const role of q.roles) {
    let rows: unknown[] = [];
    const column = UNIT_ROLE_COLUMN[role];
    if (column && q.unitId) {
      ({ rows } = await pool.query(
        `SELECT $2::text AS role, p.person_id AS "personId", p.name, p.email
           FROM units u JOIN people p ON p.person_id = u.${column} WHERE u.unit_id = $1`,
        [q.unitId, role],
      ));
    } else if (role === 'inspectionGroup' && q.unitId) {
      ({ rows } = await pool.query(
        `SELECT 'inspectionGroup' AS role, p.person_id AS "personId", p.name, p.email
           FROM round_units ru JOIN people p ON p.person_id = ru.group_leader_person_id WHERE ru.round_id = $1 AND ru.unit_id = $2`,
        [q.roundId, q.unitId],
      ));
    } else if (role === 'claimer') {
      // 领办制: only once a leader has claimed the item.
      ({ rows } = await pool.query(
        `SELECT 'claimer' AS role, p.person_id AS "personId", p.name, p.email
           FROM rectification_items i JOIN people p ON p.person_id = i.claimed_by_person_id
          WHERE i.round_id = $1 AND i.unit_id = $2 AND i.item_id = $3`,
        [q.roundId, q.unitId ?? '', q.itemId ?? ''],
      ));
      if (rows.length === 0) continue; // nobody claimed it: not a missing recipient
    } else if (role === 'responsible' && q.unitId) {
      // The person named in the rectification plan; until there is one, the unit head.
      ({ rows } = await pool.query(
        `SELECT 'responsible' AS role, p.person_id AS "personId", p.name, p.email
           FROM units u
           LEFT JOIN rectification_items i ON i.round_id = $1 AND i.unit_id = u.unit_id AND i.item_id = $3
           JOIN people p ON p.person_id = COALESCE(i.responsible_person_id, u.head_person_id)
          WHERE u.unit_id = $2`,
        [q.roundId, q.unitId, q.itemId ?? ''],
      ));
    } else {
      ({ rows } = await pool.query(
        `SELECT c.role, p.person_id AS "personId", p.name, p.email
           FROM round_contacts c JOIN people p ON p.person_id = c.person_id WHERE c.round_id = $1 AND c.role = $2`,
        [q.roundId, role],
      ));
    }
    if (rows.length === 0) unresolved.push(role);
    for (const r of rows) {
      const rec = Recipient.parse(r);
      if (!out.some((o) => o.personId === rec.personId)) out.push(rec);
    }
  }
  return { recipients: out, unresolved };
}

export async function noticeNames(pool: Pool, roundId: string, unitId?: string): Promise<{ roundName: string; unitName: string }> {
  const { rows } = await pool.query(
    `SELECT r.name AS "roundName", COALESCE(u.name, '') AS "unitName"
       FROM rounds r LEFT JOIN units u ON u.unit_id = $2 WHERE r.round_id = $1`,
    [roundId, unitId ?? null],
  );
  return z.object({ roundName: z.string(), unitName: z.string() }).parse(rows[0] ?? { roundName: roundId, unitName: unitId ?? '' });
}

export const NoticeRow = z.object({
  idempotency_key: z.string(),
  state: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  recipient_email: z.string(),
  subject: z.string(),
  template: z.string(),
  sent_at: z.date().nullable(),
  provider_message_id: z.string().nullable(),
  last_error: z.string().nullable(),
});
export type NoticeRow = z.infer<typeof NoticeRow>;

/**
 * Record the notice before sending and count the send attempt, in one statement: a new row is
 * written pending (with its audit entry, in the same commit); a pending row found (a retry) has
 * its attempts counted. Returns the stored row, which may say it was sent or failed already (then
 * nothing is changed).
 */
export async function recordNotice(
  pool: Pool,
  n: {
    key: string;
    roundId: string;
    unitId?: string;
    itemId?: string;
    template: string;
    recipient: Recipient;
    subject: string;
    confidentialUntil?: string;
    /** The facts the template was rendered with, kept for printing (migration 008). */
    context?: Record<string, unknown>;
  },
): Promise<NoticeRow> {
  const audit = auditWith(
    'ins WHERE inserted',
    {
      ...noticeAudit(n.key, 'notice.recorded'),
      details: { state: 'pending', template: n.template, recipientRole: n.recipient.role, recipientPersonId: n.recipient.personId, itemId: n.itemId },
    },
    12,
  );
  const { rows } = await pool.query(
    `WITH ins AS (
       INSERT INTO notices (idempotency_key, round_id, unit_id, item_id, template, recipient_person_id, recipient_role,
                            recipient_email, subject, state, confidential_until, context, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, 1)
       ON CONFLICT (idempotency_key) DO UPDATE SET attempts = notices.attempts + 1 WHERE notices.state = 'pending'
       RETURNING *, (xmax = 0) AS inserted
     ), audit AS (${audit.sql})
     SELECT * FROM ins`,
    [
      n.key,
      n.roundId,
      n.unitId ?? null,
      n.itemId ?? null,
      n.template,
      n.recipient.personId,
      n.recipient.role,
      n.recipient.email,
      n.subject,
      n.confidentialUntil ?? null,
      n.context ? JSON.stringify(n.context) : null,
      ...audit.params,
    ],
  );
  if (rows[0]) return NoticeRow.parse(rows[0]);
  // Sent or failed already (or written by a concurrent attempt this statement's snapshot missed).
  const found = await pool.query('SELECT * FROM notices WHERE idempotency_key = $1', [n.key]);
  return NoticeRow.parse(found.rows[0]);
}

/** Mark sent, and audit it, in one statement. */
export async function markSent(pool: Pool, key: string, providerMessageId: string): Promise<void> {
  const audit = auditWith('upd', { ...noticeAudit(key, 'notice.sent'), details: { state: 'sent', providerMessageId } }, 3);
  await pool.query(
    `WITH upd AS (
       UPDATE notices SET state = 'sent', sent_at = now(), provider_message_id = $2, last_error = NULL WHERE idempotency_key = $1
       RETURNING round_id, unit_id, confidential_until
     ) ${audit.sql}`,
    [key, providerMessageId, ...audit.params],
  );
}
/** A transient error stays on the row (last_error, attempts); a permanent one is a state change and is audited. */
export async function markError(pool: Pool, key: string, error: string, permanent: boolean): Promise<void> {
  if (!permanent) {
    await pool.query('UPDATE notices SET last_error = $2 WHERE idempotency_key = $1', [key, error.slice(0, 1000)]);
    return;
  }
  const audit = auditWith('upd', { ...noticeAudit(key, 'notice.failed'), details: { state: 'failed', error: error.slice(0, 300) } }, 3);
  await pool.query(
    `WITH upd AS (
       UPDATE notices SET last_error = $2, state = 'failed' WHERE idempotency_key = $1 RETURNING round_id, unit_id, confidential_until
     ) ${audit.sql}`,
    [key, error.slice(0, 1000), ...audit.params],
  );
}

const noticeAudit = (key: string, eventType: string) => ({
  eventKey: `notice:${key}:${eventType.replace('notice.', '')}`,
  eventType,
  entity: 'notice',
  entityId: key,
  actor: 'system',
});
