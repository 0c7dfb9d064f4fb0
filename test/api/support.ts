// Shared set-up for the API tests: the real API (app.inject) over a time-skipping Temporal server
// with the real workers, the real ledger and SMTP receiver, and one round driven through the API
// itself to rectification (talks, a petition with an informant, problems, a clue, report, plan).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { signToken, type ClaimsInput, type Role } from '../../src/api/auth';
import { buildApi } from '../../src/api/server';
import { waitForPhase } from '../../src/client/drive';
import { eventually, sampleRound, stripEmails, uid, unitOf } from '../support/helpers';
import { DAY, lifecycleSuite, problem, type Suite } from '../support/lifecycle';

export const INFORMANT = { name: '钱多多举报人', phone: '13900001111', email: 'qian.informant@example.cn' };

export interface ApiSuite extends Suite {
  app: FastifyInstance;
  roundId: string;
  unitId: string;
  evidenceId: string;
  taskId: string;
  feedbackAt: string;
  token(role: Role | 'none', scope?: 'own' | 'otherRound' | 'otherUnit'): string | undefined;
  call(method: 'GET' | 'POST', url: string, o?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** Every response body the tests saw, per persona, for the confidentiality checks. */
  seen: { role: string; url: string; body: string }[];
}

const personOf = (role: Role, roundId: string): string =>
  ({ office: `office-${roundId}`, leadingGroup: `lg-${roundId}`, inspectionGroup: `group-${roundId}`, unitHead: `head-${roundId}`, disciplineCommission: `jiwei-${roundId}`, supervisionGroup: `ducha-${roundId}` })[role];

export function apiSuite(): ApiSuite {
  const s = lifecycleSuite() as ApiSuite;
  s.seen = [];
  beforeAll(async () => {
    s.roundId = uid('api');
    s.unitId = unitOf(s.roundId);
    s.app = buildApi({ pool: s.h.pool, xc: s.xc, config: s.h.config, mailer: s.h.mailer }, { console: false });
    await s.app.ready();
    s.token = (role, scope = 'own') => {
      if (role === 'none') return undefined;
      const roundScoped = role === 'disciplineCommission' || role === 'supervisionGroup' || role === 'unitHead' || role === 'inspectionGroup';
      const unitScoped = role === 'unitHead' || role === 'inspectionGroup';
      const claims: ClaimsInput = {
        sub: personOf(role, s.roundId),
        name: role,
        role,
        scope:
          scope === 'otherRound'
            ? { roundId: 'other-round', ...(unitScoped ? { unitId: s.unitId } : {}) }
            : scope === 'otherUnit'
              ? { roundId: s.roundId, unitId: 'other-unit' }
              : { ...(roundScoped ? { roundId: s.roundId } : {}), ...(unitScoped ? { unitId: s.unitId } : {}) },
      };
      return signToken(claims, s.h.config.API_TOKEN_SECRET, 3600);
    };
    s.call = async (method, url, o = {}) => {
      const res = await s.app.inject({
        method,
        url,
        headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
        payload: o.body === undefined ? undefined : JSON.stringify(o.body),
      });
      s.seen.push({ role: o.token ? JSON.parse(Buffer.from(o.token.split('.')[1]!, 'base64url').toString()).role : 'none', url, body: res.body });
      return res;
    };
    await seedThroughApi(s);
  }, 240_000);
  afterAll(async () => {
    await s.app?.close();
  });
  return s;
}

const ok = (res: LightMyRequestResponse, status = 200) => {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.json();
};

async function seedThroughApi(s: ApiSuite): Promise<void> {
  const { roundId, unitId } = s;
  const base = `/api/rounds/${roundId}/units/${unitId}`;
  const office = s.token('office');
  const group = s.token('inspectionGroup');
  const head = s.token('unitHead');
  // A second unit, so a common issue (共性问题) can span two units.
  const setup = stripEmails(sampleRound(roundId));
  const second = { unitId: `${unitId}-2`, name: '县教育局', sector: 'municipal' as const, head: { personId: `head2-${roundId}`, name: '孙局长', email: `head2.${roundId}@unit.example.cn` } };
  ok(await s.call('POST', '/api/rounds', { token: office, body: { ...setup, units: [...setup.units, second] } }), 201);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'preparation');
  // Preparation: the discipline commission answers its information request through its route; the
  // office completes the audit office's from the inbox; the group holds the mobilisation meeting.
  const jiwei = s.token('disciplineCommission');
  await eventually(async () => (await s.h.pool.query(`SELECT 1 FROM tasks WHERE round_id = $1 AND unit_id = $2 AND (kind = 'mobilisation-meeting' OR task_id LIKE '%:info:auditOffice')`, [roundId, unitId])).rowCount === 2);
  ok(await s.call('POST', `${base}/info-request/reply`, { token: jiwei, body: { source: 'disciplineCommission', summary: '未发现班子成员问题线索。' } }));
  const { rows: prep } = await s.h.pool.query(`SELECT task_id, kind FROM tasks WHERE round_id = $1 AND unit_id = $2 AND state = 'open' AND kind IN ('info-request-reply', 'mobilisation-meeting') ORDER BY task_id`, [roundId, unitId]);
  const auditTask = prep.find((t: { task_id: string }) => t.task_id.endsWith(':info:auditOffice'))!;
  ok(await s.call('POST', `/api/tasks/${encodeURIComponent(auditTask.task_id)}/complete`, { token: office, body: { source: 'auditOffice', summary: '审计发现专项资金管理问题。' } }));
  const groupTasks = ok(await s.call('GET', '/api/tasks', { token: group })).items as { task_id: string; kind: string }[];
  const mobilisation = groupTasks.find((t) => t.kind === 'mobilisation-meeting')!;
  ok(await s.call('POST', `${base}/tasks/complete`, { token: group, body: { taskId: mobilisation.task_id, note: '已召开动员会' } }));
  await s.clock.advance(8 * DAY);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'stationing');
  const asked = { asked: true };
  ok(
    await s.call('POST', `${base}/talks`, {
      token: group,
      body: { talkId: 't1', interviewee: { name: '张局长', post: '局长' }, mustAsk: { decisionProcedure: asked, partyRegulations: asked, integrityWork: asked, dualDuty: asked, partyDues: asked } },
    }),
  );
  ok(await s.call('POST', `${base}/petitions`, { token: group, body: { petitionId: 'pt1', receivedVia: 'phone', content: '反映公务卡报销不规范。', informant: INFORMANT } }));
  ok(await s.call('POST', `${base}/problems`, { token: group, body: { ...problem('p1', '公务卡报销不规范'), recordedBy: undefined } }));
  ok(await s.call('POST', `${base}/problems`, { token: group, body: { ...problem('p2', '会议记录不全', 'party-building'), recordedBy: undefined } }));
  ok(await s.call('POST', `${base}/file-checks`, { token: group, body: { checkId: 'f1', mustSee: Object.fromEntries(['meetingMinutes', 'studyNotes', 'partyDuesLedger', 'committeeMinutes', 'accountingVouchers'].map((k) => [k, { checked: true }])) } }));
  ok(await s.call('POST', `${base}/questionnaires`, { token: group, body: { questionnaireId: 'q1', distributed: 50, returned: 46, summary: '群众满意度较高。' } }));
  ok(await s.call('POST', `${base}/problems`, { token: group, body: { ...problem('p3', '办公用房超标'), recordedBy: undefined } }));
  ok(await s.call('POST', `${base}/fix-on-the-spot`, { token: group, body: { problemId: 'p3', measures: '已腾退超标面积。', evidence: ['腾退确认单'] } }));
  ok(await s.call('POST', `/api/rounds/${roundId}/units/${unitId}-2/problems`, { token: office, body: { ...problem('p1', '公务卡报销不规范'), recordedBy: undefined } }));
  ok(await s.call('POST', `${base}/clues`, { token: group, body: { clueId: 'c1', to: 'disciplineCommission', summary: '某科长涉嫌违规收受礼金', problemId: 'p1' } }));
  await s.clock.advance(31 * DAY);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'report');
  ok(await s.call('POST', `${base}/report`, { token: group, body: { summary: '巡察报告：发现问题两个。' } }));
  for (const stage of ['office', 'leadingGroup', 'secretaryMeeting']) ok(await s.call('POST', `${base}/report/review`, { token: office, body: { stage, decision: 'approve' } }));
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'feedback');
  const fb = ok(await s.call('POST', `${base}/feedback`, { token: office, body: {} }));
  s.feedbackAt = fb.result.feedbackAt;
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'rectification');
  const headPerson = sampleRound(roundId).units[0]!.head;
  const deadline = new Date(Date.parse(s.feedbackAt) + 60 * DAY).toISOString();
  ok(
    await s.call('POST', `${base}/plan`, {
      token: head,
      body: { items: ['p1', 'p2'].map((problemId) => ({ problemId, measures: '建立制度，逐项整改。', responsible: headPerson, deadline, kind: 'time-limited' })) },
    }),
  );
  await eventually(async () => (await s.h.pool.query('SELECT count(*)::int AS n FROM rectification_items WHERE round_id = $1', [roundId])).rows[0].n === 2);
  // Evidence: upload, then cite it in a progress report.
  const up = await s.app.inject({
    method: 'POST',
    url: `${base}/items/p1/evidence`,
    headers: { authorization: `Bearer ${head}`, 'content-type': 'multipart/form-data; boundary=XUNCHA' },
    payload: multipartBody('file', '整改台账.txt', 'text/plain', '公务卡管理办法已印发。'),
  });
  s.evidenceId = ok(up, 201).evidenceId;
  ok(await s.call('POST', `${base}/items/p1/progress`, { token: head, body: { status: 'mostly-done', note: '已制定公务卡管理办法。', evidenceFileIds: [s.evidenceId] } }));
  const tasks = await eventually(async () => {
    const r = ok(await s.call('GET', '/api/tasks', { token: head }));
    return r.items.length > 0 && r.items;
  });
  s.taskId = tasks[0].task_id;
}

export function multipartBody(field: string, filename: string, type: string, content: string | Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--XUNCHA\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from('\r\n--XUNCHA--\r\n'),
  ]);
}

/** Row counts of every table a write could touch: equal before and after means nothing changed. */
/**
 * Row counts of every ledger table, as this suite can see them. Other test files run in parallel
 * against the same database, so rows of *their* rounds (ids made by `uid()`: `<prefix>-<8 hex>`)
 * are left out; everything else counts, our own round, 'other-round', ids no test made, and rows
 * with no round at all, so a refused request that wrote anywhere but a sibling suite's round shows.
 */
export async function ledgerCounts(s: ApiSuite): Promise<Record<string, number>> {
  const tables = [
    'audit_log', 'rounds', 'round_units', 'tasks', 'notices', 'problems', 'petitions', 'petition_informants', 'talks', 'file_checks', 'questionnaires',
    'clue_transfers', 'rectification_items', 'rectification_plans', 'progress_reports', 'reconciliations', 'escalations', 'self_examinations',
    'look_backs', 'spot_checks', 'disclosures', 'common_issue_letters', 'evidence_files', 'inspection_groups',
  ];
  const sibling = (col: string) => `(${col} ~ '^[a-z-]+-[0-9a-f]{8}($|-)' AND ${col} NOT LIKE $1 || '%')`;
  // Audit rows without a round (pool saves, login-link notices) are counted when they name this suite: other
  // files running in parallel write their own.
  const ownUnscopedAudit = `(round_id IS NULL AND (actor LIKE '%' || $1 || '%' OR entity_id LIKE '%' || $1 || '%' OR details::text LIKE '%' || $1 || '%'))`;
  const siblingPerson = `(person_id ~ '-[a-z]+-[0-9a-f]{8}$' AND person_id NOT LIKE '%' || $1)`;
  const { rows } = await s.h.pool.query(
    [
      ...tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ${t} WHERE ${t === 'audit_log' ? ownUnscopedAudit : 'round_id IS NULL'} OR NOT ${sibling('round_id')}`),
      `SELECT 'closed_items' AS t, count(*)::int AS n FROM rectification_items WHERE state = 'closed' AND NOT ${sibling('round_id')}`,
      `SELECT 'login_links' AS t, count(*)::int AS n FROM login_links WHERE NOT ${siblingPerson}`,
    ].join(' UNION ALL '),
    [s.roundId],
  );
  return Object.fromEntries(rows.map((r: { t: string; n: number }) => [r.t, r.n]));
}

/** Wait until the workers have stopped writing (notices, reminders) so counts compare cleanly. */
export async function quietCounts(s: ApiSuite): Promise<Record<string, number>> {
  let last = await ledgerCounts(s);
  let stable = 0;
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = await ledgerCounts(s);
    stable = JSON.stringify(now) === JSON.stringify(last) ? stable + 1 : 0;
    if (stable >= 3) return now; // unchanged for about a second
    last = now;
  }
  return last;
}
