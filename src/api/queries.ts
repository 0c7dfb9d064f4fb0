// Reads for the API, from the Postgres ledger. A unit head's reads run inside a transaction under
// the xuncha_unit_reader role (migration 005/006), so even a wrong query cannot reach petitions,
// informants, talks, clues, spot-check plans or the audit trail; inspection groups read informants
// under xuncha_informant_reader.
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../ledger/pool';
import type { Claims } from './auth';

export type Db = Pick<PoolClient, 'query'>;

/** Dates as ISO strings and numerics as numbers, so rows are JSON as the schemas describe them. */
export function plain<T extends Record<string, unknown>>(row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}
const all = async (db: Db, sql: string, params: unknown[]) => (await db.query(sql, params)).rows.map(plain);

/** Run `fn` as the database role that fits the caller. */
export function readAs<T>(pool: Pool, claims: Claims | undefined, fn: (db: Db) => Promise<T>, informants = false): Promise<T> {
  if (claims?.role === 'unitHead') {
    return withTransaction(pool, async (c) => {
      await c.query('SET LOCAL ROLE xuncha_unit_reader');
      return fn(c);
    });
  }
  if (informants) {
    return withTransaction(pool, async (c) => {
      await c.query('SET LOCAL ROLE xuncha_informant_reader');
      return fn(c);
    });
  }
  return fn(pool);
}

/** The units of a round an inspection group may see: its stationed unit(s). */
export async function groupUnits(pool: Pool, claims: Claims, roundId: string): Promise<string[]> {
  if (claims.scope.unitId) return [claims.scope.unitId];
  if (claims.scope.groupId) {
    const { rows } = await pool.query('SELECT unit_ids FROM inspection_groups WHERE round_id = $1 AND group_id = $2', [roundId, claims.scope.groupId]);
    return rows.flatMap((r: { unit_ids: string[] }) => r.unit_ids);
  }
  const { rows } = await pool.query('SELECT unit_id FROM round_units WHERE round_id = $1 AND group_leader_person_id = $2', [roundId, claims.sub]);
  return rows.map((r: { unit_id: string }) => r.unit_id);
}

/** null = every unit of the round; otherwise the only units the caller may see. */
export async function visibleUnits(pool: Pool, claims: Claims, roundId: string): Promise<string[] | null> {
  if (claims.role === 'unitHead') return claims.scope.roundId === roundId && claims.scope.unitId ? [claims.scope.unitId] : [];
  if (claims.role === 'inspectionGroup') return groupUnits(pool, claims, roundId);
  return null;
}

export async function listRounds(db: Db, roundId: string | null, units: string[] | null) {
  return all(
    db,
    `SELECT r.round_id, r.name, r.kind, r.phase, r.started_at, r.completed_at,
            count(us.unit_id)::int AS units, COALESCE(sum(us.items), 0)::int AS items, COALESCE(sum(us.items_closed), 0)::int AS items_closed,
            COALESCE(sum(us.items_overdue), 0)::int AS items_overdue,
            COALESCE(round(100.0 * sum(us.items_closed) / NULLIF(sum(us.items), 0), 2), 100)::float8 AS rate_percent
       FROM rounds r LEFT JOIN unit_statistics us ON us.round_id = r.round_id AND ($2::text[] IS NULL OR us.unit_id = ANY($2))
      WHERE ($1::text IS NULL OR r.round_id = $1)
      GROUP BY r.round_id ORDER BY r.started_at DESC, r.round_id`,
    [roundId, units],
  );
}

export async function roundDetail(db: Db, roundId: string, units: string[] | null, withContacts: boolean) {
  const [round] = await all(db, 'SELECT round_id, name, kind, phase, policy, started_at, completed_at FROM rounds WHERE round_id = $1', [roundId]);
  if (!round) return undefined;
  const unitRows = await all(
    db,
    `SELECT ru.unit_id, u.name, u.sector, ru.phase, ru.stationing_starts_at, ru.stationing_ends_at, ru.feedback_at, ru.plan_filed_at,
            ru.rectification_report_due, ru.rectification_report_at, ru.closed_at
       FROM round_units ru JOIN units u ON u.unit_id = ru.unit_id
      WHERE ru.round_id = $1 AND ($2::text[] IS NULL OR ru.unit_id = ANY($2)) ORDER BY ru.unit_id`,
    [roundId, units],
  );
  // Round contacts are the office's directory; the inspected unit reads through a role without it.
  const contacts = withContacts
    ? await all(db, 'SELECT rc.role, rc.person_id, p.name, p.post FROM round_contacts rc JOIN people p ON p.person_id = rc.person_id WHERE rc.round_id = $1 ORDER BY rc.role', [roundId])
    : [];
  return { ...round, units: unitRows, contacts };
}

export async function statistics(db: Db, roundId: string, units: string[] | null) {
  const unitStats = await all(db, 'SELECT * FROM unit_statistics WHERE round_id = $1 AND ($2::text[] IS NULL OR unit_id = ANY($2)) ORDER BY unit_id', [roundId, units]);
  const colours = await all(
    db,
    `SELECT unit_id, colour, count(*)::int AS items FROM rectification_items
      WHERE round_id = $1 AND state = 'open' AND ($2::text[] IS NULL OR unit_id = ANY($2)) GROUP BY unit_id, colour ORDER BY unit_id, colour`,
    [roundId, units],
  );
  const categories = await all(
    db,
    `SELECT category, sum(problems)::int AS problems FROM problem_categories WHERE round_id = $1 AND ($2::text[] IS NULL OR unit_id = ANY($2))
      GROUP BY category ORDER BY category`,
    [roundId, units],
  );
  const overTime = await all(
    db,
    `SELECT m.month, COALESCE(i.issued, 0)::int AS issued, COALESCE(c.closed, 0)::int AS closed FROM
       (SELECT to_char(date_trunc('month', issued_at), 'YYYY-MM') AS month FROM rectification_items WHERE round_id = $1 AND ($2::text[] IS NULL OR unit_id = ANY($2))
        UNION SELECT to_char(date_trunc('month', closed_at), 'YYYY-MM') FROM rectification_items WHERE round_id = $1 AND closed_at IS NOT NULL AND ($2::text[] IS NULL OR unit_id = ANY($2))) m
     LEFT JOIN (SELECT to_char(date_trunc('month', issued_at), 'YYYY-MM') AS month, count(*) AS issued FROM rectification_items
                 WHERE round_id = $1 AND ($2::text[] IS NULL OR unit_id = ANY($2)) GROUP BY 1) i ON i.month = m.month
     LEFT JOIN (SELECT to_char(date_trunc('month', closed_at), 'YYYY-MM') AS month, count(*) AS closed FROM rectification_items
                 WHERE round_id = $1 AND closed_at IS NOT NULL AND ($2::text[] IS NULL OR unit_id = ANY($2)) GROUP BY 1) c ON c.month = m.month
     ORDER BY m.month`,
    [roundId, units],
  );
  const num = (v: unknown) => Number(v ?? 0);
  const sum = (k: string) => unitStats.reduce((a, u) => a + num(u[k]), 0);
  const items = sum('items');
  const closed = sum('items_closed');
  return {
    round: {
      units: unitStats.length,
      items,
      itemsClosed: closed,
      itemsOverdue: sum('items_overdue'),
      escalations: sum('escalations'),
      ratePercent: items ? Math.round((10_000 * closed) / items) / 100 : 100,
    },
    units: unitStats.map((u) => ({
      unitId: String(u.unit_id),
      unitName: String(u.unit_name),
      sector: String(u.sector),
      phase: String(u.phase),
      items: num(u.items),
      itemsClosed: num(u.items_closed),
      itemsOverdue: num(u.items_overdue),
      escalations: num(u.escalations),
      ratePercent: num(u.rate_percent),
      colours: Object.fromEntries(colours.filter((c) => c.unit_id === u.unit_id).map((c) => [String(c.colour), num(c.items)])),
    })),
    categories: categories.map((c) => ({ category: String(c.category), problems: num(c.problems) })),
    overTime: overTime.map((o) => ({ month: String(o.month), issued: num(o.issued), closed: num(o.closed) })),
  };
}

export async function unitDetail(db: Db, roundId: string, unitId: string, unitHead: boolean) {
  const [unit] = await all(
    db,
    `SELECT ru.round_id, ru.unit_id, u.name, u.sector, ru.phase, ru.stationing_starts_at, ru.stationing_ends_at, ru.feedback_at, ru.plan_filed_at,
            ru.rectification_report_due, ru.rectification_report_at, ru.closed_at
       FROM round_units ru JOIN units u ON u.unit_id = ru.unit_id WHERE ru.round_id = $1 AND ru.unit_id = $2`,
    [roundId, unitId],
  );
  if (!unit) return undefined;
  const [plan] = await all(db, 'SELECT filed_by, filed_at, items FROM rectification_plans WHERE round_id = $1 AND unit_id = $2', [roundId, unitId]);
  const [selfExamination] = await all(db, 'SELECT submitted_by, submitted_at, text, decision, reason, decided_at FROM self_examinations WHERE round_id = $1 AND unit_id = $2', [roundId, unitId]);
  // The inspection report's working stages are the group's and the office's business, not the unit's.
  const [report] = unitHead ? [] : await all(db, 'SELECT stage, summary, submitted_at, approved_at, reviews FROM inspection_reports WHERE round_id = $1 AND unit_id = $2', [roundId, unitId]);
  const tasks = await all(
    db,
    `SELECT task_id, item_id, kind, assignee_role, subject, due_at, state FROM unit_visible_tasks
      WHERE round_id = $1 AND unit_id = $2 AND state = 'open' ORDER BY due_at, task_id`,
    [roundId, unitId],
  );
  return { ...unit, plan: plan ?? null, report: report ?? null, selfExamination: selfExamination ?? null, tasks };
}

export interface ItemFilter {
  unitId?: string;
  colour?: string;
  overdue?: boolean;
  status?: string;
}
const ITEM_COLUMNS = `i.round_id, i.unit_id, i.item_id, i.problem_id, i.title, i.kind, i.measures, i.deadline, i.state, i.colour, i.progress, i.overdue,
  i.responsible_person_id, p.name AS responsible_name, i.issued_at, i.closed_at, i.returned_count, i.reopened_count`;
export async function listItems(db: Db, roundId: string, units: string[] | null, f: ItemFilter) {
  return all(
    db,
    `SELECT ${ITEM_COLUMNS} FROM rectification_items i LEFT JOIN people p ON p.person_id = i.responsible_person_id
      WHERE i.round_id = $1 AND ($2::text[] IS NULL OR i.unit_id = ANY($2)) AND ($3::text IS NULL OR i.unit_id = $3)
        AND ($4::text IS NULL OR i.colour = $4) AND ($5::boolean IS NULL OR i.overdue = $5) AND ($6::text IS NULL OR i.state = $6)
      ORDER BY i.unit_id, i.deadline, i.item_id`,
    [roundId, units, f.unitId ?? null, f.colour ?? null, f.overdue ?? null, f.status ?? null],
  );
}

export async function itemDetail(db: Db, roundId: string, unitId: string, itemId: string) {
  const [item] = await all(
    db,
    `SELECT ${ITEM_COLUMNS} FROM rectification_items i LEFT JOIN people p ON p.person_id = i.responsible_person_id
      WHERE i.round_id = $1 AND i.unit_id = $2 AND i.item_id = $3`,
    [roundId, unitId, itemId],
  );
  if (!item) return undefined;
  const key = [roundId, unitId, itemId];
  const progress = await all(db, 'SELECT generation, seq, reported_by, status, note, evidence, results, reported_at FROM progress_reports WHERE round_id = $1 AND unit_id = $2 AND item_id = $3 ORDER BY generation, seq', key);
  const reconciliations = await all(db, 'SELECT generation, seq, decision, decided_by, evidence, reason, new_deadline, decided_at FROM reconciliations WHERE round_id = $1 AND unit_id = $2 AND item_id = $3 ORDER BY generation, seq', key);
  const evidenceFiles = await all(
    db,
    'SELECT evidence_id, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at FROM evidence_files WHERE round_id = $1 AND unit_id = $2 AND item_id = $3 ORDER BY uploaded_at, evidence_id',
    key,
  );
  return { ...item, progress, reconciliations, evidenceFiles };
}

export async function petitions(db: Db, roundId: string, units: string[] | null, withInformants: boolean) {
  return all(
    db,
    `SELECT p.unit_id, p.petition_id, p.received_via, p.content, p.anonymous, p.alleges_false_rectification_of, p.recorded_by, p.recorded_at
            ${withInformants ? ', i.name AS informant_name, i.phone AS informant_phone, i.email AS informant_email' : ''}
       FROM petitions p ${withInformants ? 'LEFT JOIN petition_informants i USING (round_id, unit_id, petition_id)' : ''}
      WHERE p.round_id = $1 AND ($2::text[] IS NULL OR p.unit_id = ANY($2)) ORDER BY p.recorded_at, p.petition_id`,
    [roundId, units],
  );
}

export const talks = (db: Db, roundId: string, units: string[] | null) =>
  all(db, 'SELECT unit_id, talk_id, interviewer, interviewee_name, interviewee_post, must_ask, notes, recorded_at FROM talks WHERE round_id = $1 AND ($2::text[] IS NULL OR unit_id = ANY($2)) ORDER BY recorded_at, talk_id', [roundId, units]);

export const problems = (db: Db, roundId: string, units: string[] | null) =>
  all(
    db,
    'SELECT unit_id, problem_id, category, title, facts, evidence, recorded_by, recorded_at, fixed_on_the_spot, fix_measures FROM problems WHERE round_id = $1 AND ($2::text[] IS NULL OR unit_id = ANY($2)) ORDER BY unit_id, problem_id',
    [roundId, units],
  );

export const clues = (db: Db, roundId: string | null) =>
  all(
    db,
    `SELECT round_id, unit_id, clue_id, transferred_to, summary, problem_id, supervised, transferred_by, transferred_at, report_back_due, state, overdue,
            outcome, case_opened, people_disciplined, reported_at FROM clue_transfers WHERE ($1::text IS NULL OR round_id = $1) ORDER BY report_back_due, clue_id`,
    [roundId],
  );

export const escalations = (db: Db, roundId: string | null) =>
  all(db, 'SELECT escalation_key, round_id, unit_id, item_id, step, detail, raised_at, state, decided_at, decision FROM escalations WHERE ($1::text IS NULL OR round_id = $1) ORDER BY raised_at, escalation_key', [roundId]);

export const lookBacks = (db: Db, roundId: string | null) =>
  all(db, 'SELECT round_id, unit_id, check_id, kind, recorded_by, findings, recorded_at FROM look_backs WHERE ($1::text IS NULL OR round_id = $1) ORDER BY recorded_at, check_id', [roundId]);

export const spotChecks = (db: Db, roundId: string | null) =>
  all(db, 'SELECT round_id, unit_id, spot_check_id, planned_by, visit_at, target, team, state, started_at FROM spot_checks WHERE ($1::text IS NULL OR round_id = $1) ORDER BY visit_at, spot_check_id', [roundId]);

const TASK_COLUMNS = `task_id, round_id, unit_id, item_id, kind, assignee_role, subject, due_at, state, update_name, last_rejection, (state = 'open' AND due_at < now()) AS overdue`;
/** My inbox: a unit head sees only its unit's visible tasks (never a spot check before the visit). */
export function myTasks(db: Db, claims: Claims) {
  if (claims.role === 'unitHead') {
    return all(
      db,
      `SELECT ${TASK_COLUMNS} FROM unit_visible_task_inbox WHERE assignee_id = $1 AND round_id = $2 AND unit_id = $3 AND state = 'open' ORDER BY due_at, task_id`,
      [claims.sub, claims.scope.roundId ?? '', claims.scope.unitId ?? ''],
    );
  }
  return all(
    db,
    `SELECT ${TASK_COLUMNS} FROM task_inbox WHERE assignee_id = $1 AND ($2::text IS NULL OR round_id = $2) AND state = 'open'
        AND (confidential_until IS NULL OR confidential_until <= now()) ORDER BY due_at, task_id`,
    [claims.sub, claims.scope.roundId ?? null],
  );
}

export const audit = (db: Db, roundId: string, since: string | null) =>
  all(
    db,
    `SELECT audit_id::text, event_type, round_id, unit_id, entity, entity_id, actor, occurred_at, details FROM audit_log
      WHERE round_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2) ORDER BY audit_id LIMIT 2000`,
    [roundId, since],
  );

export const groups = (db: Db, roundId: string) =>
  all(db, 'SELECT group_id, unit_ids, state, proposal, accepted_by, accepted_at FROM inspection_groups WHERE round_id = $1 ORDER BY group_id', [roundId]);

/** A task by id with what is needed to decide whether the caller may complete it. */
export async function taskForCompletion(db: Db, taskId: string) {
  const [t] = await all(db, 'SELECT task_id, round_id, unit_id, assignee_id, state, workflow_id, confidential_until FROM task_inbox WHERE task_id = $1', [taskId]);
  return t as { task_id: string; round_id: string; unit_id: string | null; assignee_id: string | null; state: string; workflow_id: string; confidential_until: string | null } | undefined;
}

/** The unit's own people, as notices name them: a unit sees only what was addressed to them. */
const UNIT_RECIPIENTS = ['unitHead', 'partySecretary', 'leaderInCharge', 'responsible'];
/** Never shown to a unit even when addressed to its people: internal-only templates. */
const UNIT_HIDDEN_TEMPLATES = ['spot-check-plan', 'clue-transfer', 'clue-reminder', 'clue-overdue', 'discipline-referral', 'info-request'];
/** $2 = the caller's units (null = all), $3 and $4 the lists above. */
const NOTICE_SCOPE = '($2::text[] IS NULL OR (n.unit_id = ANY($2) AND n.recipient_role = ANY($3) AND NOT n.template = ANY($4)))';

/**
 * A round's notices, newest first, never a spot-check plan before the visit and no addresses. The
 * office (units = null) sees all; the unit only those addressed to its own people.
 */
export const notices = (db: Db, roundId: string, units: string[] | null) =>
  all(
    db,
    `SELECT n.notice_id::text AS notice_id, n.unit_id, n.item_id, n.template, n.recipient_role, n.subject, n.state, n.sent_at FROM unit_visible_notices n
      WHERE n.round_id = $1 AND ${NOTICE_SCOPE} ORDER BY n.notice_id DESC LIMIT 500`,
    [roundId, units, UNIT_RECIPIENTS, UNIT_HIDDEN_TEMPLATES],
  );

/** One notice under the same rules as the list (for printing): undefined when the caller may not see it. */
export async function visibleNotice(db: Db, noticeId: string, scope: { roundId?: string; units: string[] | null }) {
  const [n] = await all(
    db,
    `SELECT n.notice_id::text, n.round_id, n.unit_id FROM unit_visible_notices n
      WHERE n.notice_id = $1 AND ($5::text IS NULL OR n.round_id = $5) AND ${NOTICE_SCOPE}`,
    [noticeId, scope.units, UNIT_RECIPIENTS, UNIT_HIDDEN_TEMPLATES, scope.roundId ?? null],
  );
  return n as { notice_id: string; round_id: string | null; unit_id: string | null } | undefined;
}
