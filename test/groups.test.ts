// Forming inspection groups from Wuhai's pools: 55 leaders and 87 members (000). Every avoidance
// rule is checked here independently of the code under test, and the proposal explains itself.
import { EXPERTISE_LABELS, proposeGroups, SECTOR_EXPERTISE, swapMember, type Expertise, type FormationInput, type PoolMember } from '../src/domain/groups';
import { acceptGroups, loadPool, savePool } from '../src/ledger/pools';
import { applyEvent } from '../src/ledger/events';
import { DEFAULT_POLICY } from '../src/domain/policy';
import { harness, sampleRound, uid, type Harness } from './support/helpers';

// A small deterministic generator (mulberry32), so the pools are the same every run.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const EXPERTISE = Object.keys(EXPERTISE_LABELS) as Expertise[];
const COUNTIES = ['海勃湾区', '乌达区', '海南区'];
const UNITS: FormationInput['units'] = [
  { unitId: 'finance', name: '市财政局', sector: 'municipal', county: '海勃湾区', supervisedUnitIds: ['treasury'] },
  { unitId: 'treasury', name: '市国库支付中心', sector: 'grassroots-station', county: '海勃湾区' },
  { unitId: 'energy-soe', name: '市能源集团', sector: 'soe', county: '乌达区', supervisedUnitIds: ['coal-co'] },
  { unitId: 'coal-co', name: '市煤炭公司', sector: 'soe', county: '乌达区' },
  { unitId: 'bridge', name: '黄河大桥项目', sector: 'key-project', county: '海南区' },
  { unitId: 'ring-road', name: '环城公路项目', sector: 'key-project', county: '海勃湾区' },
  { unitId: 'town-a', name: '巴音陶亥镇', sector: 'town', county: '海南区' },
  { unitId: 'village-b', name: '赛汗乌素村', sector: 'village', county: '海南区' },
  { unitId: 'education', name: '市教育局', sector: 'municipal', county: '海勃湾区' },
  { unitId: 'health', name: '市卫健委', sector: 'municipal', county: '乌达区' },
  { unitId: 'tax-station', name: '乌达税务所', sector: 'grassroots-station', county: '乌达区' },
  { unitId: 'water-soe', name: '市水务公司', sector: 'soe', county: '海勃湾区' },
];
function pools(seed = 2019): PoolMember[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const people: PoolMember[] = [];
  const make = (pool: 'leader' | 'talent', i: number): PoolMember => {
    const expertise = [...new Set([pick(EXPERTISE), pick(EXPERTISE), ...(r() < 0.3 ? [pick(EXPERTISE)] : [])])];
    const unit = r() < 0.25 ? pick(UNITS).unitId : undefined;
    return {
      personId: `${pool}-${String(i).padStart(3, '0')}`,
      name: `${pool === 'leader' ? '组长' : '干部'}${i}`,
      pool,
      expertise,
      homeCounty: pick(COUNTIES),
      currentUnitId: unit,
      formerUnitIds: r() < 0.3 ? [pick(UNITS).unitId] : [],
      relations: r() < 0.15 ? [{ unitId: pick(UNITS).unitId, relation: '配偶' }] : [],
      available: r() > 0.05,
    };
  };
  for (let i = 1; i <= 55; i++) people.push(make('leader', i));
  for (let i = 1; i <= 87; i++) people.push(make('talent', i));
  return people;
}

/** The rules, written out again here: a proposal is checked against them, not against itself. */
function breaks(p: PoolMember, u: FormationInput['units'][number], crossCounty: boolean): string | undefined {
  const theirs = [p.currentUnitId, ...p.formerUnitIds];
  if (!p.available) return 'unavailable';
  if (theirs.includes(u.unitId)) return 'from the unit';
  if (theirs.some((x) => x && (u.supervisedUnitIds ?? []).includes(x))) return 'from a unit it supervises';
  if (p.relations.some((r) => r.unitId === u.unitId || (u.supervisedUnitIds ?? []).includes(r.unitId))) return 'declared relation';
  if (crossCounty && p.homeCounty === u.county) return 'same county';
  return undefined;
}

function checkProposal(input: FormationInput, crossCounty: boolean) {
  const pool = input.pool as PoolMember[];
  const proposal = proposeGroups(input);
  const seen = new Set<string>();
  for (const g of proposal.groups) {
    const u = input.units.find((x) => x.unitId === g.unitId)!;
    const people = [...(g.leader ? [g.leader] : []), ...g.members];
    for (const m of people) {
      const p = pool.find((x) => x.personId === m.personId)!;
      expect({ unit: u.unitId, person: p.personId, broken: breaks(p, u, crossCounty) }).toEqual({ unit: u.unitId, person: p.personId, broken: undefined });
      expect(seen.has(p.personId)).toBe(false);
      seen.add(p.personId);
      expect(m.reasons.length).toBeGreaterThan(0);
    }
    if (g.leader) expect(pool.find((x) => x.personId === g.leader!.personId)!.pool).toBe('leader');
    for (const m of g.members) expect(pool.find((x) => x.personId === m.personId)!.pool).toBe('talent');
  }
  for (const e of proposal.exclusions) {
    const p = pool.find((x) => x.personId === e.personId)!;
    const u = input.units.find((x) => x.unitId === e.unitId)!;
    expect(breaks(p, u, crossCounty)).toBeDefined();
    expect(e.reason.length).toBeGreaterThan(4);
  }
  return proposal;
}

test('55 leaders and 87 members: every group respects every avoidance rule, nobody twice, and each pick and exclusion is explained', () => {
  const input = { units: UNITS, pool: pools(), groupSize: 4, focus: [] };
  const proposal = checkProposal(input, false);
  expect(proposal.groups).toHaveLength(12);
  expect(proposal.groups.every((g) => g.leader && g.members.length === 4)).toBe(true);
  // Expertise follows the sector: the state-owned enterprises get finance and audit.
  for (const g of proposal.groups.filter((x) => ['energy-soe', 'coal-co', 'water-soe'].includes(x.unitId))) {
    const have = new Set([g.leader!, ...g.members].flatMap((m) => input.pool.find((p) => p.personId === m.personId)!.expertise));
    for (const need of SECTOR_EXPERTISE.soe) expect(have.has(need)).toBe(true);
  }
  expect(proposal.exclusions.length).toBeGreaterThan(20);
  expect(proposal.exclusions.map((e) => e.rule)).toEqual(expect.arrayContaining(['former-unit', 'declared-relation', 'unavailable', 'supervised-unit']));
  expect(proposal.groups[0]!.members[0]!.reasons[0]).toMatch(/专长/);
});

test('cross-county placement: nobody inspects a unit in their own county', () => {
  const proposal = checkProposal({ units: UNITS, pool: pools(7), groupSize: 3, crossCounty: true, focus: ['finance'] }, true);
  expect(proposal.exclusions.some((e) => e.rule === 'same-county' && e.reason.includes('交叉巡察'))).toBe(true);
});

test('an impossible constraint is explained, not an empty group', () => {
  const onlyLeader: PoolMember = { personId: 'leader-x', name: '张组长', pool: 'leader', expertise: ['finance'], homeCounty: '海南区', currentUnitId: 'bridge', formerUnitIds: [], relations: [], available: true };
  const talents = pools().filter((p) => p.pool === 'talent').slice(0, 2);
  const proposal = proposeGroups({ units: [UNITS[4]!], pool: [onlyLeader, ...talents], groupSize: 4 });
  expect(proposal.unmet).toEqual(
    expect.arrayContaining([
      { unitId: 'bridge', rule: 'no-leader', explanation: '黄河大桥项目无可用组长：组长库共1人，其中1人曾在该单位任职' },
      { unitId: 'bridge', rule: 'too-few-members', explanation: expect.stringMatching(/^黄河大桥项目需组员4人，仅有\d人可用：人才库共2人/) },
    ]),
  );
});

test('the office can swap a member; a swap that breaks a rule is refused naming it', () => {
  const input = { units: UNITS, pool: pools(), groupSize: 4 };
  const proposal = proposeGroups(input);
  const g = proposal.groups.find((x) => x.unitId === 'finance')!;
  const assigned = new Set(proposal.groups.flatMap((x) => [x.leader?.personId, ...x.members.map((m) => m.personId)]));
  const finance = UNITS[0]!;
  const free = (input.pool as PoolMember[]).find((p) => p.pool === 'talent' && !assigned.has(p.personId) && !breaks(p, finance, false))!;
  const swapped = swapMember(proposal, input, 'finance', g.members[0]!.personId, free.personId);
  expect(swapped.groups.find((x) => x.unitId === 'finance')!.members[0]).toEqual({ personId: free.personId, name: free.name, reasons: ['巡察办调整人选'] });
  const fromUnit = (input.pool as PoolMember[]).find((p) => p.pool === 'talent' && (p.currentUnitId === 'finance' || p.formerUnitIds.includes('finance')))!;
  expect(() => swapMember(proposal, input, 'finance', g.members[0]!.personId, fromUnit.personId)).toThrow(/^swapMember: inPersonId: former-unit: /);
  const other = proposal.groups.find((x) => x.unitId !== 'finance')!.members[0]!.personId;
  expect(() => swapMember(proposal, input, 'finance', g.members[0]!.personId, other)).toThrow(/already-assigned|former-unit|supervised-unit|declared-relation|unavailable/);
});

describe('in the ledger', () => {
  let h: Harness;
  beforeAll(() => {
    h = harness();
  });
  afterAll(async () => h?.close());

  test('pools round-trip through Postgres, groups are accepted idempotently, and nobody can be in two groups of a round', async () => {
    const members = pools(99).map((p) => ({ ...p, personId: `${p.personId}-${uid('x').slice(2)}` }));
    await savePool(h.pool, members);
    await savePool(h.pool, members);
    const loaded = (await loadPool(h.pool)).filter((p) => members.some((m) => m.personId === p.personId));
    expect(loaded).toHaveLength(142);
    expect(loaded.find((p) => p.personId === members[0]!.personId)).toEqual(members[0]);
    const roundId = uid('groups');
    const r = sampleRound(roundId);
    await applyEvent(h.pool, { type: 'round.started', eventKey: `g:${roundId}`, at: new Date().toISOString(), actor: 'office', round: { ...r, kind: 'regular', policy: DEFAULT_POLICY, startedBy: 'office' } as never });
    const proposal = proposeGroups({ units: UNITS, pool: loaded, groupSize: 3 });
    await acceptGroups(h.pool, roundId, proposal, 'office-wang');
    await acceptGroups(h.pool, roundId, proposal, 'office-wang');
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM group_members WHERE round_id = $1', [roundId]);
    expect(rows[0].n).toBe(12 * 4);
    const someone = proposal.groups[0]!.members[0]!.personId;
    await expect(
      h.pool.query(`INSERT INTO group_members (round_id, group_id, person_id, role) VALUES ($1, 'group-bridge', $2, 'member')`, [roundId, someone]),
    ).rejects.toThrow(/duplicate key/);
  });
});
