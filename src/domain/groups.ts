// Forming inspection groups (巡察组) from the leader pool (组长库) and the talent pool (人才库):
// expertise matched to the unit's sector and the round's focus, avoidance rules (回避) enforced,
// nobody in two groups, cross-county placement (交叉巡察) on request. Pure and deterministic.
import { z } from 'zod';
import { Slug } from './people';
import { Sector, SECTOR_LABELS as SECTOR_LABEL } from './round';
import { ValidationError } from './validation';

export const Expertise = z.enum(['discipline', 'organisation', 'finance', 'audit', 'law', 'engineering', 'petition', 'agriculture', 'education', 'health']);
export type Expertise = z.infer<typeof Expertise>;
export const EXPERTISE_LABELS: Record<Expertise, string> = {
  discipline: '纪检监察',
  organisation: '组织人事',
  finance: '财务',
  audit: '审计',
  law: '法律',
  engineering: '工程',
  petition: '信访',
  agriculture: '农业农村',
  education: '教育',
  health: '卫生健康',
};
type SectorT = z.infer<typeof Sector>;
/** What each sector's inspection most needs (e.g. finance and audit for a state-owned enterprise). */
export const SECTOR_EXPERTISE: Record<SectorT, Expertise[]> = {
  municipal: ['discipline', 'organisation', 'finance'],
  town: ['agriculture', 'finance', 'discipline'],
  village: ['agriculture', 'finance', 'petition'],
  soe: ['finance', 'audit'],
  'key-project': ['engineering', 'audit'],
  'grassroots-station': ['law', 'discipline'],
};

export const PoolMember = z.strictObject({
  personId: Slug,
  name: z.string().trim().min(1).max(64),
  pool: z.enum(['leader', 'talent']),
  expertise: z.array(Expertise).min(1),
  homeCounty: z.string().trim().min(1),
  currentUnitId: Slug.optional(),
  formerUnitIds: z.array(Slug).default([]),
  relations: z.array(z.strictObject({ unitId: Slug, relation: z.string().trim().min(1) })).default([]),
  available: z.boolean().default(true),
});
export type PoolMember = z.infer<typeof PoolMember>;

export const FormationUnit = z.strictObject({
  unitId: Slug,
  name: z.string().trim().min(1),
  sector: Sector,
  county: z.string().trim().min(1),
  /** Units this one supervises (its subordinate units): their people are avoided too. */
  supervisedUnitIds: z.array(Slug).default([]),
});
export type FormationUnit = z.infer<typeof FormationUnit>;

export const FormationInput = z.strictObject({
  units: z.array(FormationUnit).min(1).max(500),
  pool: z.array(PoolMember).min(1).max(5000),
  /** Members per group, besides the leader. */
  groupSize: z.number().int().min(1).max(12).default(3),
  focus: z.array(Expertise).default([]),
  crossCounty: z.boolean().default(false),
});
export type FormationInput = z.input<typeof FormationInput>;

export type Rule = 'unavailable' | 'former-unit' | 'supervised-unit' | 'declared-relation' | 'same-county' | 'already-assigned';
const RULE_REASON: Record<Rule, (u: FormationUnit) => string> = {
  unavailable: () => '不在岗或已有其他任务，暂不可抽调',
  'former-unit': (u) => `现在或曾在${u.name}任职，按回避规定排除`,
  'supervised-unit': (u) => `来自${u.name}下属单位，按回避规定排除`,
  'declared-relation': (u) => `申报与${u.name}存在亲属或利害关系，按回避规定排除`,
  'same-county': (u) => `与${u.name}同属${u.county}，交叉巡察须异地抽调`,
  'already-assigned': () => '已编入其他巡察组，同一时间不得兼任',
};

export interface Pick {
  personId: string;
  name: string;
  reasons: string[];
}
export interface Proposal {
  groups: { unitId: string; leader?: Pick; members: Pick[] }[];
  exclusions: { unitId: string; personId: string; rule: Rule; reason: string }[];
  unmet: { unitId: string; rule: 'no-leader' | 'too-few-members' | 'expertise-gap'; explanation: string }[];
}

/** The first avoidance rule a person breaks for a unit, if any. */
export function avoidance(p: PoolMember, u: FormationUnit, crossCounty: boolean): Rule | undefined {
  if (!p.available) return 'unavailable';
  const units = [p.currentUnitId, ...p.formerUnitIds].filter(Boolean) as string[];
  if (units.includes(u.unitId)) return 'former-unit';
  if (units.some((x) => u.supervisedUnitIds.includes(x))) return 'supervised-unit';
  if (p.relations.some((r) => r.unitId === u.unitId || u.supervisedUnitIds.includes(r.unitId))) return 'declared-relation';
  if (crossCounty && p.homeCounty === u.county) return 'same-county';
  return undefined;
}

const labels = (xs: Expertise[]) => xs.map((x) => EXPERTISE_LABELS[x]).join('、');

export function proposeGroups(raw: FormationInput): Proposal {
  const input = FormationInput.parse(raw);
  const assigned = new Set<string>();
  const proposal: Proposal = { groups: [], exclusions: [], unmet: [] };
  const wanted = (u: FormationUnit) => [...new Set([...SECTOR_EXPERTISE[u.sector], ...input.focus])];
  const eligible = (u: FormationUnit, pool: 'leader' | 'talent') => input.pool.filter((p) => p.pool === pool && !avoidance(p, u, input.crossCounty));
  // The hardest units (fewest eligible people) choose first, so a rare expert is not spent on an easy one.
  const order = [...input.units].sort((a, b) => eligible(a, 'talent').length + eligible(a, 'leader').length - (eligible(b, 'talent').length + eligible(b, 'leader').length) || a.unitId.localeCompare(b.unitId));
  for (const u of order) {
    const want = wanted(u);
    const counts: Partial<Record<Rule, number>> = {};
    const candidates = (pool: 'leader' | 'talent') =>
      input.pool.filter((p) => {
        if (p.pool !== pool) return false;
        const rule = avoidance(p, u, input.crossCounty) ?? (assigned.has(p.personId) ? 'already-assigned' : undefined);
        if (!rule) return true;
        counts[rule] = (counts[rule] ?? 0) + 1;
        if (rule !== 'already-assigned') proposal.exclusions.push({ unitId: u.unitId, personId: p.personId, rule, reason: RULE_REASON[rule](u) });
        return false;
      });
    const score = (p: PoolMember) => p.expertise.filter((x) => want.includes(x)).length;

    const leaders = candidates('leader').sort((a, b) => score(b) - score(a) || a.personId.localeCompare(b.personId));
    const leaderTotal = input.pool.filter((p) => p.pool === 'leader').length;
    const leaderCounts = { ...counts };
    const group: Proposal['groups'][number] = { unitId: u.unitId, members: [] };
    const lead = leaders[0];
    if (lead) {
      assigned.add(lead.personId);
      const match = lead.expertise.filter((x) => want.includes(x));
      group.leader = { personId: lead.personId, name: lead.name, reasons: [match.length ? `组长库人选，具备${labels(match)}专长，匹配${u.name}（${SECTOR_LABEL[u.sector]}）` : '组长库人选，无回避情形'] };
    } else {
      proposal.unmet.push({ unitId: u.unitId, rule: 'no-leader', explanation: `${u.name}无可用组长：${explainCounts('组长库', leaderTotal, leaderCounts)}` });
    }

    for (const k of Object.keys(counts)) delete counts[k as Rule];
    const pool = candidates('talent');
    const covered = new Set<Expertise>(group.leader ? lead!.expertise : []);
    while (group.members.length < input.groupSize && pool.length > 0) {
      const gain = (p: PoolMember) => p.expertise.filter((x) => want.includes(x) && !covered.has(x)).length;
      pool.sort((a, b) => gain(b) - gain(a) || score(b) - score(a) || a.personId.localeCompare(b.personId));
      const p = pool.shift()!;
      const fills = p.expertise.filter((x) => want.includes(x) && !covered.has(x));
      const match = p.expertise.filter((x) => want.includes(x));
      p.expertise.forEach((x) => covered.add(x));
      assigned.add(p.personId);
      group.members.push({
        personId: p.personId,
        name: p.name,
        reasons: [fills.length ? `补足${labels(fills)}专长，${u.name}（${SECTOR_LABEL[u.sector]}）重点需要` : match.length ? `具备${labels(match)}专长` : '人才库人选，无回避情形'],
      });
    }
    if (group.members.length < input.groupSize) {
      const total = input.pool.filter((p) => p.pool === 'talent').length;
      proposal.unmet.push({
        unitId: u.unitId,
        rule: 'too-few-members',
        explanation: `${u.name}需组员${input.groupSize}人，仅有${group.members.length}人可用：${explainCounts('人才库', total, counts)}`,
      });
    }
    const gap = want.filter((x) => !covered.has(x));
    if (gap.length) proposal.unmet.push({ unitId: u.unitId, rule: 'expertise-gap', explanation: `${u.name}缺少${labels(gap)}专长人员：可用人选中无人具备` });
    proposal.groups.push(group);
  }
  proposal.groups.sort((a, b) => input.units.findIndex((u) => u.unitId === a.unitId) - input.units.findIndex((u) => u.unitId === b.unitId));
  return proposal;
}

const RULE_LABEL: Record<Rule, string> = {
  unavailable: '暂不可抽调',
  'former-unit': '曾在该单位任职',
  'supervised-unit': '来自其下属单位',
  'declared-relation': '申报存在亲属关系',
  'same-county': '与其同县（交叉巡察须回避）',
  'already-assigned': '已编入其他组',
};
function explainCounts(pool: string, total: number, counts: Partial<Record<Rule, number>>): string {
  const parts = (Object.entries(counts) as [Rule, number][]).filter(([, n]) => n > 0).map(([r, n]) => `${n}人${RULE_LABEL[r]}`);
  return `${pool}共${total}人${parts.length ? `，其中${parts.join('，')}` : ''}`;
}

/** The office swaps a member: the incoming person must pass every rule the proposal used. */
export function swapMember(proposal: Proposal, raw: FormationInput, unitId: string, outId: string, inId: string): Proposal {
  const input = FormationInput.parse(raw);
  const fail = (path: string, message: string) => {
    throw new ValidationError(`swapMember: ${path}: ${message}`, [{ path, message }]);
  };
  const u = input.units.find((x) => x.unitId === unitId) ?? fail('unitId', `unknown unit "${unitId}"`);
  const group = proposal.groups.find((g) => g.unitId === unitId) ?? fail('unitId', `no group for "${unitId}"`);
  const idx = group.members.findIndex((m) => m.personId === outId);
  if (idx < 0) fail('outPersonId', `"${outId}" is not a member of this group`);
  const p = input.pool.find((x) => x.personId === inId && x.pool === 'talent') ?? fail('inPersonId', `"${inId}" is not in the talent pool`);
  const rule = avoidance(p, u, input.crossCounty);
  if (rule) fail('inPersonId', `${rule}: ${RULE_REASON[rule](u)}`);
  const taken = proposal.groups.some((g) => g.leader?.personId === inId || g.members.some((m) => m.personId === inId));
  if (taken) fail('inPersonId', `already-assigned: ${RULE_REASON['already-assigned'](u)}`);
  const groups = proposal.groups.map((g) =>
    g.unitId !== unitId ? g : { ...g, members: g.members.map((m, i) => (i === idx ? { personId: p.personId, name: p.name, reasons: ['巡察办调整人选'] } : m)) },
  );
  return { ...proposal, groups };
}

/** A person in an accepted group, as the office confirmed it (reasons kept from the proposal). */
export const GroupPick = z.strictObject({
  personId: Slug,
  name: z.string().trim().min(1).max(64),
  reasons: z.array(z.string().max(500)).max(20).default([]),
});
/** An inspection group the office accepted for one unit of the round (巡察组组成). */
export const AcceptedGroup = z.strictObject({
  unitId: Slug,
  /** Where the unit is: needed for a cross-county round (交叉巡察), where nobody from that county may serve. */
  county: z.string().trim().min(1).max(64).optional(),
  /** Units this one supervises: their people are avoided too. */
  supervisedUnitIds: z.array(Slug).max(200).default([]),
  leader: GroupPick,
  members: z.array(GroupPick).max(12).default([]),
});
export type AcceptedGroup = z.infer<typeof AcceptedGroup>;

/**
 * The accepted groups checked against the pools with the rules the proposal used: the leader from
 * the leader pool, members from the talent pool, nobody breaking an avoidance rule for the unit.
 * Paths are relative to the round request (`groups.0.members.1.personId`).
 */
export function checkAcceptedGroups(groups: AcceptedGroup[], units: { unitId: string; name: string; sector: z.infer<typeof Sector> }[], pool: PoolMember[], crossCounty: boolean): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  groups.forEach((g, i) => {
    const u = units.find((x) => x.unitId === g.unitId);
    if (!u) return; // reported by the schema
    if (crossCounty && !g.county) issues.push({ path: `groups.${i}.county`, message: '交叉巡察须写明被巡察单位所在县 (required for a cross-county round)' });
    const fu: FormationUnit = { unitId: u.unitId, name: u.name, sector: u.sector, county: g.county ?? '', supervisedUnitIds: g.supervisedUnitIds };
    const people: [string, z.infer<typeof GroupPick>, 'leader' | 'talent'][] = [[`groups.${i}.leader`, g.leader, 'leader'], ...g.members.map((m, k): [string, z.infer<typeof GroupPick>, 'talent'] => [`groups.${i}.members.${k}`, m, 'talent'])];
    for (const [path, p, want] of people) {
      const member = pool.find((x) => x.personId === p.personId);
      if (!member || member.pool !== want) {
        issues.push({ path: `${path}.personId`, message: `"${p.personId}" is not in the ${want} pool (不在${want === 'leader' ? '组长库' : '人才库'})` });
        continue;
      }
      const rule = avoidance(member, fu, crossCounty && !!g.county);
      if (rule) issues.push({ path: `${path}.personId`, message: `${rule}: ${member.name}${RULE_REASON[rule](fu)}` });
    }
  });
  return issues;
}
