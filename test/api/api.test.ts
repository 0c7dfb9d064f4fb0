// The API end to end on real servers: reads and writes by the people who do them, errors in the
// one shape, 409 on a racing close, 503 when Postgres or Temporal is away, a real listening socket.
import { Connection, Client } from '@temporalio/client';
import { waitForPhase } from '../../src/client/drive';
import { XunchaClient } from '../../src/client/xuncha-client';
import { buildApi } from '../../src/api/server';
import { createPool } from '../../src/ledger/pool';
import { savePool } from '../../src/ledger/pools';
import { eventually, mailsTo, waitForMail } from '../support/helpers';
import { apiSuite, INFORMANT, ledgerCounts, multipartBody, quietCounts } from './support';

const s = apiSuite();
const unitBase = () => `/api/rounds/${s.roundId}/units/${s.unitId}`;

test('the seeded round reads back through the API for the office, the group and the unit head', async () => {
  const office = s.token('office');
  const rounds = (await s.call('GET', '/api/rounds', { token: office })).json();
  expect(rounds.items.find((r: { round_id: string }) => r.round_id === s.roundId)).toMatchObject({ items: 2, items_closed: 0, rate_percent: 0 });

  const detail = await s.call('GET', `/api/rounds/${s.roundId}`, { token: office });
  expect(detail.statusCode).toBe(200);
  expect(detail.json().units.map((u: { unit_id: string }) => u.unit_id)).toEqual([s.unitId, `${s.unitId}-2`]);
  // The unit head sees its own unit of the round only.
  expect((await s.call('GET', `/api/rounds/${s.roundId}`, { token: s.token('unitHead') })).json().units.map((u: { unit_id: string }) => u.unit_id)).toEqual([s.unitId]);
  expect(detail.json().contacts.length).toBeGreaterThan(3);

  const items = (await s.call('GET', `/api/rounds/${s.roundId}/items?status=open`, { token: s.token('unitHead') })).json();
  expect(items.items.map((i: { item_id: string }) => i.item_id).sort()).toEqual(['p1', 'p2']);
  expect(items.items[0]).toMatchObject({ responsible_name: '张局长', state: 'open' });

  const item = (await s.call('GET', `${unitBase()}/items/p1`, { token: s.token('unitHead') })).json();
  expect(item.progress).toHaveLength(1);
  expect(item.progress[0].evidence.join(' ')).toContain(`evidence-file:${s.evidenceId}`);
  expect(item.evidenceFiles).toEqual([expect.objectContaining({ evidence_id: s.evidenceId, file_name: '整改台账.txt', size_bytes: Buffer.byteLength('公务卡管理办法已印发。') })]);

  const file = await s.call('GET', `/api/evidence/${s.evidenceId}`, { token: s.token('unitHead') });
  expect(file.statusCode).toBe(200);
  expect(file.body).toBe('公务卡管理办法已印发。');
  expect(file.headers['content-type']).toBe('text/plain');

  const unit = (await s.call('GET', unitBase(), { token: s.token('unitHead') })).json();
  expect(unit).toMatchObject({ phase: 'rectification', report: null });
  expect(unit.plan.items).toHaveLength(2);
  const unitForGroup = (await s.call('GET', unitBase(), { token: s.token('inspectionGroup') })).json();
  expect(unitForGroup.report).toMatchObject({ stage: 'approved' });

  const stats = (await s.call('GET', `/api/rounds/${s.roundId}/statistics`, { token: s.token('leadingGroup') })).json();
  expect(stats.round).toMatchObject({ items: 2, itemsClosed: 0, ratePercent: 0 });
  expect(stats.categories).toEqual([{ category: 'finance', problems: 3 }, { category: 'party-building', problems: 1 }]);
  // The unit head's statistics count its own unit only.
  const own = (await s.call('GET', `/api/rounds/${s.roundId}/statistics`, { token: s.token('unitHead') })).json();
  expect(own.units.map((u: { unitId: string }) => u.unitId)).toEqual([s.unitId]);
  expect(own.categories).toEqual([{ category: 'finance', problems: 2 }, { category: 'party-building', problems: 1 }]);
  expect(stats.overTime[0]).toMatchObject({ issued: 2, closed: 0 });

  const petitions = (await s.call('GET', `/api/rounds/${s.roundId}/petitions`, { token: s.token('inspectionGroup') })).json();
  expect(petitions.items).toEqual([expect.objectContaining({ petition_id: 'pt1', informant_name: INFORMANT.name, informant_phone: INFORMANT.phone })]);
  const petitionsForOffice = (await s.call('GET', `/api/rounds/${s.roundId}/petitions`, { token: office })).json();
  expect(petitionsForOffice.items[0]).not.toHaveProperty('informant_name');

  expect((await s.call('GET', `/api/rounds/${s.roundId}/talks`, { token: s.token('inspectionGroup') })).json().items).toHaveLength(1);
  const problems = (await s.call('GET', `/api/rounds/${s.roundId}/problems`, { token: s.token('disciplineCommission') })).json().items;
  expect(problems.map((p: { unit_id: string; problem_id: string; fixed_on_the_spot: boolean }) => [p.unit_id, p.problem_id, p.fixed_on_the_spot])).toEqual([
    [s.unitId, 'p1', false],
    [s.unitId, 'p2', false],
    [s.unitId, 'p3', true],
    [`${s.unitId}-2`, 'p1', false],
  ]);
  const clues = (await s.call('GET', '/api/clues', { token: s.token('disciplineCommission') })).json();
  expect(clues.items).toEqual([expect.objectContaining({ clue_id: 'c1', state: 'open', round_id: s.roundId })]);
  expect((await s.call('GET', '/api/escalations', { token: s.token('disciplineCommission') })).statusCode).toBe(200);
  expect((await s.call('GET', '/api/look-backs', { token: s.token('supervisionGroup') })).json().items).toEqual([]);
  expect((await s.call('GET', '/api/spot-checks', { token: s.token('supervisionGroup') })).json().items).toEqual([]);
  const audit = (await s.call('GET', `/api/audit?roundId=${s.roundId}`, { token: office })).json();
  expect(audit.items.map((a: { event_type: string }) => a.event_type)).toEqual(
    expect.arrayContaining(['round.started', 'petition.recorded', 'file-check.recorded', 'questionnaire.recorded', 'problem.fixed-on-the-spot', 'evidence.uploaded', 'item.progress']),
  );
  // Every write is attributed to the signed-in person, not to whatever a body might claim.
  expect(audit.items.find((a: { event_type: string }) => a.event_type === 'petition.recorded').actor).toBe(`group-${s.roundId}`);
  expect(audit.items.find((a: { event_type: string }) => a.event_type === 'item.progress').actor).toBe(`head-${s.roundId}`);
  // The preparation steps done through the API closed their tasks.
  const { rows: prep } = await s.h.pool.query(`SELECT task_id, state FROM tasks WHERE round_id = $1 AND unit_id = $2 AND (kind = 'mobilisation-meeting' OR task_id LIKE '%:info:auditOffice' OR task_id LIKE '%:info:disciplineCommission') ORDER BY task_id`, [s.roundId, s.unitId]);
  expect(prep.map((t: { state: string }) => t.state)).toEqual(['done', 'done', 'done']);
  expect((await s.call('GET', `/api/groups/proposal?roundId=${s.roundId}`, { token: office })).json()).toEqual({ items: [] });
  const me = (await s.call('GET', '/api/me', { token: s.token('unitHead') })).json();
  expect(me).toMatchObject({ personId: `head-${s.roundId}`, role: 'unitHead', roleLabel: '被巡察单位主要负责人', scope: { roundId: s.roundId, unitId: s.unitId } });
});

test('errors have one shape, name the field and the rule, in Chinese first', async () => {
  const res = await s.call('POST', `${unitBase()}/plan`, {
    token: s.token('unitHead'),
    body: { items: [{ problemId: 'p1', measures: 'x', responsible: { personId: 'a', name: 'A', email: 'a@b.cn' }, deadline: 'tomorrow', kind: 'time-limited' }] },
  });
  expect(res.statusCode).toBe(400);
  expect(res.json()).toEqual({
    error: { code: 'validation', message: expect.stringMatching(/^输入有误 — body\.items\.0\.deadline: must be an ISO date-time/), issues: [{ path: 'body.items.0.deadline', message: expect.any(String) }] },
  });
  const notJson = await s.app.inject({ method: 'POST', url: `${unitBase()}/problems`, headers: { authorization: `Bearer ${s.token('office')}`, 'content-type': 'application/json' }, payload: '{"oops' });
  expect(notJson.statusCode).toBe(400);
  expect(notJson.json().error.code).toBe('validation');
  const actor = await s.call('POST', `${unitBase()}/items/p1/progress`, { token: s.token('unitHead'), body: { by: 'someone-else', status: 'done', note: '完成' } });
  expect(actor.statusCode).toBe(400);
  expect(actor.json().error.issues).toEqual([{ path: 'body.by', message: 'must be the signed-in person' }]);
  const missing = await s.call('GET', '/api/nope', { token: s.token('office') });
  expect(missing.statusCode).toBe(404);
  expect(missing.json().error.code).toBe('not_found');
  const unknownEvidence = await s.call('POST', `${unitBase()}/items/p1/progress`, { token: s.token('unitHead'), body: { status: 'done', note: '完成', evidenceFileIds: ['00000000-0000-4000-8000-000000000000'] } });
  expect(unknownEvidence.statusCode).toBe(400);
  expect(unknownEvidence.json().error.issues[0].path).toBe('body.evidenceFileIds.0');
  // A deadline before feedback is refused by the workflow's validator: 400 naming the field.
  const early = await s.call('POST', `${unitBase()}/plan`, {
    token: s.token('unitHead'),
    body: { items: [{ problemId: 'p1', measures: '整改', responsible: { personId: 'a', name: 'A', email: 'a@b.cn' }, deadline: '2020-01-01T00:00:00+08:00', kind: 'time-limited' }] },
  });
  expect([400, 409]).toContain(early.statusCode);
  expect(early.json().error.message).toMatch(/fileRectificationPlan/);
});

test('evidence uploads: type, size and the item are checked; nothing stored when refused', async () => {
  const before = await quietCounts(s);
  const upload = (name: string, type: string, content: Buffer, item = 'p1') =>
    s.app.inject({
      method: 'POST',
      url: `${unitBase()}/items/${item}/evidence`,
      headers: { authorization: `Bearer ${s.token('unitHead')}`, 'content-type': 'multipart/form-data; boundary=XUNCHA' },
      payload: multipartBody('file', name, type, content),
    });
  const exe = await upload('virus.exe', 'application/x-msdownload', Buffer.from('MZ'));
  expect(exe.statusCode).toBe(400);
  expect(exe.json().error.message).toContain('不支持的文件类型');
  const big = await upload('big.pdf', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(10 * 1024 * 1024, 1)]));
  expect(big.statusCode).toBe(400);
  expect(big.json().error.issues[0].path).toBe('body.file');
  const renamed = await upload('report.pdf', 'application/pdf', Buffer.from('MZ\x90\x00 not a pdf'));
  expect(renamed.statusCode).toBe(400);
  expect(renamed.json().error.message).toContain('文件内容与类型');
  const empty = await upload('empty.pdf', 'application/pdf', Buffer.alloc(0));
  expect(empty.statusCode).toBe(400);
  const noItem = await upload('a.pdf', 'application/pdf', Buffer.from('%PDF-1.7'), 'no-such-item');
  expect(noItem.statusCode).toBe(404);
  expect(await ledgerCounts(s)).toEqual(before);
});

test('closing: the office closes an item, the rate changes, a second close is a 409 conflict', async () => {
  const close = () => s.call('POST', `${unitBase()}/items/p2/close`, { token: s.token('office'), body: { evidence: ['会议记录已补齐'] } });
  const results = await Promise.all([close(), close()]);
  expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
  const conflict = results.find((r) => r.statusCode === 409)!.json();
  expect(conflict.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/^操作冲突 — .*item "p2" is (already )?closed/) });
  const again = await close();
  expect(again.statusCode).toBe(409);
  const stats = (await s.call('GET', `/api/rounds/${s.roundId}/statistics`, { token: s.token('office') })).json();
  expect(stats.round).toMatchObject({ items: 2, itemsClosed: 1, ratePercent: 50 });
  // Reconcile (return) on the open one, and claim it: both accepted.
  const ret = await s.call('POST', `${unitBase()}/items/p1/reconcile`, {
    token: s.token('office'),
    body: { decision: 'return', reason: '佐证不足', newDeadline: new Date(Date.parse(s.feedbackAt) + 90 * 86_400_000).toISOString() },
  });
  expect(ret.statusCode).toBe(200);
  const claim = await s.call('POST', `${unitBase()}/items/p1/claim`, { token: s.token('office'), body: { leader: { personId: 'county-leader-x', name: '钱副县长', email: 'qian@county.example.cn' } } });
  expect(claim.statusCode).toBe(200);
  const unknownItem = await s.call('POST', `${unitBase()}/items/no-such-item/claim`, { token: s.token('office'), body: { leader: { personId: 'x', name: 'X', email: 'x@y.cn' } } });
  expect(unknownItem.statusCode).toBe(404);
});

test('the task inbox completes through the workflow; someone else\'s task is not found', async () => {
  const others = await s.call('POST', `/api/tasks/${encodeURIComponent(s.taskId)}/complete`, { token: s.token('inspectionGroup'), body: { note: '代办' } });
  expect(others.statusCode).toBe(404);
  const tasks = (await s.call('GET', '/api/tasks', { token: s.token('office') })).json();
  expect(tasks.items.every((t: { overdue: boolean }) => typeof t.overdue === 'boolean')).toBe(true);
});

test('letters and clue outcomes go to their workflows; unknown ones are 404', async () => {
  const letter = await s.call('POST', `/api/rounds/${s.roundId}/letters`, {
    token: s.token('office'),
    body: {
      letterId: 'l1',
      department: { name: '县财政局', contact: { personId: 'fin-contact', name: '财政局联络员', email: 'fin@county.example.cn' } },
      subject: '公务卡管理共性问题',
      problems: [
        { unitId: s.unitId, problemId: 'p1' },
        { unitId: `${s.unitId}-2`, problemId: 'p1' },
      ],
      deadline: new Date(Date.parse(s.feedbackAt) + 30 * 86_400_000).toISOString(),
    },
  });
  expect([letter.statusCode, letter.body]).toEqual([200, expect.stringContaining('"letterId":"l1"')]);
  const answered = await eventually(async () => {
    const r = await s.call('POST', `/api/rounds/${s.roundId}/letters/l1/answer`, { token: s.token('office'), body: { measures: '已出台公务卡管理办法。' } });
    return r.statusCode !== 404 && r;
  });
  expect(answered.statusCode).toBe(200);
  expect((await s.call('POST', `/api/rounds/${s.roundId}/letters/l1/answer`, { token: s.token('office'), body: { measures: '再答一次' } })).statusCode).toBe(409);
  const answer = await s.call('POST', `/api/rounds/${s.roundId}/letters/no-such-letter/answer`, { token: s.token('office'), body: { measures: '已整改' } });
  expect(answer.statusCode).toBe(404);
  const outcome = await s.call('POST', `${unitBase()}/clues/c1/outcome`, { token: s.token('disciplineCommission'), body: { outcome: '已立案审查', caseOpened: true, peopleDisciplined: 1 } });
  expect(outcome.statusCode).toBe(200);
  const twice = await s.call('POST', `${unitBase()}/clues/c1/outcome`, { token: s.token('disciplineCommission'), body: { outcome: '再报一次', caseOpened: true } });
  expect(twice.statusCode).toBe(409);
});

test('the OpenAPI document lists every route of the table with roles, schemas and error responses', async () => {
  const doc = (await s.call('GET', '/api/openapi.json')).json();
  expect(doc.openapi).toBe('3.1.0');
  const ops = Object.values(doc.paths as Record<string, Record<string, { operationId: string; 'x-roles': string[]; responses: Record<string, unknown> }>>).flatMap((p) => Object.values(p));
  expect(ops.length).toBeGreaterThanOrEqual(40);
  expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
  const plan = doc.paths['/api/rounds/{roundId}/units/{unitId}/plan'].post;
  expect(plan['x-roles']).toEqual(['unitHead', 'office']);
  expect(plan.requestBody.content['application/json'].schema.required).toEqual(['items']);
  expect(plan.responses['400'].content['application/json'].schema.properties.error).toBeDefined();
});

test('a real listening socket serves the same API', async () => {
  const address = await s.app.listen({ port: 0, host: '127.0.0.1' });
  const res = await fetch(`${address}/api/me`, { headers: { authorization: `Bearer ${s.token('office')}` } });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ role: 'office', roleLabel: '巡察办' });
  const anon = await fetch(`${address}/api/rounds`);
  expect(anon.status).toBe(401);
  expect(((await anon.json()) as { error: { message: string } }).error.message).toMatch(/^未登录或登录已失效 — /);
});

test('503 with a clear message when Postgres or Temporal cannot be reached; nothing changes', async () => {
  const before = await quietCounts(s);
  const deadPool = createPool('postgres://postgres:postgres@127.0.0.1:1/xuncha_test', 1);
  const connection = await Connection.connect({ address: '127.0.0.1:1', connectTimeout: 500 }).catch(() => Connection.lazy({ address: '127.0.0.1:1' }));
  const deadXc = new XunchaClient(new Client({ connection }));
  const app = buildApi({ pool: deadPool, xc: deadXc, config: s.h.config, mailer: s.h.mailer }, { console: false });
  const noDb = await app.inject({ method: 'GET', url: '/api/rounds', headers: { authorization: `Bearer ${s.token('office')}` } });
  expect(noDb.statusCode).toBe(503);
  expect(noDb.json().error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('PostgreSQL is unreachable') });
  const noTemporal = await app.inject({
    method: 'POST',
    url: `${unitBase()}/items/p1/progress`,
    headers: { authorization: `Bearer ${s.token('office')}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ status: 'done', note: '完成' }),
  });
  expect(noTemporal.statusCode).toBe(503);
  expect(noTemporal.json().error.message).toContain('Temporal is unreachable');
  await app.close();
  await deadPool.end();
  await connection.close().catch(() => undefined);
  expect(await ledgerCounts(s)).toEqual(before);
});

test('login by e-mailed one-time link: same answer for unknown addresses, the link works once', async () => {
  const headEmail = `head.${s.roundId}@unit.example.cn`;
  const ourLinks = async () => (await s.h.pool.query(`SELECT count(*)::int AS n FROM login_links WHERE person_id LIKE '%' || $1`, [s.roundId])).rows[0].n;
  const linksBefore = await ourLinks();
  const known = await s.call('POST', '/api/auth/login-link', { body: { email: headEmail.toUpperCase() } });
  const unknown = await s.call('POST', '/api/auth/login-link', { body: { email: `nobody.${s.roundId}@example.cn` } });
  expect(known.statusCode).toBe(202);
  expect(unknown.statusCode).toBe(202);
  expect(unknown.body).toBe(known.body);
  const bad = await s.call('POST', '/api/auth/login-link', { body: { email: 'not-an-email' } });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().error.issues[0].path).toBe('body.email');

  const mail = await waitForMail(headEmail, '【巡察系统】登录链接');
  expect(mail.text).toContain('每个链接仅可使用一次');
  const link = /https?:\/\/\S+\/api\/auth\/redeem\?t=([\w-]+)/.exec(mail.text);
  expect(link).not.toBeNull();
  const redeemed = await s.call('GET', `/api/auth/redeem?t=${link![1]}`);
  expect(redeemed.statusCode).toBe(200);
  expect(redeemed.json().me).toMatchObject({ personId: `head-${s.roundId}`, role: 'unitHead', scope: { roundId: s.roundId, unitId: s.unitId } });
  const me = await s.call('GET', '/api/me', { token: redeemed.json().token });
  expect(me.json()).toMatchObject({ role: 'unitHead', roleLabel: '被巡察单位主要负责人' });
  const again = await s.call('GET', `/api/auth/redeem?t=${link![1]}`);
  expect(again.statusCode).toBe(401);
  expect(again.json().error.message).toContain('已使用');
  // Only the known address got a link; the unknown one got nothing, not even a row.
  expect(await ourLinks()).toBe(linksBefore + 1);
  expect(await mailsTo(`nobody.${s.roundId}@example.cn`)).toEqual([]);
  // Both writes are audited with who, role and scope — never the link's secret.
  const audited = await s.h.pool.query(`SELECT event_type, actor, details FROM audit_log WHERE entity = 'login-link' AND actor = $1 ORDER BY audit_id`, [`head-${s.roundId}`]);
  expect(audited.rows.map((r) => [r.event_type, r.details.role, r.details.scope])).toEqual([
    ['login-link.issued', 'unitHead', { roundId: s.roundId, unitId: s.unitId }],
    ['login-link.redeemed', 'unitHead', { roundId: s.roundId, unitId: s.unitId }],
  ]);
  expect(JSON.stringify(audited.rows)).not.toContain(link![1]);

  // The office's link carries the office's reach (every round).
  await s.call('POST', '/api/auth/login-link', { body: { email: `office.${s.roundId}@xuncha.example.cn` } });
  const officeMail = await waitForMail(`office.${s.roundId}@xuncha.example.cn`, '【巡察系统】登录链接');
  const t = /redeem\?t=([\w-]+)/.exec(officeMail.text)![1];
  expect((await s.call('GET', `/api/auth/redeem?t=${t}`)).json().me).toMatchObject({ role: 'office', roleLabel: '巡察办', scope: {} });
});

test('a spot check planned by the supervision group stays invisible to the unit head before the visit', async () => {
  const visitAt = new Date(Date.parse(s.feedbackAt) + 70 * 86_400_000).toISOString();
  const planned = await s.call('POST', `${unitBase()}/spot-checks`, { token: s.token('supervisionGroup'), body: { spotCheckId: 'sc1', visitAt, target: '财务室凭证柜突击检查', team: ['督查组甲', '督查组乙'] } });
  expect(planned.statusCode).toBe(200);
  const seen = (await s.call('GET', '/api/spot-checks', { token: s.token('supervisionGroup') })).json();
  expect(seen.items).toEqual([expect.objectContaining({ spot_check_id: 'sc1', target: '财务室凭证柜突击检查' })]);
  expect((await s.call('GET', '/api/spot-checks', { token: s.token('unitHead') })).statusCode).toBe(404);
  const head = s.token('unitHead');
  for (const u of ['/api/tasks', unitBase(), `/api/rounds/${s.roundId}/items`, `/api/rounds/${s.roundId}`, `${unitBase()}/items/p1`]) {
    const body = (await s.call('GET', u, { token: head })).body;
    expect([u, body.includes('财务室凭证柜') || body.includes('sc1')]).toEqual([u, false]);
  }
  for (const m of await mailsTo(`head.${s.roundId}@unit.example.cn`)) expect(m.text).not.toContain('财务室凭证柜');
});

test('the unit head submits the rectification report; a second one is a conflict', async () => {
  const first = await s.call('POST', `${unitBase()}/rectification-report`, { token: s.token('unitHead'), body: { summary: '整改情况报告：两项问题已基本整改。' } });
  expect(first.statusCode).toBe(200);
  const second = await s.call('POST', `${unitBase()}/rectification-report`, { token: s.token('unitHead'), body: { summary: '再交一次' } });
  expect(second.statusCode).toBe(409);
  expect(second.json().error.message).toContain('already submitted');
  const unit = (await s.call('GET', unitBase(), { token: s.token('office') })).json();
  expect(unit.rectification_report_at).not.toBeNull();
});

test('groups are proposed from the pools with reasons; an empty pool is a clear refusal', async () => {
  const body = { units: [{ unitId: `gu-${s.roundId}`, name: '县水利局', sector: 'municipal', county: '东县' }], groupSize: 1 };
  const before = (await s.h.pool.query('SELECT count(*)::int AS n FROM pool_members')).rows[0].n;
  if (before === 0) {
    const empty = await s.call('POST', '/api/groups/propose', { token: s.token('office'), body });
    expect(empty.statusCode).toBe(409);
    expect(empty.json().error.message).toContain('人才库为空');
  }
  await savePool(s.h.pool, [
    { personId: `pl-${s.roundId}`, name: '组长甲', pool: 'leader', expertise: ['discipline'], homeCounty: '西县' },
    { personId: `pt-${s.roundId}`, name: '成员乙', pool: 'talent', expertise: ['finance'], homeCounty: '西县', formerUnitIds: [] },
    { personId: `px-${s.roundId}`, name: '成员丙', pool: 'talent', expertise: ['audit'], homeCounty: '东县', currentUnitId: `gu-${s.roundId}` },
  ]);
  const res = await s.call('POST', '/api/groups/propose', { token: s.token('office'), body });
  expect(res.statusCode).toBe(200);
  const proposal = res.json();
  // Other test files add to the same pools, so the pick may be any qualified leader: one from the
  // leader pool, not from the unit's own county (东县), never the excluded member.
  expect(proposal.groups[0]).toMatchObject({ unitId: `gu-${s.roundId}` });
  const { rows: leaders } = await s.h.pool.query(`SELECT person_id FROM pool_members WHERE pool = 'leader' AND home_county <> '东县'`);
  expect(leaders.map((r: { person_id: string }) => r.person_id)).toContain(proposal.groups[0].leader.personId);
  expect(proposal.exclusions).toEqual(expect.arrayContaining([expect.objectContaining({ personId: `px-${s.roundId}`, rule: 'former-unit' })]));
  expect((await s.call('POST', '/api/groups/propose', { token: s.token('leadingGroup'), body })).statusCode).toBe(403);
});

test('a browser clicking the e-mailed link is redirected to the console with the session in the fragment', async () => {
  await s.call('POST', '/api/auth/login-link', { body: { email: `jiwei.${s.roundId}@jiwei.example.cn` } });
  const mail = await waitForMail(`jiwei.${s.roundId}@jiwei.example.cn`, '【巡察系统】登录链接');
  const t = /redeem\?t=([\w-]+)/.exec(mail.text)![1];
  const res = await s.app.inject({ method: 'GET', url: `/api/auth/redeem?t=${t}`, headers: { accept: 'text/html,application/xhtml+xml' } });
  expect(res.statusCode).toBe(302);
  const token = /#token=(.+)$/.exec(res.headers.location as string)![1]!;
  expect((await s.call('GET', '/api/me', { token })).json()).toMatchObject({ role: 'disciplineCommission', scope: { roundId: s.roundId } });
});

test('export routes pass each caller only their scope (wiring, with recording exporters in place of src/exports)', async () => {
  // The real exporters belong to src/exports; here they only record what the API asked them for.
  const asked: unknown[] = [];
  const app = buildApi(
    {
      pool: s.h.pool,
      xc: s.xc,
      config: s.h.config,
      mailer: s.h.mailer,
      exports: {
        buildLedgerWorkbook: async (_pool, roundId, opts) => (asked.push({ roundId, opts }), Buffer.from('xlsx')),
        renderNoticePrint: async (_pool, noticeId) => `<html><body>通知 ${noticeId}</body></html>`,
      },
    },
    { console: false },
  );
  const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect((await get(`/api/rounds/${s.roundId}/ledger.xlsx`, s.token('office'))).statusCode).toBe(200);
  const own = await get(`/api/rounds/${s.roundId}/ledger.xlsx`, s.token('unitHead'));
  expect(own.statusCode).toBe(200);
  expect(own.headers['content-type']).toContain('spreadsheetml');
  expect((await get(`/api/rounds/${s.roundId}/ledger.xlsx?unitId=${s.unitId}-2`, s.token('unitHead'))).statusCode).toBe(404);
  expect((await get(`/api/rounds/${s.roundId}/ledger.xlsx`, s.token('disciplineCommission'))).statusCode).toBe(403);
  expect(asked).toEqual([
    { roundId: s.roundId, opts: {} },
    { roundId: s.roundId, opts: { unitId: s.unitId } },
  ]);
  // A notice addressed to the unit's head (a unit never prints the requests to other offices about it).
  const notice = async (unitId: string) =>
    (await s.h.pool.query(`SELECT notice_id::text AS id FROM notices WHERE round_id = $1 AND unit_id = $2 AND confidential_until IS NULL AND recipient_role = 'unitHead' ORDER BY notice_id LIMIT 1`, [s.roundId, unitId])).rows[0].id as string;
  const mine = await get(`/api/notices/${await notice(s.unitId)}/print`, s.token('unitHead'));
  expect(mine.statusCode).toBe(200);
  expect(mine.headers['content-type']).toContain('text/html');
  expect((await get(`/api/notices/${await notice(`${s.unitId}-2`)}/print`, s.token('unitHead'))).statusCode).toBe(404);
  expect((await get(`/api/notices/${await notice(`${s.unitId}-2`)}/print`, s.token('office'))).statusCode).toBe(200);
  const doc = (await get('/api/openapi.json')).json();
  expect(doc.paths['/api/rounds/{roundId}/ledger.xlsx'].get.responses['200'].content).toHaveProperty(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
  await app.close();
});

test('self-examination, look-back findings and disclosure through the API, to the end of the round', async () => {
  const office = s.token('office');
  const ducha = s.token('supervisionGroup');
  const head = s.token('unitHead');
  // Past the rectification report's due date with p1 still open: a self-examination is demanded.
  expect((await s.call('POST', `${unitBase()}/self-examination/review`, { token: ducha, body: { decision: 'accept' } })).statusCode).toBe(409);
  await s.clock.advance(75 * 86_400_000);
  const task = await eventually(async () => ((await s.call('GET', '/api/tasks', { token: head })).json().items as { kind: string }[]).find((t) => t.kind === 'self-examination'));
  expect(task).toBeDefined();
  const exam = await s.call('POST', `${unitBase()}/self-examination`, { token: head, body: { text: '对公务卡整改未按期完成作出深刻检查。' } });
  expect([exam.statusCode, exam.body]).toEqual([200, expect.any(String)]);
  const review = await s.call('POST', `${unitBase()}/self-examination/review`, { token: ducha, body: { decision: 'accept' } });
  expect([review.statusCode, review.body]).toEqual([200, expect.any(String)]);
  expect((await s.call('GET', unitBase(), { token: head })).json().selfExamination).toMatchObject({ decision: 'accept' });
  expect((await s.call('POST', `${unitBase()}/items/p1/close`, { token: office, body: { evidence: ['公务卡管理办法'] } })).statusCode).toBe(200);
  await s.clock.advance(120 * 86_400_000);
  await waitForPhase(s.xc, s.clock, s.roundId, s.unitId, 'look-back');
  // The spot check's visit has started by now: its findings, then the look-back's.
  const sc = await s.call('POST', `${unitBase()}/findings`, { token: ducha, body: { checkId: 'sc1', findings: [{ itemId: 'p1', verdict: 'sustained', note: '凭证规范' }] } });
  expect([sc.statusCode, sc.body]).toEqual([200, expect.any(String)]);
  const lb = await s.call('POST', `${unitBase()}/findings`, {
    token: ducha,
    body: { checkId: 'look-back', findings: ['p1', 'p2'].map((itemId) => ({ itemId, verdict: 'sustained', note: '整改成果巩固' })) },
  });
  expect([lb.statusCode, lb.body]).toEqual([200, expect.any(String)]);
  const again = await s.call('POST', `${unitBase()}/findings`, { token: ducha, body: { checkId: 'look-back', findings: [] } });
  expect(again.statusCode).toBe(409);
  await waitForPhase(s.xc, s.clock, s.roundId, s.unitId, 'disclosure');
  const published = await s.call('POST', `${unitBase()}/results`, { token: office, body: { summary: '县财政局巡察整改情况公开。', withheld: [{ subject: '某科长案件', reason: 'case-under-way' }] } });
  expect([published.statusCode, published.body]).toEqual([200, expect.any(String)]);
  expect((await s.call('POST', `${unitBase()}/results`, { token: office, body: { summary: '再公开一次' } })).statusCode).toBe(409);
});
