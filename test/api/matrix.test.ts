// The role × endpoint authorisation matrix, generated from the route table: every role (and no
// token, a tampered, an expired and a foreign-signed token) against every route, and for scoped
// roles the other-round and other-unit cases. Status codes are asserted, and the ledger is the
// same afterwards. A unit head never sees a petitioner's identity, in any response or e-mail.
import { signToken, Role, type ClaimsInput } from '../../src/api/auth';
import { buildRoutes, exportModules } from '../../src/api/server';
import type { RouteDef } from '../../src/api/routes';
import { mailsTo } from '../support/helpers';
import { apiSuite, INFORMANT, quietCounts } from './support';

const s = apiSuite();

type Persona = { label: string; role?: Role; scope: 'own' | 'otherRound' | 'otherUnit'; token: () => string | undefined; bad?: boolean };

function personas(): Persona[] {
  const list: Persona[] = [{ label: 'no token', scope: 'own', token: () => undefined, bad: true }];
  const officeClaims = (): ClaimsInput => ({ sub: `office-${s.roundId}`, name: 'x', role: 'office', scope: {} });
  list.push({
    label: 'tampered token',
    scope: 'own',
    bad: true,
    token: () => {
      // A unit head's token with its payload swapped for the office's: the signature no longer matches.
      const head = s.token('unitHead')!.split('.');
      const office = s.token('office')!.split('.');
      return [head[0], office[1], head[2]].join('.');
    },
  });
  list.push({ label: 'expired token', scope: 'own', bad: true, token: () => signToken(officeClaims(), s.h.config.API_TOKEN_SECRET, 60, Date.now() - 3_600_000) });
  list.push({ label: 'foreign-signed token', scope: 'own', bad: true, token: () => signToken(officeClaims(), 'another-secret-another-secret-xx', 3600) });
  for (const role of Role.options) {
    list.push({ label: `${role}`, role, scope: 'own', token: () => s.token(role) });
    list.push({ label: `${role} of another round`, role, scope: 'otherRound', token: () => s.token(role, 'otherRound') });
    if (role === 'unitHead' || role === 'inspectionGroup') list.push({ label: `${role} of another unit`, role, scope: 'otherUnit', token: () => s.token(role, 'otherUnit') });
  }
  return list;
}

/** Which status the route table says a persona gets; 'ok' = past authorisation (reads 200, bad writes 400). */
function expected(r: RouteDef, p: Persona): number | 'ok' {
  if (p.bad) return 401;
  const role = p.role!;
  if (r.access !== 'any' && r.access !== 'public' && !r.access.includes(role)) return role === 'unitHead' && r.hiddenFromUnit ? 404 : 403;
  const outOfRound = p.scope === 'otherRound';
  const outOfUnit = p.scope === 'otherUnit';
  const deny = role === 'unitHead' ? 404 : 403;
  if (r.scope === 'round' && outOfRound) return deny;
  if (r.scope === 'unit' && (outOfRound || outOfUnit)) return deny;
  if (r.scope === 'none') {
    // Objects fetched by id outside the caller's reach do not exist for them.
    if ((r.id === 'getEvidence' || r.id === 'printNotice') && (outOfRound || outOfUnit)) return 404;
    // The matrix asks for its round explicitly (?roundId=): outside a round-scoped token that is refused.
    if (r.query?.shape.roundId && outOfRound) return 403;
  }
  return 'ok';
}

const ids = () => ({ roundId: s.roundId, unitId: s.unitId, itemId: 'p1', letterId: 'l1', clueId: 'c1', taskId: s.taskId, evidenceId: s.evidenceId, noticeId: noticeId });
let noticeId = '0';
function url(r: RouteDef): string {
  const v = ids() as Record<string, string>;
  const path = r.path.replace(/:(\w+)/g, (_, k: string) => encodeURIComponent(v[k]!));
  return r.query?.shape.roundId ? `${path}?roundId=${s.roundId}` : path;
}

test('every role against every route: status codes as the table says, and nothing changes', async () => {
  // A notice the unit head may print: one addressed to it.
  const { rows } = await s.h.pool.query(`SELECT notice_id::text AS id FROM notices WHERE round_id = $1 AND unit_id = $2 AND confidential_until IS NULL AND recipient_role = 'unitHead' ORDER BY notice_id LIMIT 1`, [s.roundId, s.unitId]);
  noticeId = rows[0]?.id ?? '0';
  const routes = buildRoutes({ pool: s.h.pool, xc: s.xc, config: s.h.config, mailer: s.h.mailer, exports: exportModules() }).filter((r) => r.access !== 'public');
  expect(routes.length).toBeGreaterThanOrEqual(40);
  const before = await quietCounts(s);
  const failures: string[] = [];
  let cases = 0;
  for (const r of routes) {
    for (const p of personas()) {
      const want = expected(r, p);
      // Writes get a body no schema accepts: past authorisation they must stop at validation.
      const res = await s.call(r.method, url(r), { token: p.token(), body: r.method === 'POST' ? 'not-an-object' : undefined });
      cases++;
      const got = res.statusCode;
      const okStatus = r.method === 'POST' ? 400 : 200;
      if ((want === 'ok' && got !== okStatus) || (want !== 'ok' && got !== want)) {
        failures.push(`${r.method} ${r.path} as ${p.label}: expected ${want === 'ok' ? okStatus : want}, got ${got} ${res.body.slice(0, 160)}`);
      }
      if (got >= 400) {
        const body = res.json();
        if (typeof body?.error?.message !== 'string' || !body.error.code) failures.push(`${r.method} ${r.path} as ${p.label}: error body not in the contract's shape`);
      }
    }
  }
  console.log(`[api matrix] ${cases} role × route cases on ${routes.length} routes × ${personas().length} callers`);
  expect(failures).toEqual([]);
  expect(cases).toBeGreaterThan(40 * 17);
  expect(await quietCounts(s)).toEqual(before);
});

test('a unit head never sees a petitioner\'s identity: not in any response, not in any e-mail', async () => {
  const head = s.token('unitHead');
  // Everything the unit head can read, once more, on top of what the matrix asked.
  for (const u of [`/api/rounds`, `/api/rounds/${s.roundId}`, `/api/rounds/${s.roundId}/units/${s.unitId}`, `/api/rounds/${s.roundId}/items`, `/api/rounds/${s.roundId}/units/${s.unitId}/items/p1`, '/api/tasks', `/api/rounds/${s.roundId}/statistics`, `/api/rounds/${s.roundId}/petitions`, '/api/clues', `/api/audit?roundId=${s.roundId}`]) {
    await s.call('GET', u, { token: head });
  }
  const headBodies = s.seen.filter((x) => x.role === 'unitHead');
  expect(headBodies.length).toBeGreaterThan(50);
  for (const secret of [INFORMANT.name, INFORMANT.phone, INFORMANT.email, '反映公务卡报销不规范']) {
    expect(headBodies.filter((x) => x.body.includes(secret)).map((x) => x.url)).toEqual([]);
  }
  // The group does see it (so the search above could have found it).
  expect(s.seen.some((x) => x.role === 'inspectionGroup' && x.body.includes(INFORMANT.phone))).toBe(true);
  const mails = await mailsTo(`head.${s.roundId}@unit.example.cn`);
  expect(mails.length).toBeGreaterThan(0);
  for (const m of mails) expect(`${m.subject}\n${m.text}`).not.toContain(INFORMANT.name);
});

test('the database itself refuses the unit reader role the confidential tables', async () => {
  const c = await s.h.pool.connect();
  try {
    for (const table of ['petitions', 'petition_informants', 'talks', 'clue_transfers', 'spot_checks', 'audit_log', 'tasks', 'login_links']) {
      await c.query('BEGIN');
      await c.query('SET LOCAL ROLE xuncha_unit_reader');
      await expect(c.query(`SELECT count(*) FROM ${table}`)).rejects.toThrow(/permission denied/);
      await c.query('ROLLBACK');
    }
    await c.query('BEGIN');
    await c.query('SET LOCAL ROLE xuncha_unit_reader');
    await expect(c.query('SELECT email FROM people LIMIT 1')).rejects.toThrow(/permission denied/);
    await c.query('ROLLBACK');
  } finally {
    c.release();
  }
});

test('the contract\'s confidentiality rules, pinned independently of the table', async () => {
  const head = s.token('unitHead');
  const base = `/api/rounds/${s.roundId}/units/${s.unitId}`;
  const hidden: [string, string][] = [
    ['GET', `/api/rounds/${s.roundId}/petitions`],
    ['GET', `/api/rounds/${s.roundId}/talks`],
    ['GET', '/api/clues'],
    ['GET', '/api/spot-checks'],
    ['GET', `/api/audit?roundId=${s.roundId}`],
    ['POST', `${base}/petitions`],
    ['POST', `${base}/clues`],
    ['POST', `${base}/spot-checks`],
    ['POST', `${base}/clues/c1/outcome`],
    ['GET', `/api/rounds/${s.roundId}/units/other-unit`],
    ['GET', `/api/rounds/other-round`],
  ];
  for (const [m, u] of hidden) expect([m, u, (await s.call(m as 'GET', u, { token: head, body: m === 'POST' ? {} : undefined })).statusCode]).toEqual([m, u, 404]);
  for (const u of [`${base}/items/p1/close`, `${base}/items/p1/reconcile`, `${base}/report/review`, '/api/rounds']) {
    expect([u, (await s.call('POST', u, { token: head, body: {} })).statusCode]).toEqual([u, 403]);
  }
  // Read-only leading group; discipline commission reads clues but cannot close items.
  expect((await s.call('POST', `${base}/items/p1/close`, { token: s.token('leadingGroup'), body: {} })).statusCode).toBe(403);
  expect((await s.call('POST', `${base}/items/p1/close`, { token: s.token('disciplineCommission'), body: {} })).statusCode).toBe(403);
  expect((await s.call('GET', '/api/clues', { token: s.token('disciplineCommission') })).statusCode).toBe(200);
  expect((await s.call('GET', `/api/rounds/${s.roundId}/petitions`, { token: s.token('disciplineCommission') })).statusCode).toBe(403);
});
