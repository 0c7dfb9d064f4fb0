import { z } from 'zod';
import { Email, Person, RoundContacts, Slug } from './people';
import { RoundPolicy, RoundPolicyInput } from './policy';

/** 板块: the sectors a round's units are grouped by. */
export const Sector = z.enum(['municipal', 'town', 'village', 'soe', 'key-project', 'grassroots-station']);
export const SECTOR_LABELS: Record<z.infer<typeof Sector>, string> = {
  municipal: '市直单位',
  town: '乡镇(街道)',
  village: '村(社区)',
  soe: '国有企业',
  'key-project': '重点项目',
  'grassroots-station': '基层站所',
};

/** 常规 / 专项 / 联动 / 交叉 */
export const RoundKind = z.enum(['regular', 'special', 'linked', 'cross']);

/** The inspection group stationed in a unit, as published in the round announcement (巡察公告). */
export const GroupContact = z.strictObject({
  leader: Person,
  phone: z.string().trim().min(3).max(32),
  email: Email(),
  mailbox: z.string().trim().min(1).max(100),
});

export const UnitSetup = z.strictObject({
  unitId: Slug,
  name: z.string().trim().min(1).max(100),
  sector: Sector,
  head: Person,
  partySecretary: Person.optional(),
  leaderInCharge: Person.optional(),
  group: GroupContact.optional(),
});
export type UnitSetup = z.infer<typeof UnitSetup>;

/** The fields of a round set-up, shared by the set-up and the request that also carries groups. */
export const ROUND_SETUP_SHAPE = {
  roundId: Slug,
  name: z.string().trim().min(1).max(100),
  kind: RoundKind.default('regular'),
  contacts: RoundContacts,
  units: z.array(UnitSetup).min(1).max(500),
  policy: RoundPolicyInput.optional(),
};

/** No unit twice in one round. */
export function uniqueUnitIds(r: { units: { unitId: string }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  r.units.forEach((u, i) => {
    if (seen.has(u.unitId)) ctx.addIssue({ code: 'custom', path: ['units', i, 'unitId'], message: `duplicate unit id "${u.unitId}"` });
    seen.add(u.unitId);
  });
}

/** What the office submits to set up a round (validated at the client edge, before any workflow). */
export const RoundSetup = z.strictObject(ROUND_SETUP_SHAPE).superRefine(uniqueUnitIds);
export type RoundSetupInput = z.input<typeof RoundSetup>;

/** The round workflow's input: the setup with the policy resolved. JSON-safe. */
export interface RoundWorkflowInput {
  roundId: string;
  name: string;
  kind: z.infer<typeof RoundKind>;
  contacts: RoundContacts;
  units: UnitSetup[];
  policy: RoundPolicy;
  startedBy: string;
}

export interface UnitWorkflowInput {
  roundId: string;
  unit: UnitSetup;
  policy: RoundPolicy;
}
