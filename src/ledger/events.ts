import type { Pool, PoolClient } from 'pg';
import type { LedgerEvent } from '../domain/events';
import type { Person } from '../domain/people';
import { roundWorkflowId, unitWorkflowId } from '../domain/ids';

async function upsertPerson(c: PoolClient, p: Person, role: string, unitId: string | null): Promise<void> {
  await c.query(
    `INSERT INTO people (person_id, name, post, unit_id, email, phone, roles)
     VALUES ($1, $2, $3, $4, $5, $6, ARRAY[$7])
     ON CONFLICT (person_id) DO UPDATE SET
       name = EXCLUDED.name, post = COALESCE(EXCLUDED.post, people.post),
       unit_id = COALESCE(EXCLUDED.unit_id, people.unit_id), email = EXCLUDED.email,
       phone = COALESCE(EXCLUDED.phone, people.phone),
       roles = (SELECT array_agg(DISTINCT r) FROM unnest(people.roles || EXCLUDED.roles) r),
       updated_at = now()`,
    [p.personId, p.name, p.post ?? null, unitId, p.email, p.phone ?? null, role],
  );
}

/** Where an event lands in the audit log: the entity it is about. */
function auditTarget(e: LedgerEvent): { roundId: string; unitId: string | null; entity: string; entityId: string } {
  switch (e.type) {
    case 'round.started':
      return { roundId: e.round.roundId, unitId: null, entity: 'round', entityId: e.round.roundId };
    case 'round.completed':
      return { roundId: e.roundId, unitId: null, entity: 'round', entityId: e.roundId };
    case 'unit.phase':
      return { roundId: e.roundId, unitId: e.unitId, entity: 'unit', entityId: e.unitId };
    case 'problem.recorded':
      return { roundId: e.roundId, unitId: e.unitId, entity: 'problem', entityId: e.problem.problemId };
    case 'item.issued':
    case 'item.step':
    case 'item.closed':
      return { roundId: e.roundId, unitId: e.unitId, entity: 'item', entityId: e.itemId };
  }
}

async function applyState(c: PoolClient, e: LedgerEvent): Promise<void> {
  switch (e.type) {
    case 'round.started': {
      const r = e.round;
      await c.query(
        `INSERT INTO rounds (round_id, name, kind, policy, phase, workflow_id, started_by, started_at)
         VALUES ($1, $2, $3, $4, 'running', $5, $6, $7) ON CONFLICT (round_id) DO NOTHING`,
        [r.roundId, r.name, r.kind, JSON.stringify(r.policy), roundWorkflowId(r.roundId), r.startedBy, e.at],
      );
      for (const [role, person] of Object.entries(r.contacts)) {
        if (!person) continue;
        await upsertPerson(c, person, role, null);
        await c.query(
          `INSERT INTO round_contacts (round_id, role, person_id) VALUES ($1, $2, $3)
           ON CONFLICT (round_id, role) DO UPDATE SET person_id = EXCLUDED.person_id`,
          [r.roundId, role, person.personId],
        );
      }
      for (const u of r.units) {
        await upsertPerson(c, u.head, 'unitHead', u.unitId);
        if (u.partySecretary) await upsertPerson(c, u.partySecretary, 'partySecretary', u.unitId);
        if (u.leaderInCharge) await upsertPerson(c, u.leaderInCharge, 'leaderInCharge', null);
        await c.query(
          `INSERT INTO units (unit_id, name, sector, head_person_id, party_secretary_person_id, leader_in_charge_person_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (unit_id) DO UPDATE SET name = EXCLUDED.name, sector = EXCLUDED.sector,
             head_person_id = EXCLUDED.head_person_id,
             party_secretary_person_id = EXCLUDED.party_secretary_person_id,
             leader_in_charge_person_id = EXCLUDED.leader_in_charge_person_id, updated_at = now()`,
          [u.unitId, u.name, u.sector, u.head.personId, u.partySecretary?.personId ?? null, u.leaderInCharge?.personId ?? null],
        );
        await c.query(
          `INSERT INTO round_units (round_id, unit_id, phase, workflow_id, updated_at) VALUES ($1, $2, 'preparation', $3, $4)
           ON CONFLICT (round_id, unit_id) DO NOTHING`,
          [r.roundId, u.unitId, unitWorkflowId(r.roundId, u.unitId), e.at],
        );
      }
      return;
    }
    case 'round.completed':
      await c.query(`UPDATE rounds SET phase = 'completed', completed_at = $2 WHERE round_id = $1`, [e.roundId, e.at]);
      return;
    case 'unit.phase':
      await c.query(`UPDATE round_units SET phase = $3, updated_at = $4 WHERE round_id = $1 AND unit_id = $2`, [
        e.roundId,
        e.unitId,
        e.phase,
        e.at,
      ]);
      return;
    case 'problem.recorded': {
      const p = e.problem;
      await c.query(
        `INSERT INTO problems (round_id, unit_id, problem_id, category, title, facts, evidence, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (round_id, unit_id, problem_id) DO NOTHING`,
        [e.roundId, e.unitId, p.problemId, p.category, p.title, p.facts, JSON.stringify(p.evidence), p.recordedBy, e.at],
      );
      return;
    }
    case 'item.issued':
      await c.query(
        `INSERT INTO rectification_items (round_id, unit_id, item_id, problem_id, title, deadline, state, workflow_id, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) ON CONFLICT (round_id, unit_id, item_id) DO NOTHING`,
        [e.roundId, e.unitId, e.itemId, e.problemId, e.title, e.deadline, e.workflowId, e.at],
      );
      return;
    case 'item.step':
      await c.query(`UPDATE rectification_items SET colour = $4 WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`, [
        e.roundId,
        e.unitId,
        e.itemId,
        e.colour,
      ]);
      return;
    case 'item.closed':
      await c.query(
        `UPDATE rectification_items SET state = 'closed', closed_at = $4, closed_by = $5, close_evidence = $6, close_note = $7
         WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`,
        [e.roundId, e.unitId, e.itemId, e.at, e.actor, JSON.stringify(e.evidence), e.note ?? null],
      );
      return;
  }
}

/**
 * Apply one workflow event to the ledger in one transaction: the audit row goes first and, if its
 * key is already there, the event was applied before and nothing else is written.
 */
export async function applyEvent(pool: Pool, e: LedgerEvent): Promise<{ applied: boolean }> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const t = auditTarget(e);
    const { eventKey, at, actor, type, ...details } = e;
    const ins = await c.query(
      `INSERT INTO audit_log (event_key, event_type, round_id, unit_id, entity, entity_id, actor, occurred_at, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_key) DO NOTHING`,
      [eventKey, type, t.roundId, t.unitId, t.entity, t.entityId, actor, at, JSON.stringify(details)],
    );
    if (ins.rowCount === 0) {
      await c.query('ROLLBACK');
      return { applied: false };
    }
    await applyState(c, e);
    await c.query('COMMIT');
    return { applied: true };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
