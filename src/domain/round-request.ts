// What the office sends to set up a round — through the API (POST /api/rounds), the console's
// wizard and `xuncha round create` alike: the round set-up plus the inspection groups it accepted.
import { z } from 'zod';
import { AcceptedGroup } from './groups';
import { ROUND_SETUP_SHAPE, uniqueUnitIds, type RoundSetupInput } from './round';

export const RoundRequest = z
  .strictObject({ ...ROUND_SETUP_SHAPE, groups: z.array(AcceptedGroup).max(500).optional() })
  .superRefine((r, ctx) => {
    uniqueUnitIds(r, ctx);
    const grouped = new Set<string>();
    const placed = new Map<string, string>();
    (r.groups ?? []).forEach((g, i) => {
      const unit = r.units.find((u) => u.unitId === g.unitId);
      if (!unit) ctx.addIssue({ code: 'custom', path: ['groups', i, 'unitId'], message: `no unit "${g.unitId}" in this round (本轮无此单位)` });
      if (grouped.has(g.unitId)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'unitId'], message: `duplicate group for unit "${g.unitId}" (一个单位只设一个巡察组)` });
      grouped.add(g.unitId);
      const named = unit?.group?.leader.personId;
      if (named && named !== g.leader.personId) {
        ctx.addIssue({ code: 'custom', path: ['groups', i, 'leader', 'personId'], message: `must be the group leader named for the unit ("${named}")` });
      }
      [['leader'] as (string | number)[], ...g.members.map((_, k) => ['members', k])].forEach((rest) => {
        const p = rest[0] === 'leader' ? g.leader : g.members[rest[1] as number]!;
        const other = placed.get(p.personId);
        if (other !== undefined) ctx.addIssue({ code: 'custom', path: ['groups', i, ...rest, 'personId'], message: `already-assigned: "${p.personId}" is already in the group for "${other}" (同一轮次不得兼任)` });
        placed.set(p.personId, g.unitId);
      });
    });
  });
export type RoundRequest = z.infer<typeof RoundRequest>;
export type RoundRequestInput = z.input<typeof RoundRequest>;

/** The set-up the round workflow takes: the request without its groups (they go to the ledger). */
export function setupOf(r: RoundRequest): RoundSetupInput {
  const { groups: _groups, ...setup } = r;
  return setup;
}
