import type { Pool } from 'pg';
import { z } from 'zod';

export const InboxTask = z
  .object({
    task_id: z.string(),
    round_id: z.string(),
    unit_id: z.string().nullable(),
    item_id: z.string().nullable(),
    kind: z.string(),
    assignee_role: z.string(),
    assignee_id: z.string().nullable(),
    subject: z.string(),
    due_at: z.date(),
    state: z.enum(['open', 'done', 'cancelled']),
    workflow_id: z.string(),
    update_name: z.string(),
    last_rejection: z.string().nullable(),
    overdue: z.boolean(),
  })
  .transform((r) => ({
    taskId: r.task_id,
    roundId: r.round_id,
    unitId: r.unit_id,
    itemId: r.item_id,
    kind: r.kind,
    assigneeRole: r.assignee_role,
    assigneeId: r.assignee_id,
    subject: r.subject,
    dueAt: r.due_at.toISOString(),
    state: r.state,
    workflowId: r.workflow_id,
    updateName: r.update_name,
    lastRejection: r.last_rejection,
    overdue: r.overdue,
  }));
export type InboxTask = z.output<typeof InboxTask>;

const COLUMNS = `task_id, round_id, unit_id, item_id, kind, assignee_role, assignee_id, subject, due_at, state, workflow_id, update_name, last_rejection,
  (state = 'open' AND due_at < $2) AS overdue`;

/** A person's tasks (open by default), soonest due first, each flagged overdue against `now`. */
export async function tasksForPerson(pool: Pool, personId: string, now: Date, state: 'open' | 'all' = 'open'): Promise<InboxTask[]> {
  const { rows } = await pool.query(
    `SELECT ${COLUMNS} FROM task_inbox WHERE assignee_id = $1 AND ($3 = 'all' OR state = 'open')
       AND (confidential_until IS NULL OR confidential_until <= $2) ORDER BY due_at, task_id`,
    [personId, now, state],
  );
  return rows.map((r) => InboxTask.parse(r));
}

/** A role's tasks within a round (and optionally a unit), soonest due first. */
export async function tasksForRole(pool: Pool, q: { role: string; roundId: string; unitId?: string }, now: Date): Promise<InboxTask[]> {
  const { rows } = await pool.query(
    `SELECT ${COLUMNS} FROM task_inbox WHERE assignee_role = $1 AND round_id = $3 AND ($4::text IS NULL OR unit_id = $4) AND state = 'open'
     ORDER BY due_at, task_id`,
    [q.role, now, q.roundId, q.unitId ?? null],
  );
  return rows.map((r) => InboxTask.parse(r));
}

export async function taskById(pool: Pool, taskId: string, now: Date): Promise<InboxTask | undefined> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM task_inbox WHERE task_id = $1`, [taskId, now]);
  return rows[0] ? InboxTask.parse(rows[0]) : undefined;
}
