import type { Pool, PoolClient } from 'pg';
import type { LedgerEvent } from '../domain/events';
import { roundWorkflowId, unitWorkflowId } from '../domain/ids';
import type { Person } from '../domain/people';

type Q = PoolClient['query'];

export async function upsertPerson(c: { query: Q }, p: Person, role: string | null, unitId: string | null): Promise<void> {
  await c.query(
    `INSERT INTO people (person_id, name, post, unit_id, email, phone, roles)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::text IS NULL THEN '{}'::text[] ELSE ARRAY[$7::text] END)
     ON CONFLICT (person_id) DO UPDATE SET
       name = EXCLUDED.name, post = COALESCE(EXCLUDED.post, people.post),
       unit_id = COALESCE(EXCLUDED.unit_id, people.unit_id), email = EXCLUDED.email,
       phone = COALESCE(EXCLUDED.phone, people.phone),
       roles = (SELECT COALESCE(array_agg(DISTINCT r), '{}') FROM unnest(people.roles || EXCLUDED.roles) r),
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
    case 'round.bulletin':
      return { roundId: e.roundId, unitId: null, entity: 'round', entityId: e.roundId };
    case 'task.opened':
      return { roundId: e.task.roundId, unitId: e.task.unitId ?? null, entity: 'task', entityId: e.task.taskId };
    case 'task.closed':
    case 'task.rejected':
      return { roundId: e.roundId, unitId: e.unitId ?? null, entity: 'task', entityId: e.taskId };
    case 'letter.sent':
      return { roundId: e.roundId, unitId: null, entity: 'letter', entityId: e.letter.letterId };
    case 'letter.overdue':
    case 'letter.answered':
      return { roundId: e.roundId, unitId: null, entity: 'letter', entityId: e.letterId };
    case 'item.issued':
      return { roundId: e.roundId, unitId: e.unitId, entity: 'item', entityId: e.itemId };
    default: {
      const id =
        'itemId' in e && e.itemId
          ? { entity: 'item', entityId: e.itemId }
          : 'clueId' in e
            ? { entity: 'clue', entityId: e.clueId }
            : { entity: 'unit', entityId: e.unitId };
      return { roundId: e.roundId, unitId: e.unitId, ...id };
    }
  }
}

async function applyState(c: PoolClient, e: LedgerEvent): Promise<void> {
  const q = (sql: string, params: unknown[]) => c.query(sql, params);
  const j = (v: unknown) => JSON.stringify(v);
  switch (e.type) {
    case 'round.started': {
      const r = e.round;
      await q(
        `INSERT INTO rounds (round_id, name, kind, policy, phase, workflow_id, started_by, started_at)
         VALUES ($1, $2, $3, $4, 'running', $5, $6, $7) ON CONFLICT (round_id) DO NOTHING`,
        [r.roundId, r.name, r.kind, j(r.policy), roundWorkflowId(r.roundId), r.startedBy, e.at],
      );
      for (const [role, person] of Object.entries(r.contacts)) {
        if (!person) continue;
        await upsertPerson(c, person, role, null);
        await q(
          `INSERT INTO round_contacts (round_id, role, person_id) VALUES ($1, $2, $3)
           ON CONFLICT (round_id, role) DO UPDATE SET person_id = EXCLUDED.person_id`,
          [r.roundId, role, person.personId],
        );
      }
      for (const u of r.units) {
        await upsertPerson(c, u.head, 'unitHead', u.unitId);
        if (u.partySecretary) await upsertPerson(c, u.partySecretary, 'partySecretary', u.unitId);
        if (u.leaderInCharge) await upsertPerson(c, u.leaderInCharge, 'leaderInCharge', null);
        if (u.group) await upsertPerson(c, u.group.leader, 'inspectionGroup', null);
        await q(
          `INSERT INTO units (unit_id, name, sector, head_person_id, party_secretary_person_id, leader_in_charge_person_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (unit_id) DO UPDATE SET name = EXCLUDED.name, sector = EXCLUDED.sector,
             head_person_id = EXCLUDED.head_person_id,
             party_secretary_person_id = EXCLUDED.party_secretary_person_id,
             leader_in_charge_person_id = EXCLUDED.leader_in_charge_person_id, updated_at = now()`,
          [u.unitId, u.name, u.sector, u.head.personId, u.partySecretary?.personId ?? null, u.leaderInCharge?.personId ?? null],
        );
        await q(
          `INSERT INTO round_units (round_id, unit_id, phase, workflow_id, updated_at, group_leader_person_id, group_phone, group_email, group_mailbox)
           VALUES ($1, $2, 'preparation', $3, $4, $5, $6, $7, $8) ON CONFLICT (round_id, unit_id) DO NOTHING`,
          [r.roundId, u.unitId, unitWorkflowId(r.roundId, u.unitId), e.at, u.group?.leader.personId ?? null, u.group?.phone ?? null, u.group?.email ?? null, u.group?.mailbox ?? null],
        );
        await q(`INSERT INTO inspection_reports (round_id, unit_id, stage) VALUES ($1, $2, 'draft') ON CONFLICT DO NOTHING`, [r.roundId, u.unitId]);
      }
      return;
    }
    case 'round.completed':
      await q(`UPDATE rounds SET phase = 'completed', completed_at = $2 WHERE round_id = $1`, [e.roundId, e.at]);
      return;
    case 'round.bulletin':
      return;
    case 'unit.phase': {
      const t = e.timestamps ?? {};
      await q(
        `UPDATE round_units SET phase = $3, updated_at = $4,
           stationing_starts_at = COALESCE($5, stationing_starts_at), stationing_ends_at = COALESCE($6, stationing_ends_at),
           feedback_at = COALESCE($7, feedback_at), rectification_report_due = COALESCE($8, rectification_report_due),
           closed_at = COALESCE($9, closed_at)
         WHERE round_id = $1 AND unit_id = $2`,
        [e.roundId, e.unitId, e.phase, e.at, t.stationingStartsAt ?? null, t.stationingEndsAt ?? null, t.feedbackAt ?? null, t.rectificationReportDue ?? null, t.closedAt ?? null],
      );
      return;
    }
    case 'task.opened': {
      const t = e.task;
      await q(
        `INSERT INTO tasks (task_id, round_id, unit_id, item_id, kind, assignee_role, assignee_person_id, subject, due_at, state,
                            workflow_id, update_name, created_at, confidential_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12, $13) ON CONFLICT (task_id) DO NOTHING`,
        [t.taskId, t.roundId, t.unitId ?? null, t.itemId ?? null, t.kind, t.assigneeRole, t.assigneePersonId ?? null, t.subject, t.dueAt, t.workflowId, t.updateName, e.at, t.confidentialUntil ?? null],
      );
      return;
    }
    case 'task.closed':
      await q(`UPDATE tasks SET state = $2, closed_at = $3, closed_by = $4, outcome = $5 WHERE task_id = $1 AND state = 'open'`, [
        e.taskId,
        e.state,
        e.at,
        e.actor,
        e.outcome ?? null,
      ]);
      return;
    case 'task.rejected':
      await q(`UPDATE tasks SET last_rejection = $2 WHERE task_id = $1`, [e.taskId, e.reason]);
      return;
    case 'talk.recorded': {
      const t = e.talk;
      await q(
        `INSERT INTO talks (round_id, unit_id, talk_id, interviewer, interviewee_name, interviewee_post, must_ask, notes, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, t.talkId, t.by, t.interviewee.name, t.interviewee.post, j(t.mustAsk), t.notes ?? null, e.at],
      );
      return;
    }
    case 'file-check.recorded':
      await q(
        `INSERT INTO file_checks (round_id, unit_id, check_id, checked_by, must_see, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, e.check.checkId, e.check.by, j(e.check.mustSee), e.at],
      );
      return;
    case 'questionnaire.recorded': {
      const x = e.questionnaire;
      await q(
        `INSERT INTO questionnaires (round_id, unit_id, questionnaire_id, recorded_by, distributed, returned, summary, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, x.questionnaireId, x.by, x.distributed, x.returned, x.summary, e.at],
      );
      return;
    }
    case 'petition.recorded': {
      const p = e.petition;
      await q(
        `INSERT INTO petitions (round_id, unit_id, petition_id, received_via, content, anonymous, alleges_false_rectification_of, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, p.petitionId, p.receivedVia, p.content, !p.informant, j(p.allegesFalseRectificationOf ?? []), p.by, e.at],
      );
      if (p.informant) {
        await q(
          `INSERT INTO petition_informants (round_id, unit_id, petition_id, name, phone, email) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          [e.roundId, e.unitId, p.petitionId, p.informant.name, p.informant.phone ?? null, p.informant.email ?? null],
        );
      }
      return;
    }
    case 'problem.recorded': {
      const p = e.problem;
      await q(
        `INSERT INTO problems (round_id, unit_id, problem_id, category, title, facts, evidence, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (round_id, unit_id, problem_id) DO NOTHING`,
        [e.roundId, e.unitId, p.problemId, p.category, p.title, p.facts, j(p.evidence), p.recordedBy, e.at],
      );
      return;
    }
    case 'problem.fixed-on-the-spot':
      await q(`UPDATE problems SET fixed_on_the_spot = true, fix_measures = $4, fix_evidence = $5 WHERE round_id = $1 AND unit_id = $2 AND problem_id = $3`, [
        e.roundId,
        e.unitId,
        e.fix.problemId,
        e.fix.measures,
        j(e.fix.evidence),
      ]);
      return;
    case 'clue.transferred': {
      const cl = e.clue;
      await q(
        `INSERT INTO clue_transfers (round_id, unit_id, clue_id, transferred_to, summary, problem_id, supervised, transferred_by, transferred_at, report_back_due, state, workflow_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, cl.clueId, cl.to, cl.summary, cl.problemId ?? null, cl.supervised, cl.by, e.at, e.reportBackDue, e.workflowId],
      );
      return;
    }
    case 'clue.overdue':
      await q(`UPDATE clue_transfers SET overdue = true WHERE round_id = $1 AND unit_id = $2 AND clue_id = $3`, [e.roundId, e.unitId, e.clueId]);
      return;
    case 'clue.reported-back': {
      const o = e.outcome;
      await q(
        `UPDATE clue_transfers SET state = 'reported', outcome = $4, case_opened = $5, people_disciplined = $6, reported_at = $7, reported_by = $8
         WHERE round_id = $1 AND unit_id = $2 AND clue_id = $3`,
        [e.roundId, e.unitId, e.clueId, o.outcome, o.caseOpened, o.peopleDisciplined, e.at, o.by],
      );
      return;
    }
    case 'report.submitted':
      await q(`UPDATE inspection_reports SET stage = 'office', summary = $3, submitted_at = $4, submitted_by = $5 WHERE round_id = $1 AND unit_id = $2`, [
        e.roundId,
        e.unitId,
        e.summary,
        e.at,
        e.actor,
      ]);
      return;
    case 'report.reviewed':
      await q(
        `UPDATE inspection_reports SET stage = $3, reviews = reviews || $4::jsonb,
           approved_at = CASE WHEN $3 = 'approved' THEN $5::timestamptz ELSE approved_at END
         WHERE round_id = $1 AND unit_id = $2`,
        [e.roundId, e.unitId, e.nextStage, j([{ stage: e.stage, decision: e.decision, reason: e.reason ?? null, by: e.actor, at: e.at }]), e.at],
      );
      return;
    case 'feedback.held':
      await q(`UPDATE round_units SET feedback_at = $3 WHERE round_id = $1 AND unit_id = $2`, [e.roundId, e.unitId, e.at]);
      return;
    case 'plan.filed':
      await q(`INSERT INTO rectification_plans (round_id, unit_id, filed_by, filed_at, items) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
        e.roundId,
        e.unitId,
        e.plan.by,
        e.at,
        j(e.plan.items),
      ]);
      await q(`UPDATE round_units SET plan_filed_at = $3 WHERE round_id = $1 AND unit_id = $2`, [e.roundId, e.unitId, e.at]);
      for (const it of e.plan.items) await upsertPerson(c, it.responsible, 'responsible', e.unitId);
      return;
    case 'rectification-report.submitted':
      await q(`UPDATE round_units SET rectification_report_at = $3 WHERE round_id = $1 AND unit_id = $2`, [e.roundId, e.unitId, e.at]);
      return;
    case 'item.issued':
      await upsertPerson(c, e.responsible, 'responsible', e.unitId);
      await q(
        `INSERT INTO rectification_items (round_id, unit_id, item_id, problem_id, title, deadline, responsible_person_id, state, workflow_id, issued_at, kind, measures)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11) ON CONFLICT (round_id, unit_id, item_id) DO NOTHING`,
        [e.roundId, e.unitId, e.itemId, e.problemId, e.title, e.deadline, e.responsible.personId, e.workflowId, e.at, e.kind, e.measures],
      );
      return;
    case 'item.step':
      await q(`UPDATE rectification_items SET colour = $4 WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`, [e.roundId, e.unitId, e.itemId, e.colour]);
      return;
    case 'item.overdue':
      await q(`UPDATE rectification_items SET overdue = $4 WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`, [e.roundId, e.unitId, e.itemId, e.overdue]);
      return;
    case 'item.progress': {
      const r = e.results;
      await q(
        `INSERT INTO progress_reports (round_id, unit_id, item_id, generation, seq, reported_by, status, note, evidence, results, reported_at)
         VALUES ($1, $2, $3, $11, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, e.itemId, e.seq, e.actor, e.status, e.note, j(e.evidence), r ? j(r) : null, e.at, e.generation],
      );
      await q(
        `UPDATE rectification_items SET progress = $4,
           rules_made = rules_made + $5, losses_recovered_yuan = losses_recovered_yuan + $6,
           people_held_accountable = people_held_accountable + $7, similar_cases_fixed = similar_cases_fixed + $8
         WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`,
        [e.roundId, e.unitId, e.itemId, e.status, r?.rulesMade ?? 0, r?.lossesRecoveredYuan ?? 0, r?.peopleHeldAccountable ?? 0, r?.similarCasesFixed ?? 0],
      );
      return;
    }
    case 'item.claimed':
      await upsertPerson(c, e.leader, 'leaderInCharge', null);
      await q(`UPDATE rectification_items SET claimed_by_person_id = $4 WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`, [
        e.roundId,
        e.unitId,
        e.itemId,
        e.leader.personId,
      ]);
      return;
    case 'item.reconciled':
      await q(
        `INSERT INTO reconciliations (round_id, unit_id, item_id, generation, seq, decision, decided_by, evidence, reason, new_deadline, decided_at)
         VALUES ($1, $2, $3, $11, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, e.itemId, e.seq, e.decision, e.actor, j(e.evidence), e.reason ?? null, e.newDeadline ?? null, e.at, e.generation],
      );
      if (e.decision === 'close') {
        await q(
          `UPDATE rectification_items SET state = 'closed', overdue = false, closed_at = $4, closed_by = $5, close_evidence = $6, close_note = $7
           WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`,
          [e.roundId, e.unitId, e.itemId, e.at, e.actor, j(e.evidence), e.reason ?? null],
        );
      } else {
        await q(
          `UPDATE rectification_items SET deadline = $4, progress = 'not-done', overdue = false, colour = 'none', returned_count = returned_count + 1
           WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`,
          [e.roundId, e.unitId, e.itemId, e.newDeadline],
        );
      }
      return;
    case 'item.reopened':
      await q(
        `UPDATE rectification_items SET state = 'open', deadline = $4, progress = 'not-done', overdue = false, colour = 'none',
           closed_at = NULL, reopened_count = reopened_count + 1 WHERE round_id = $1 AND unit_id = $2 AND item_id = $3`,
        [e.roundId, e.unitId, e.itemId, e.deadline],
      );
      return;
    case 'escalation':
      await q(
        `INSERT INTO escalations (escalation_key, round_id, unit_id, item_id, step, detail, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING`,
        [e.escalationKey, e.roundId, e.unitId, e.itemId ?? null, e.step, j(e.detail), e.at],
      );
      return;
    case 'self-examination.submitted':
      await q(
        `INSERT INTO self_examinations (round_id, unit_id, submitted_by, submitted_at, text) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (round_id, unit_id) DO UPDATE SET submitted_by = EXCLUDED.submitted_by, submitted_at = EXCLUDED.submitted_at, text = EXCLUDED.text`,
        [e.roundId, e.unitId, e.actor, e.at, e.text],
      );
      return;
    case 'self-examination.reviewed':
      await q(`UPDATE self_examinations SET decision = $3, decided_by = $4, reason = $5, decided_at = $6 WHERE round_id = $1 AND unit_id = $2`, [
        e.roundId,
        e.unitId,
        e.decision,
        e.actor,
        e.reason ?? null,
        e.at,
      ]);
      return;
    case 'findings.recorded':
      await q(
        `INSERT INTO look_backs (round_id, unit_id, check_id, kind, recorded_by, findings, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, e.findings.checkId, e.kind, e.actor, j(e.findings.findings), e.at],
      );
      return;
    case 'spot-check.planned': {
      const s = e.spotCheck;
      await q(
        `INSERT INTO spot_checks (round_id, unit_id, spot_check_id, planned_by, visit_at, target, team, state, confidential_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned', $5) ON CONFLICT DO NOTHING`,
        [e.roundId, e.unitId, s.spotCheckId, s.by, s.visitAt, s.target, j(s.team)],
      );
      return;
    }
    case 'spot-check.started':
      await q(`UPDATE spot_checks SET state = 'started', started_at = $4 WHERE round_id = $1 AND unit_id = $2 AND spot_check_id = $3`, [
        e.roundId,
        e.unitId,
        e.spotCheckId,
        e.at,
      ]);
      return;
    case 'results.published':
      await q(`INSERT INTO disclosures (round_id, unit_id, published_by, published_at, summary, withheld) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [
        e.roundId,
        e.unitId,
        e.actor,
        e.at,
        e.publication.summary,
        j(e.publication.withheld),
      ]);
      return;
    case 'letter.sent': {
      const l = e.letter;
      await upsertPerson(c, l.department.contact, 'functionalDept', null);
      await q(
        `INSERT INTO common_issue_letters (round_id, letter_id, department, contact_person_id, subject, problems, sent_by, sent_at, deadline, state, workflow_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10) ON CONFLICT DO NOTHING`,
        [e.roundId, l.letterId, l.department.name, l.department.contact.personId, l.subject, j(l.problems), l.by, e.at, l.deadline, e.workflowId],
      );
      return;
    }
    case 'letter.overdue':
      await q(`UPDATE common_issue_letters SET overdue = true WHERE round_id = $1 AND letter_id = $2`, [e.roundId, e.letterId]);
      return;
    case 'letter.answered':
      await q(`UPDATE common_issue_letters SET state = 'answered', measures = $3, answered_at = $4, answered_by = $5 WHERE round_id = $1 AND letter_id = $2`, [
        e.roundId,
        e.letterId,
        e.measures,
        e.at,
        e.actor,
      ]);
      return;
  }
}

/**
 * What an event sets when its payload names only the subject: the audit row states the change
 * itself, so every row says what changed, not just what it is about.
 */
function impliedChange(e: LedgerEvent): Record<string, unknown> | undefined {
  switch (e.type) {
    case 'round.completed':
      return { phase: 'completed', completedAt: e.at };
    case 'feedback.held':
      return { feedbackAt: e.at };
    case 'clue.overdue':
    case 'letter.overdue':
      return { overdue: true };
    case 'spot-check.started':
      return { state: 'started', startedAt: e.at };
    default:
      return undefined;
  }
}

/** The audit row keeps what changed, minus what must never be copied around (an informant's identity). */
export function auditDetails(e: LedgerEvent): Record<string, unknown> {
  const { eventKey: _k, at: _a, actor: _ac, type: _t, confidentialUntil: _c, ...details } = e;
  const changed = impliedChange(e);
  if (changed) return { ...details, changed };
  if (e.type === 'petition.recorded') {
    const { informant: _i, ...petition } = e.petition;
    return { ...details, petition: { ...petition, informant: e.petition.informant ? '(recorded apart)' : undefined } };
  }
  return details;
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
    const ins = await c.query(
      `INSERT INTO audit_log (event_key, event_type, round_id, unit_id, entity, entity_id, actor, occurred_at, details, confidential_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_key) DO NOTHING`,
      [e.eventKey, e.type, t.roundId, t.unitId, t.entity, t.entityId, e.actor, e.at, JSON.stringify(auditDetails(e)), e.confidentialUntil ?? null],
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
