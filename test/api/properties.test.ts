// Property-based bad input on every write endpoint through app.inject: wrong types, missing and
// unknown fields, huge strings, odd Unicode, dates out of range, duplicated ids; and well-formed
// bodies aimed at unknown rounds, units, items and tasks. Each is a 4xx naming the field, and the
// ledger is unchanged afterwards.
import fc from 'fast-check';
import type { z } from 'zod';
import type { RouteDef } from '../../src/api/routes';
import { buildRoutes } from '../../src/api/server';
import { problem } from '../support/lifecycle';
import { sampleRound, stripEmails } from '../support/helpers';
import { apiSuite, quietCounts } from './support';

const s = apiSuite();
const person = { personId: 'prop-person', name: '测试人员', email: 'prop@example.cn' };
const when = '2031-06-01T09:00:00+08:00';
const mustAsk = Object.fromEntries(['decisionProcedure', 'partyRegulations', 'integrityWork', 'dualDuty', 'partyDues'].map((k) => [k, { asked: true }]));
const mustSee = Object.fromEntries(['meetingMinutes', 'studyNotes', 'partyDuesLedger', 'committeeMinutes', 'accountingVouchers'].map((k) => [k, { checked: true }]));

/** A well-formed body per write route, which the generators then break. */
const BASES: Record<string, unknown> = {
  loginLink: { email: 'nobody@example.cn' },
  proposeGroups: { units: [{ unitId: 'u1', name: '县水利局', sector: 'municipal', county: '东县' }] },
  swapGroupMember: {
    units: [{ unitId: 'u1', name: '县水利局', sector: 'municipal', county: '东县' }],
    proposal: { groups: [{ unitId: 'u1', members: [{ personId: 'pa', name: '甲', reasons: ['具备财务专长'] }] }], exclusions: [], unmet: [] },
    unitId: 'u1',
    outPersonId: 'pa',
    inPersonId: 'pb',
  },
  startRound: stripEmails(sampleRound('prop-round')),
  replyInfoRequest: { source: 'auditOffice', summary: '审计发现若干问题。' },
  completeTask: { taskId: 'some-task', note: '已办' },
  recordTalk: { talkId: 't9', interviewee: { name: '王五', post: '科长' }, mustAsk },
  recordFileCheck: { checkId: 'f9', mustSee },
  recordQuestionnaire: { questionnaireId: 'q9', distributed: 10, returned: 5, summary: '满意度较高' },
  recordPetition: { petitionId: 'pt9', receivedVia: 'letter', content: '反映问题', informant: { name: '匿名者' } },
  recordProblem: { ...problem('p9', '问题'), recordedBy: undefined },
  fixOnTheSpot: { problemId: 'p1', measures: '立即整改', evidence: ['凭证'] },
  transferClue: { clueId: 'c9', to: 'organisationDept', summary: '选人用人问题' },
  submitReport: { summary: '报告' },
  reviewReport: { stage: 'office', decision: 'reject', reason: '需补充' },
  holdFeedback: { note: '已反馈' },
  fileRectificationPlan: { items: [{ problemId: 'p1', measures: '整改', responsible: person, deadline: when, kind: 'time-limited' }] },
  submitRectificationReport: { summary: '整改报告' },
  submitSelfExamination: { text: '自查报告' },
  reviewSelfExamination: { decision: 'reject', reason: '不深入' },
  recordFindings: { checkId: 'k9', findings: [{ itemId: 'p1', verdict: 'sustained', note: '巩固' }] },
  planSpotCheck: { spotCheckId: 's9', visitAt: when, target: '食堂', team: ['甲'] },
  publishResults: { summary: '公开', withheld: [{ subject: '案件', reason: 'case-under-way' }] },
  reportProgress: { status: 'done', note: '完成', evidence: ['凭证'], results: { rulesMade: 1 } },
  claimItem: { leader: person },
  reconcileItem: { decision: 'return', reason: '不足', newDeadline: when },
  closeItem: { evidence: ['凭证'], note: '销号' },
  sendCommonIssueLetter: {
    letterId: 'l9',
    department: { name: '财政局', contact: person },
    subject: '共性问题',
    problems: [
      { unitId: 'u1', problemId: 'p1' },
      { unitId: 'u2', problemId: 'p1' },
    ],
    deadline: when,
  },
  answerLetter: { measures: '已整改' },
  reportClueOutcome: { outcome: '已立案', caseOpened: true, peopleDisciplined: 2 },
  completeInboxTask: { note: '已办' },
};

type Path = (string | number)[];
function paths(v: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => [[...prefix, i], ...paths(x, [...prefix, i])]);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => (x === undefined ? [] : [[...prefix, k], ...paths(x, [...prefix, k])]));
  return [];
}
function edit(base: unknown, path: Path, fn: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  if (path.length === 0) return null; // nothing of that kind in this body: send a null body instead
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  fn(parent, path[path.length - 1]!);
  return copy;
}

const badValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.string({ minLength: 0, maxLength: 3 }),
  fc.integer({ min: 5_001, max: 120_000 }).map((n) => '巡'.repeat(n)),
  fc.constantFrom('', '   ', '\u0000', '\uD800', '\u202Eevil', '\u3000\u3000', 'a\u0000b', '🀄'.repeat(3000), '\uFEFF'),
  fc.constantFrom('0000-01-01T00:00:00Z', '2026-13-01T00:00:00+08:00', '2026-02-30T25:00:00+08:00', '99999-01-01T00:00:00Z', 'tomorrow', '1e999', '2026-01-01'),
  fc.constantFrom('NO_SUCH_ID', '../etc/passwd', 'x'.repeat(65), 'Ünïcödé', '-leading-dash'),
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.constant(1e13),
);

/** A body broken in one of many ways. */
function badBody(base: unknown): fc.Arbitrary<unknown> {
  const ps = paths(base).filter((p) => p.length > 0);
  const arrays = ps.filter((p) => Array.isArray(p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], base)));
  const some = <T>(xs: T[], fallback: T) => (xs.length ? fc.constantFrom(...xs) : fc.constant(fallback));
  return fc.oneof(
    // the whole body of the wrong type
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 }), fc.string()),
    // one field of the wrong type, too long, odd, out of range
    fc.tuple(some(ps, ['x']), badValue).map(([p, v]) => edit(base, p, (o, k) => (o[k] = v))),
    fc.tuple(some(ps, ['x']), badValue).map(([p, v]) => edit(base, p, (o, k) => (o[k] = v))),
    // a field missing
    some(ps, ['x']).map((p) => edit(base, p, (o, k) => (Array.isArray(o) ? o.splice(Number(k), 1) : delete o[k]))),
    // a field nobody asked for
    fc.tuple(fc.constantFrom('extra', '__proto__x', '字段', 'by2'), fc.anything()).map(([k, v]) => ({ ...(base as object), [k]: v })),
    // duplicated entries, or an array emptied or overfilled
    some(arrays, []).map((p) =>
      edit(base, p, (o, k) => {
        const a = o[k] as unknown[];
        o[k] = a.length ? [...a, structuredClone(a[0])] : a;
      }),
    ),
    fc.tuple(some(arrays, []), fc.constantFrom(0, 600, 1_100)).map(([p, n]) => edit(base, p, (o, k) => (o[k] = Array.from({ length: n }, () => (o[k] as unknown[])[0] ?? 'x')))),
  );
}

const withActor = (r: RouteDef, body: unknown, sub: string) =>
  r.actor && body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as object), [r.actor]: (body as Record<string, unknown>)[r.actor] ?? sub } : body;

test('at least 3,000 generated bad bodies on every write endpoint: each a 400 naming the field, nothing changed', async () => {
  const routes = buildRoutes({ pool: s.h.pool, xc: s.xc, config: s.h.config, mailer: s.h.mailer }).filter((r) => r.method === 'POST' && !r.multipart);
  expect(routes.map((r) => r.id).filter((id) => !(id in BASES))).toEqual([]);
  const before = await quietCounts(s);
  const t0 = Date.now();
  let cases = 0;
  const fill = (r: RouteDef) =>
    r.path.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(({ roundId: s.roundId, unitId: s.unitId, itemId: 'p1', letterId: 'l1', clueId: 'c1', taskId: s.taskId } as Record<string, string>)[k] ?? 'x'));
  for (const r of routes) {
    const role = r.access === 'public' || r.access === 'any' ? 'office' : r.access[0]!;
    const token = r.access === 'public' ? undefined : s.token(role);
    const sub = 'prop-actor'; // the token's person, filled into by/recordedBy (any slug does for the schema)
    const schema = r.body as z.ZodType;
    // The base is well-formed (so the generators really test what they break).
    expect([r.id, schema.safeParse(withActor(r, BASES[r.id], sub)).success]).toEqual([r.id, true]);
    await fc.assert(
      fc.asyncProperty(badBody(BASES[r.id]), async (generated) => {
        // What goes over the wire (undefined fields vanish, -0 becomes 0 …) is what must be refused.
        const body: unknown = JSON.parse(JSON.stringify(generated) ?? 'null');
        fc.pre(!schema.safeParse(withActor(r, body, sub)).success);
        cases++;
        const res = await s.app.inject({
          method: 'POST',
          url: fill(r),
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        const e = res.json().error;
        if (res.statusCode !== 400 || e.code !== 'validation' || !e.issues?.length || !e.issues.every((i: { path: string }) => /^body(\.|$)/.test(i.path)) || !e.message.includes(e.issues[0].path)) {
          throw new Error(`${r.id}: ${res.statusCode} ${res.body.slice(0, 300)} for ${JSON.stringify(body)?.slice(0, 200)}`);
        }
      }),
      { numRuns: 110, seed: Number(process.env.FC_SEED ?? Date.now() % 1e9) },
    );
  }
  const ms = Date.now() - t0;
  console.log(`[api properties] ${cases} bad bodies on ${routes.length} write endpoints in ${ms} ms`);
  expect(cases).toBeGreaterThanOrEqual(3000);
  expect(await quietCounts(s)).toEqual(before);
});

test('well-formed bodies aimed at unknown rounds, units, items, letters, clues and tasks: 404, nothing changed', async () => {
  const routes = buildRoutes({ pool: s.h.pool, xc: s.xc, config: s.h.config, mailer: s.h.mailer }).filter(
    (r) => r.method === 'POST' && !r.multipart && r.path.includes(':') && r.id !== 'submitSelfExamination',
  );
  const before = await quietCounts(s);
  let cases = 0;
  const slug = fc.stringMatching(/^[a-z][a-z0-9-]{2,20}$/).map((x) => `nx-${x}`);
  for (const r of routes) {
    await fc.assert(
      fc.asyncProperty(slug, fc.constantFrom(...r.path.match(/:(\w+)/g)!.map((k) => k.slice(1))), async (unknown, which) => {
        cases++;
        const known: Record<string, string> = { roundId: s.roundId, unitId: s.unitId, itemId: 'p1', letterId: 'l1', clueId: 'c1', taskId: s.taskId };
        const url = r.path.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(k === which ? unknown : known[k]!));
        const res = await s.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${s.token('office')}`, 'content-type': 'application/json' }, payload: JSON.stringify(BASES[r.id]) });
        if (res.statusCode !== 404 || res.json().error.code !== 'not_found') throw new Error(`${r.id} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      }),
      { numRuns: 3 },
    );
  }
  expect(cases).toBeGreaterThanOrEqual(routes.length * 3);
  expect(await quietCounts(s)).toEqual(before);
});
