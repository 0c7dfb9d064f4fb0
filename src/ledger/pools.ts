import type { Pool } from 'pg';
import { z } from 'zod';
import { PoolMember, type Proposal } from '../domain/groups';
import { appendAudit, digest } from './audit';
import { withTransaction } from './pool';

/** Upsert pool members (and their people rows) keyed by person id: running twice changes nothing. */
export async function savePool(pool: Pool, members: z.input<typeof PoolMember>[], actor = 'system'): Promise<void> {
  await withTransaction(pool, async (c) => {
    for (const raw of members) {
      const m = PoolMember.parse(raw);
      await appendAudit(c, { eventKey: `pool:${m.personId}:${digest(m)}`, eventType: 'pool.member-saved', entity: 'pool-member', entityId: m.personId, actor, details: { ...m } });
      await c.query(
        `INSERT INTO people (person_id, name, unit_id, roles) VALUES ($1, $2, $3, ARRAY[$4]) ON CONFLICT (person_id) DO UPDATE SET name = EXCLUDED.name`,
        [m.personId, m.name, m.currentUnitId ?? null, m.pool === 'leader' ? 'leaderPool' : 'talentPool'],
      );
      await c.query(
        `INSERT INTO pool_members (person_id, pool, expertise, home_county, current_unit_id, former_unit_ids, available) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (person_id) DO UPDATE SET pool = EXCLUDED.pool, expertise = EXCLUDED.expertise, home_county = EXCLUDED.home_county,
           current_unit_id = EXCLUDED.current_unit_id, former_unit_ids = EXCLUDED.former_unit_ids, available = EXCLUDED.available, updated_at = now()`,
        [m.personId, m.pool, m.expertise, m.homeCounty, m.currentUnitId ?? null, m.formerUnitIds, m.available],
      );
      await c.query('DELETE FROM pool_relations WHERE person_id = $1', [m.personId]);
      for (const r of m.relations) await c.query('INSERT INTO pool_relations (person_id, unit_id, relation) VALUES ($1, $2, $3)', [m.personId, r.unitId, r.relation]);
    }
  });
}

/** The pools as the formation reads them, parsed with zod. */
export async function loadPool(pool: Pool): Promise<PoolMember[]> {
  const { rows } = await pool.query(
    `SELECT m.person_id AS "personId", p.name, m.pool, m.expertise, m.home_county AS "homeCounty", m.current_unit_id AS "currentUnitId",
            m.former_unit_ids AS "formerUnitIds", m.available,
            COALESCE((SELECT json_agg(json_build_object('unitId', r.unit_id, 'relation', r.relation) ORDER BY r.unit_id) FROM pool_relations r WHERE r.person_id = m.person_id), '[]') AS relations
       FROM pool_members m JOIN people p ON p.person_id = m.person_id ORDER BY m.person_id`,
  );
  return rows.map((r) => PoolMember.parse({ ...r, currentUnitId: r.currentUnitId ?? undefined }));
}

/** The office accepts the (possibly swapped) proposal: one group per unit, idempotent. */
export async function acceptGroups(pool: Pool, roundId: string, proposal: Proposal, acceptedBy: string): Promise<void> {
  await withTransaction(pool, async (c) => {
    for (const g of proposal.groups) {
      const groupId = `group-${g.unitId}`;
      await appendAudit(c, {
        eventKey: `groups:${roundId}:${groupId}:${digest(g)}`,
        eventType: 'group.accepted',
        roundId,
        unitId: g.unitId,
        entity: 'inspection-group',
        entityId: groupId,
        actor: acceptedBy,
        details: { leader: g.leader?.personId, members: g.members.map((m) => m.personId) },
      });
      await c.query(
        `INSERT INTO inspection_groups (round_id, group_id, unit_ids, state, proposal, accepted_by, accepted_at) VALUES ($1, $2, $3, 'accepted', $4, $5, now())
         ON CONFLICT (round_id, group_id) DO UPDATE SET proposal = EXCLUDED.proposal, state = 'accepted', accepted_by = EXCLUDED.accepted_by`,
        [roundId, groupId, [g.unitId], JSON.stringify(g), acceptedBy],
      );
      await c.query('DELETE FROM group_members WHERE round_id = $1 AND group_id = $2', [roundId, groupId]);
      const people = [...(g.leader ? [{ ...g.leader, role: 'leader' }] : []), ...g.members.map((m) => ({ ...m, role: 'member' }))];
      for (const m of people) {
        await c.query('INSERT INTO group_members (round_id, group_id, person_id, role, reasons) VALUES ($1, $2, $3, $4, $5)', [
          roundId,
          groupId,
          m.personId,
          m.role,
          JSON.stringify(m.reasons),
        ]);
      }
    }
  });
}
