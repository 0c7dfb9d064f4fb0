// The audit trail records actor, time and what changed for every write: every kind of ledger event
// (the list is read from the LedgerEvent union in src/domain/events.ts, so a new kind without a case
// here fails this test) is applied once and its audit row checked; the notice outbox, the talent
// pool and group acceptance, written outside events, leave audit rows too.
import fs from 'node:fs';
import path from 'node:path';
import { createActivities } from '../src/activities';
import type { LedgerEvent } from '../src/domain/events';
import { DEFAULT_POLICY } from '../src/domain/policy';
import { markError, markSent, recordNotice } from '../src/ledger/notices';
import { acceptGroups, savePool } from '../src/ledger/pools';
import { harness, sampleRound, uid, unitOf, type Harness } from './support/helpers';

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(async () => h?.close());

/** Every `type: '…'` of the LedgerEvent union, from the source. */
function eventKinds(): string[] {
  const src = fs.readFileSync(path.join(__dirname, '../src/domain/events.ts'), 'utf8');
  const union = src.slice(src.indexOf('export type LedgerEvent ='));
  return [...new Set([...union.matchAll(/type: '([a-z.-]+)'/g)].map((m) => m[1]!))].sort();
}

function everyKind(roundId: string): LedgerEvent[] {
  const unitId = unitOf(roundId);
  const r = sampleRound(roundId);
  const head = r.units[0]!.head;
  const u = { roundId, unitId };
  let n = 0;
  const at = () => new Date(Date.UTC(2026, 2, 2, 1) + n++ * 3_600_000).toISOString();
  const base = (type: string, actor = 'system') => ({ eventKey: `${roundId}:${type}:${n}`, at: at(), actor });
  const informant = { name: '钱多多', phone: '13900001111' };
  return [
    { ...base('round.started', 'office-wang'), type: 'round.started', round: { ...r, kind: 'regular', policy: DEFAULT_POLICY, startedBy: 'office-wang' } },
    { ...base('unit.phase'), type: 'unit.phase', ...u, phase: 'stationing', timestamps: { stationingStartsAt: '2026-03-09T01:00:00.000Z' } },
    {
      ...base('task.opened'),
      type: 'task.opened',
      task: { taskId: 't1', roundId, unitId, kind: 'mobilisation-meeting', assigneeRole: 'unitHead', subject: '召开动员会', dueAt: '2026-03-12T01:00:00.000Z', workflowId: 'wf', updateName: 'completeTask' },
    },
    { ...base('task.rejected', 'head-x'), type: 'task.rejected', ...u, taskId: 't1', reason: '会议记录不全' },
    { ...base('task.closed', 'head-x'), type: 'task.closed', ...u, taskId: 't1', state: 'done', outcome: '已召开动员会' },
    {
      ...base('talk.recorded', 'inspector-chen'),
      type: 'talk.recorded',
      ...u,
      talk: {
        talkId: 'k1',
        by: 'inspector-chen',
        interviewee: { name: '李副局长', post: '副局长' },
        mustAsk: { decisionProcedure: { asked: true }, partyRegulations: { asked: true }, integrityWork: { asked: true }, dualDuty: { asked: true }, partyDues: { asked: true } },
      },
    },
    {
      ...base('file-check.recorded', 'inspector-chen'),
      type: 'file-check.recorded',
      ...u,
      check: {
        checkId: 'f1',
        by: 'inspector-chen',
        mustSee: { meetingMinutes: { checked: true }, studyNotes: { checked: true }, partyDuesLedger: { checked: true }, committeeMinutes: { checked: true }, accountingVouchers: { checked: true } },
      },
    },
    { ...base('questionnaire.recorded', 'inspector-chen'), type: 'questionnaire.recorded', ...u, questionnaire: { questionnaireId: 'q1', by: 'inspector-chen', distributed: 50, returned: 48, summary: '满意度较高' } },
    { ...base('petition.recorded', 'inspector-chen'), type: 'petition.recorded', ...u, petition: { petitionId: 'pt1', by: 'inspector-chen', receivedVia: 'phone', content: '反映违规发放津贴', informant } },
    ...['p1', 'p2'].map(
      (p): LedgerEvent => ({
        ...base('problem.recorded', 'inspector-chen'),
        type: 'problem.recorded',
        ...u,
        problem: { problemId: p, category: 'finance', title: `问题${p}`, facts: '经查阅会计凭证核实', evidence: ['底稿'], recordedBy: 'inspector-chen' },
      }),
    ),
    { ...base('problem.fixed-on-the-spot', 'head-x'), type: 'problem.fixed-on-the-spot', ...u, fix: { problemId: 'p2', by: 'head-x', measures: '当场清退', evidence: ['收据'] } },
    {
      ...base('clue.transferred', 'inspector-chen'),
      type: 'clue.transferred',
      ...u,
      clue: { clueId: 'c1', by: 'inspector-chen', to: 'disciplineCommission', summary: '涉嫌违纪线索', supervised: false },
      reportBackDue: '2026-09-01T15:59:59.999Z',
      workflowId: 'wf-clue',
    },
    { ...base('clue.overdue'), type: 'clue.overdue', ...u, clueId: 'c1' },
    { ...base('clue.reported-back', 'jiwei-x'), type: 'clue.reported-back', ...u, clueId: 'c1', outcome: { by: 'jiwei-x', outcome: '已立案', caseOpened: true, peopleDisciplined: 1 } },
    { ...base('report.submitted', 'inspector-chen'), type: 'report.submitted', ...u, summary: '巡察报告' },
    { ...base('report.reviewed', 'office-wang'), type: 'report.reviewed', ...u, stage: 'office', decision: 'approve', nextStage: 'leadingGroup' },
    { ...base('feedback.held', 'office-wang'), type: 'feedback.held', ...u },
    {
      ...base('plan.filed', head.personId),
      type: 'plan.filed',
      ...u,
      plan: { by: head.personId, items: [{ problemId: 'p1', measures: '建章立制', responsible: head, deadline: '2026-06-01T15:59:59.999Z', kind: 'time-limited' }] },
    },
    {
      ...base('item.issued'),
      type: 'item.issued',
      ...u,
      itemId: 'p1',
      problemId: 'p1',
      title: '问题p1',
      deadline: '2026-06-01T15:59:59.999Z',
      kind: 'time-limited',
      measures: '建章立制',
      responsible: head,
      workflowId: 'wf-item',
    },
    { ...base('item.step'), type: 'item.step', ...u, itemId: 'p1', step: 'green', colour: 'green' },
    { ...base('item.overdue'), type: 'item.overdue', ...u, itemId: 'p1', overdue: true },
    { ...base('item.progress', head.personId), type: 'item.progress', ...u, itemId: 'p1', generation: 1, seq: 1, status: 'mostly-done', note: '已制定制度', evidence: ['制度文件'] },
    { ...base('item.claimed', 'leader-x'), type: 'item.claimed', ...u, itemId: 'p1', leader: r.units[0]!.leaderInCharge! },
    { ...base('escalation'), type: 'escalation', ...u, escalationKey: 'p1:interview', itemId: 'p1', step: 'interview', detail: { overdueDays: 7 } },
    { ...base('item.reconciled', 'office-wang'), type: 'item.reconciled', ...u, itemId: 'p1', generation: 1, seq: 1, decision: 'close', evidence: ['制度文件'] },
    { ...base('item.reopened', 'ducha-x'), type: 'item.reopened', ...u, itemId: 'p1', deadline: '2026-12-01T15:59:59.999Z', verdict: 'relapsed', note: '问题反弹', checkId: 'look-back' },
    { ...base('rectification-report.submitted', head.personId), type: 'rectification-report.submitted', ...u, summary: '整改报告' },
    { ...base('self-examination.submitted', head.personId), type: 'self-examination.submitted', ...u, text: '深刻检查' },
    { ...base('self-examination.reviewed', 'office-wang'), type: 'self-examination.reviewed', ...u, decision: 'accept' },
    {
      ...base('spot-check.planned', 'ducha-x'),
      type: 'spot-check.planned',
      ...u,
      spotCheck: { spotCheckId: 'sc1', by: 'ducha-x', visitAt: '2026-10-01T01:00:00.000Z', target: '国库支付中心', team: ['孙组长'] },
      confidentialUntil: '2026-10-01T01:00:00.000Z',
    },
    { ...base('spot-check.started', 'ducha-x'), type: 'spot-check.started', ...u, spotCheckId: 'sc1' },
    { ...base('findings.recorded', 'ducha-x'), type: 'findings.recorded', ...u, kind: 'look-back', findings: { by: 'ducha-x', checkId: 'look-back', findings: [{ itemId: 'p1', verdict: 'relapsed', note: '反弹' }] } },
    { ...base('results.published', 'office-wang'), type: 'results.published', ...u, publication: { by: 'office-wang', summary: '整改情况公开', withheld: [] } },
    {
      ...base('letter.sent', 'office-wang'),
      type: 'letter.sent',
      roundId,
      letter: {
        letterId: 'l1',
        by: 'office-wang',
        department: { name: '县住建局', contact: { personId: `zj-${roundId}`, name: '钱科长', email: `zj.${roundId}@zj.example.cn` } },
        subject: '共性问题函告',
        problems: [
          { unitId, problemId: 'p1' },
          { unitId, problemId: 'p2' },
        ],
        deadline: '2026-07-01T15:59:59.999Z',
      },
      workflowId: 'wf-letter',
    },
    { ...base('letter.overdue'), type: 'letter.overdue', roundId, letterId: 'l1' },
    { ...base('letter.answered', `zj-${roundId}`), type: 'letter.answered', roundId, letterId: 'l1', measures: '已部署专项整治' },
    { ...base('round.bulletin'), type: 'round.bulletin', roundId, month: '2026-04' },
    { ...base('round.completed'), type: 'round.completed', roundId },
  ];
}

const IDENTIFIERS = new Set(['roundId', 'unitId', 'itemId', 'clueId', 'letterId', 'taskId', 'spotCheckId']);

test('every kind of ledger event leaves one audit row with actor, time and what changed', async () => {
  const roundId = uid('audit');
  const events = everyKind(roundId);
  const kinds = eventKinds();
  expect(kinds.length).toBeGreaterThanOrEqual(38);
  // Every kind of the union is walked here.
  expect([...new Set(events.map((e) => e.type))].sort()).toEqual(kinds);
  const acts = createActivities(h);
  for (const e of events) expect(await acts.recordEvent(e)).toEqual({ applied: true });

  for (const e of events) {
    const { rows } = await h.pool.query(`SELECT event_type, actor, occurred_at, recorded_at, entity, entity_id, details FROM audit_log WHERE event_key = $1`, [e.eventKey]);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row.event_type).toBe(e.type);
    expect(row.actor).toBe(e.actor);
    expect(row.actor.length).toBeGreaterThan(0);
    expect(row.occurred_at.toISOString()).toBe(e.at);
    expect(row.recorded_at).toBeInstanceOf(Date);
    expect(row.entity_id.length).toBeGreaterThan(0);
    // What changed: more than the identifiers of the subject.
    const changed = Object.keys(row.details).filter((k) => !IDENTIFIERS.has(k) && row.details[k] !== undefined);
    if (changed.length === 0) throw new Error(`${e.type}: the audit row says what it is about but not what changed: ${JSON.stringify(row.details)}`);
  }
  // The informant is recorded apart, never in the audit trail.
  const trail = JSON.stringify((await h.pool.query(`SELECT details FROM audit_log WHERE round_id = $1`, [roundId])).rows);
  expect(trail).not.toContain('钱多多');
  expect(trail).not.toContain('13900001111');
  process.stdout.write(`[audit] ${kinds.length} event kinds, ${events.length} events, each with actor, time and change\n`);
});

test('writes outside workflow events are audited too: the notice outbox, the talent pool, group acceptance', async () => {
  const roundId = uid('audit-out');
  const recipient = { personId: `office-${roundId}`, name: '巡察办', email: `office.${roundId}@xuncha.example.cn`, role: 'office' as const };
  const key = `round/${roundId}:audit-probe`;
  const round = sampleRound(roundId);
  await createActivities(h).recordEvent({ type: 'round.started', eventKey: `${roundId}:started`, at: new Date().toISOString(), actor: 'office-wang', round: { ...round, kind: 'regular', policy: DEFAULT_POLICY, startedBy: 'office-wang' } });
  await recordNotice(h.pool, { key, roundId, template: 'urge', recipient, subject: '【催办】测试' });
  await recordNotice(h.pool, { key, roundId, template: 'urge', recipient, subject: '【催办】测试' }); // a retry: nothing new
  await markError(h.pool, key, 'connect ECONNREFUSED', false); // transient: stays on the row, not a state change
  await markSent(h.pool, key, '<probe@xuncha>');
  // Each recording of a pending notice counts a send attempt; a sent one is returned unchanged.
  const again = await recordNotice(h.pool, { key, roundId, template: 'urge', recipient, subject: '【催办】测试' });
  expect([again.state, again.attempts, again.provider_message_id]).toEqual(['sent', 2, '<probe@xuncha>']);
  const badKey = `round/${roundId}:audit-probe-bad`;
  await recordNotice(h.pool, { key: badKey, roundId, template: 'urge', recipient, subject: '【催办】测试' });
  await markError(h.pool, badKey, '550 mailbox unavailable', true);
  const notices = await h.pool.query(`SELECT event_type, actor, entity_id, details FROM audit_log WHERE entity = 'notice' AND round_id = $1 ORDER BY audit_id`, [roundId]);
  expect(notices.rows.map((r) => [r.event_type, r.entity_id, r.details.state])).toEqual([
    ['notice.recorded', key, 'pending'],
    ['notice.sent', key, 'sent'],
    ['notice.recorded', badKey, 'pending'],
    ['notice.failed', badKey, 'failed'],
  ]);
  for (const r of notices.rows) expect(r.actor).toBe('system');

  const member = { personId: `talent-${roundId}`, name: '人才库成员', pool: 'talent' as const, expertise: ['finance' as const], homeCounty: '海勃湾区' };
  await savePool(h.pool, [member], 'office-wang');
  await savePool(h.pool, [member], 'office-wang'); // unchanged: nothing new
  await savePool(h.pool, [{ ...member, available: false }], 'office-wang');
  const saved = await h.pool.query(`SELECT actor, details FROM audit_log WHERE entity = 'pool-member' AND entity_id = $1 ORDER BY audit_id`, [member.personId]);
  expect(saved.rows.map((r) => [r.actor, r.details.available])).toEqual([
    ['office-wang', true],
    ['office-wang', false],
  ]);

  await acceptGroups(h.pool, roundId, { groups: [{ unitId: unitOf(roundId), members: [{ personId: member.personId, name: member.name, reasons: ['财务专长'] }] }], exclusions: [], unmet: [] }, 'office-wang');
  const groups = await h.pool.query(`SELECT event_type, actor, details FROM audit_log WHERE entity = 'inspection-group' AND round_id = $1`, [roundId]);
  expect(groups.rows).toEqual([{ event_type: 'group.accepted', actor: 'office-wang', details: { members: [member.personId] } }]);
});
