// Property-based bad round files for `xuncha round create` (fast-check, fixed seed; FC_SEED
// overrides): wrong types, missing fields, huge strings, odd Unicode, durations out of range or
// negative (a plan or report due before the feedback), duplicated unit ids, unknown sectors and
// keys, groups naming unknown units or people outside the pools — in YAML and in JSON. Each is
// refused with exit code 1 and a file:line:column message naming the field; nothing changes. Most
// run in-process through runCli (what the binary's main calls); a sample spawns the real binary.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { z } from 'zod';
import { runCli } from '../../src/client/cli';
import { roundWorkflowId } from '../../src/domain/ids';
import { savePool } from '../../src/ledger/pools';
import { ledgerCounts, type ApiSuite } from '../api/support';
import { harness, testDataConverter, uid, type Harness } from '../support/helpers';
import { runBin } from './support';

const SEED = Number(process.env.FC_SEED ?? 20261123);
const IN_PROCESS = 2000;
const SPAWNED = 40;

let h: Harness;
let dir: string;
/** This run's suffix for unit and pool ids (fixed before the arbitraries are built). */
const k = uid('prop').slice(5);
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  h = harness();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuncha-cli-prop-'));
  env = { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_DEV_ADDRESS, DATABASE_URL: h.config.DATABASE_URL };
  // The group's people are in the pools, so a file is refused for what was mutated, not for them.
  await savePool(h.pool, [
    { personId: `gl-${k}`, name: '黄组长', pool: 'leader', expertise: ['finance'], homeCounty: '甲县' },
    { personId: `gm-${k}`, name: '蔡财务', pool: 'talent', expertise: ['finance'], homeCounty: '甲县' },
  ]);
});
afterAll(async () => {
  await h?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Doc = Record<string, unknown>;
const person = (id: string, name: string) => ({ personId: id, name, email: `${id}@example.gov.cn` });
const base = (roundId: string): Doc => ({
  roundId,
  name: '县委第十一轮巡察',
  kind: 'regular',
  contacts: { office: person('xcb-wang', '王主任'), disciplineCommission: person('jw-li', '李书记') },
  units: [
    { unitId: `u1-${k}`, name: '县财政局', sector: 'municipal', head: person('cz-zhang', '张局长') },
    { unitId: `u2-${k}`, name: '城关镇', sector: 'town', head: person('cg-ma', '马镇长') },
  ],
  policy: { preparation: '7 days', stationing: '30 days', planWithin: '15 working-days', rectificationReport: '2 months', bulletinDay: 5, democraticLifeMeetingBelowRate: 0.5 },
  groups: [{ unitId: `u1-${k}`, leader: { personId: `gl-${k}`, name: '黄组长' }, members: [{ personId: `gm-${k}`, name: '蔡财务', reasons: ['具备财务专长'] }] }],
});

// ---- paths into a document
const get = (d: unknown, p: string): unknown => (p ? p.split('.').reduce<unknown>((o, s) => (o as Record<string, unknown>)?.[s], d) : d);
function set(d: Doc, p: string, v: unknown): void {
  const segs = p.split('.');
  const parent = get(d, segs.slice(0, -1).join('.')) as Record<string, unknown>;
  const last = segs[segs.length - 1]!;
  if (v === DELETE) delete parent[last];
  else parent[last] = v;
}
const DELETE = Symbol('delete');

interface Mutation {
  kind: string;
  path: string;
  value: unknown;
  /** Applied after `value` (duplicates need the document). */
  apply?: (d: Doc) => void;
}

const STRINGS = ['roundId', 'name', 'kind', 'contacts.office.personId', 'contacts.office.name', 'contacts.office.email', 'units.0.unitId', 'units.0.name', 'units.0.sector', 'units.1.head.email', 'policy.preparation', 'policy.planWithin', 'groups.0.unitId', 'groups.0.leader.personId'];
const OBJECTS = ['contacts', 'contacts.office', 'contacts.disciplineCommission', 'units.0', 'units.1.head', 'policy', 'groups.0', 'groups.0.leader'];
const ARRAYS = ['units', 'groups', 'groups.0.members'];
const NUMBERS = ['policy.bulletinDay', 'policy.democraticLifeMeetingBelowRate'];
const REQUIRED = ['roundId', 'name', 'contacts', 'contacts.office', 'contacts.disciplineCommission', 'contacts.office.email', 'contacts.disciplineCommission.personId', 'units', 'units.0.unitId', 'units.0.name', 'units.0.sector', 'units.0.head', 'units.1.head.email', 'groups.0.unitId', 'groups.0.leader', 'groups.0.leader.name', 'groups.0.members.0.personId'];
const LIMITED: [string, number][] = [['name', 100], ['units.0.name', 100], ['contacts.office.name', 64], ['units.1.head.personId', 64], ['groups.0.leader.name', 64], ['units.0.head.phone', 32]];
const SLUGS = ['roundId', 'units.0.unitId', 'contacts.office.personId', 'units.1.head.personId', 'groups.0.leader.personId', 'groups.0.members.0.personId'];
const EMAILS = ['contacts.office.email', 'units.0.head.email', 'contacts.disciplineCommission.email'];
const DURATIONS = ['policy.preparation', 'policy.stationing', 'policy.planWithin', 'policy.rectificationReport', 'policy.lookBackAfter', 'policy.reopenDeadline', 'policy.reviewWithin'];
const PARENTS = ['', 'contacts', 'contacts.office', 'units.0', 'units.1.head', 'policy', 'groups.0', 'groups.0.leader', 'groups.0.members.0'];

const notSlug = (s: string) => !/^[a-z0-9][a-z0-9-]*$/.test(s) || s.length > 64;
const notEmail = (s: string) => !z.email().safeParse(s).success;
const chars = fc.constantFrom('a', '巡', 'x', '察', '😀', 'Z');

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // wrong types
  fc.record({ kind: fc.constant('wrong-type'), path: fc.constantFrom(...STRINGS), value: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.constant({ a: 1 })) }),
  fc.record({ kind: fc.constant('wrong-type'), path: fc.constantFrom(...OBJECTS), value: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([1, 2])) }),
  fc.record({ kind: fc.constant('wrong-type'), path: fc.constantFrom(...ARRAYS), value: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant({ a: 1 })) }),
  fc.record({ kind: fc.constant('wrong-type'), path: fc.constantFrom(...NUMBERS), value: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.constant([1])) }),
  // missing fields
  fc.record({ kind: fc.constant('missing'), path: fc.constantFrom(...REQUIRED), value: fc.constant(DELETE) }),
  // huge strings (past the field's limit, up to 30,000 characters)
  fc.constantFrom(...LIMITED).chain(([p, max]) => fc.record({ kind: fc.constant('huge'), path: fc.constant(p), value: fc.tuple(chars, fc.integer({ min: max + 1, max: 30_000 })).map(([c, n]) => c.repeat(n)) })),
  // odd Unicode where ids and addresses go
  fc.record({
    kind: fc.constant('odd-unicode'),
    path: fc.constantFrom(...SLUGS),
    value: fc.oneof(fc.constantFrom('\u202eevil', 'Ｐ１', 'ünit', '🙈', 'a b', 'UPPER', 'zero\u200bwidth', '', '-lead', 'x'.repeat(65), '单位一'), fc.string({ unit: 'grapheme', maxLength: 30 }).filter(notSlug)),
  }),
  fc.record({ kind: fc.constant('odd-unicode'), path: fc.constantFrom(...EMAILS), value: fc.oneof(fc.constantFrom('张三@', 'not-an-email', 'a@b', '@example.cn', 'x y@example.cn', 'a\u0000@example.cn'), fc.string({ unit: 'grapheme', maxLength: 30 })).filter(notEmail) }),
  // durations out of range, malformed, or negative (due before the feedback / the round start)
  fc.record({
    kind: fc.constant('duration'),
    path: fc.constantFrom(...DURATIONS),
    value: fc.oneof(fc.constantFrom('-5 days', '0 days', '-1 months', '100000 days', '30 dayz', '2026-13-45', '15 working days', '1e3 days', ' 30 days', '30days', '2 fortnights', '9999-99-99T00:00:00Z'), fc.integer({ min: -1000, max: -1 }).map((n) => `${n} working-days`)),
  }),
  fc.record({ kind: fc.constant('range'), path: fc.constant('policy.bulletinDay'), value: fc.oneof(fc.integer({ min: -100, max: 0 }), fc.integer({ min: 29, max: 10_000 }), fc.constant(1.5)) }),
  fc.record({ kind: fc.constant('range'), path: fc.constant('policy.democraticLifeMeetingBelowRate'), value: fc.oneof(fc.double({ min: 1.0001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -0.0001, noNaN: true })) }),
  fc.record({ kind: fc.constant('range'), path: fc.constant('policy.historyLimit'), value: fc.oneof(fc.integer({ min: -5, max: 49 }), fc.integer({ min: 50_001, max: 2_000_000_000 })) }),
  // unknown sectors and kinds
  fc.record({ kind: fc.constant('enum'), path: fc.constantFrom('units.0.sector', 'units.1.sector'), value: fc.oneof(fc.constantFrom('bank', 'Municipal', '市直单位', 'soe ', ''), fc.string({ maxLength: 12 }).filter((x) => !['municipal', 'town', 'village', 'soe', 'key-project', 'grassroots-station'].includes(x))) }),
  fc.record({ kind: fc.constant('enum'), path: fc.constant('kind'), value: fc.constantFrom('normal', '常规', 'REGULAR', '') }),
  // unknown keys
  fc.record({ kind: fc.constant('unknown-key'), path: fc.tuple(fc.constantFrom(...PARENTS), fc.constantFrom('colour', 'startDate', 'deadline', '单位', 'Sector', 'group_leader')).map(([p, key]) => (p ? `${p}.${key}` : key)), value: fc.oneof(fc.string({ maxLength: 5 }), fc.integer()) }),
  // duplicated ids, empty and over-long lists, groups out of the round or the pools
  fc.constant<Mutation>({ kind: 'duplicate-unit', path: 'units.1.unitId', value: `u1-${k}` }),
  fc.constant<Mutation>({ kind: 'duplicate-group', path: 'groups.1.unitId', value: DELETE, apply: (d) => (d.groups as unknown[]).push({ ...(d.groups as Doc[])[0]!, members: [] }) }),
  fc.constant<Mutation>({ kind: 'person-twice', path: 'groups.1.leader.personId', value: DELETE, apply: (d) => (d.groups as unknown[]).push({ unitId: `u2-${k}`, leader: { personId: `gl-${k}`, name: '黄组长' }, members: [] }) }),
  fc.constant<Mutation>({ kind: 'empty', path: 'units', value: [] }),
  fc.constant<Mutation>({ kind: 'too-many', path: 'groups.0.members', value: Array.from({ length: 13 }, (_, i) => ({ personId: `m${i}`, name: `组员${i}` })) }),
  fc.record({ kind: fc.constant('unknown-unit'), path: fc.constant('groups.0.unitId'), value: fc.constantFrom('nowhere', 'u9', `u3-${k}`) }),
  fc.record({ kind: fc.constant('not-in-pool'), path: fc.constant('groups.0.members.0.personId'), value: fc.integer({ min: 0, max: 1e9 }).map((x) => `nobody-${x.toString(16)}`) }),
);

const cases = fc.tuple(mutation, fc.constantFrom<'yaml' | 'json' | 'json1'>('yaml', 'json', 'json1'));

function materialise([m, format]: [Mutation, 'yaml' | 'json' | 'json1'], i: number): { file: string; roundId: string; m: Mutation } {
  const roundId = `prop-${k}-${i}`;
  const d = base(roundId);
  if (m.kind === 'unknown-key' && !m.path.includes('.')) d[m.path] = m.value;
  else if (m.value !== DELETE || m.kind === 'missing') set(d, m.path, m.value);
  m.apply?.(d);
  const text = format === 'yaml' ? stringify(d) : JSON.stringify(d, null, format === 'json' ? 2 : undefined);
  const file = `case-${i}.${format === 'yaml' ? 'yaml' : 'json'}`;
  fs.writeFileSync(path.join(dir, file), text);
  return { file, roundId, m };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Exit 1 and a line `file:line:col: <the mutated field>: <rule>`. */
function check(code: number | null, stderr: string, c: { file: string; m: Mutation }): void {
  const named = new RegExp(`^${escape(c.file)}:[1-9]\\d*:[1-9]\\d*: ${escape(c.m.path)}: \\S`, 'm');
  if (code !== 1 || !named.test(stderr)) throw new Error(`${c.m.kind} ${c.m.path}: exit ${code}, stderr:\n${stderr.slice(0, 2000)}`);
}

let total = 0;
test(`${IN_PROCESS} generated bad round files are refused in-process with exit 1, naming the field and its line; nothing changes`, async () => {
  const before = await ledgerCounts({ h, roundId: `prop-${k}` } as unknown as ApiSuite);
  const kinds: Record<string, number> = {};
  const samples = fc.sample(cases, { numRuns: IN_PROCESS, seed: SEED });
  for (const [i, sample] of samples.entries()) {
    const c = materialise(sample, i);
    let out = '';
    let err = '';
    const code = await runCli(['round', 'create', c.file], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env, cwd: dir });
    check(code, err, c);
    expect(out).toBe('');
    kinds[c.m.kind] = (kinds[c.m.kind] ?? 0) + 1;
    total++;
  }
  expect(await ledgerCounts({ h, roundId: `prop-${k}` } as unknown as ApiSuite)).toEqual(before);
  expect((await h.pool.query(`SELECT count(*)::int AS n FROM rounds WHERE round_id LIKE 'prop-%'`)).rows[0].n).toBe(0);
  expect((await h.pool.query(`SELECT count(*)::int AS n FROM inspection_groups WHERE round_id LIKE 'prop-%'`)).rows[0].n).toBe(0);
  // Every kind of mistake was tried.
  expect(Object.keys(kinds).sort()).toEqual(['duplicate-group', 'duplicate-unit', 'duration', 'empty', 'enum', 'huge', 'missing', 'not-in-pool', 'odd-unicode', 'person-twice', 'range', 'too-many', 'unknown-key', 'unknown-unit', 'wrong-type']);
  console.log(`[cli properties] seed ${SEED}: ${IN_PROCESS} bad round files refused in-process: ${JSON.stringify(kinds)}`);
}, 300_000);

test(`${SPAWNED} of them through the real binary: exit 1, the field and its line, no workflow started`, async () => {
  const samples = fc.sample(cases, { numRuns: SPAWNED, seed: SEED + 1 });
  const connection = await Connection.connect({ address: process.env.TEMPORAL_DEV_ADDRESS! });
  const client = new Client({ connection, dataConverter: testDataConverter() });
  try {
    for (const [i, sample] of samples.entries()) {
      const c = materialise(sample, IN_PROCESS + i);
      const r = await runBin(['round', 'create', c.file], env, dir);
      check(r.code, r.stderr, c);
      const exists = await client.workflow.getHandle(roundWorkflowId(c.roundId)).describe().then(() => true, () => false);
      expect(exists).toBe(false);
      total++;
    }
  } finally {
    await connection.close();
  }
}, 300_000);

afterAll(() => {
  expect(total).toBeGreaterThanOrEqual(IN_PROCESS + SPAWNED);
  console.log(`[cli properties] ${total} generated bad round files in all (${IN_PROCESS} in-process, ${SPAWNED} spawned), each refused with exit 1`);
});
