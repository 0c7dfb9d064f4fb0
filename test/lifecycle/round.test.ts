// Round-wide mechanisms: common-issue letters, long-term items outliving the round, the monthly bulletin.
// (Continue-as-new is tested on the dev server: the time-skipping server stops skipping time for the
// children of a workflow that continued as new, sdk-java#1540.)
import { waitForPhase } from '../../src/client/drive';
import { itemWorkflowId, letterWorkflowId, roundWorkflowId } from '../../src/domain/ids';
import type { RoundStatus } from '../../src/domain/status';
import { eventually, mailsTo, sampleRound, stripEmails, uid, waitForMail } from '../support/helpers';
import { recordHistory } from '../support/histories';
import { DAY, lifecycleSuite, problem, roundInRectification, rows } from '../support/lifecycle';

const s = lifecycleSuite();

test('a common-issue letter to a functional department is reminded, escalated when late, and closed by its answer', async () => {
  const roundId = uid('letter');
  const round = sampleRound(roundId);
  const first = round.units[0]!;
  const second = { ...first, unitId: `edu-${roundId}`, name: '县教育局', head: { ...first.head, personId: `edu-head-${roundId}`, email: `edu.${roundId}@unit.example.cn` } };
  await s.xc.startRound({ ...stripEmails(round), units: [first, second] }, 'office-wang');
  await waitForPhase(s.xc, s.clock, roundId, first.unitId, 'preparation');
  const contact = { personId: `czj-${roundId}`, name: '财政局预算科李科长', email: `czj.${roundId}@dept.example.cn` };
  const deadline = new Date((await s.env.currentTimeMs()) + 30 * DAY).toISOString();
  const letter = {
    letterId: 'l1',
    by: 'office-wang',
    department: { name: '县财政局（职能部门）', contact },
    subject: '财务管理制度不规范',
    problems: [
      { unitId: first.unitId, problemId: 'p1' },
      { unitId: second.unitId, problemId: 'p7' },
    ],
    deadline,
  };
  await expect(s.xc.sendCommonIssueLetter(roundId, { ...letter, problems: [letter.problems[0], letter.problems[0]] })).rejects.toThrow(
    'sendCommonIssueLetter: problems: a common issue is one seen in at least two units',
  );
  await s.xc.sendCommonIssueLetter(roundId, letter);
  const sent = await waitForMail(contact.email, '【共性问题函告】');
  expect(sent.text).toContain('县财政局、县教育局等单位发现共性问题');
  await s.clock.advance(31 * DAY);
  await waitForMail(contact.email, '【函告办理提醒】');
  const overdue = await waitForMail(r_office(roundId), '【函告逾期】');
  expect(overdue.text).toContain('县财政局（职能部门）仍未反馈整改措施');
  await eventually(async () => (await s.xc.roundStatus(roundId)).letters[0]?.overdue);
  await s.xc.answerLetter(roundId, 'l1', { by: contact.personId, measures: '出台财务管理制度' });
  await s.env.client.workflow.getHandle(letterWorkflowId(roundId, 'l1')).result();
  await recordHistory('letter', s.env.client.workflow.getHandle(letterWorkflowId(roundId, 'l1')));
  expect((await s.xc.roundStatus(roundId)).letters).toEqual([{ letterId: 'l1', state: 'answered', overdue: true }]);
  expect(await rows(s, 'SELECT state, overdue, measures FROM common_issue_letters WHERE round_id = $1', [roundId])).toEqual([
    { state: 'answered', overdue: true, measures: '出台财务管理制度' },
  ]);
});
const r_office = (roundId: string) => sampleRound(roundId).emails.office;

test('a long-term item outlives the round with quarterly check-ins until the office ends it; the monthly bulletin goes out once a month', async () => {
  const r = await roundInRectification(s, {
    prefix: 'longterm',
    problems: [problem('p1', '制度执行需长期坚持', 'strict-governance'), problem('p2', '违规报销')],
    plan: [
      { problemId: 'p1', days: 90, kind: 'long-term' },
      { problemId: 'p2', days: 30 },
    ],
  });
  const { roundId, unitId } = r;
  await s.xc.closeItem(roundId, unitId, 'p2', { by: 'office-wang', evidence: ['退款凭证'] });
  await s.xc.unitStep(roundId, unitId, 'submitRectificationReport', { by: `head-${roundId}`, summary: '整改报告' });
  await s.clock.advance(100 * DAY);
  const checkIn = await waitForMail(r.emails.head, '【长期整改事项报告】');
  expect(checkIn.subject).toContain('制度执行需长期坚持');
  await s.xc.itemStep(roundId, unitId, 'p1', 'reportProgress', { by: `head-${roundId}`, status: 'mostly-done', note: '季度落实情况' });
  await s.clock.advance(90 * DAY);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'look-back');
  await s.xc.unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'look-back', findings: [] });
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'disclosure');
  await s.xc.unitStep(roundId, unitId, 'publishResults', { by: 'office-wang', summary: '公开' });
  const final = (await s.env.client.workflow.getHandle(roundWorkflowId(roundId)).result()) as RoundStatus;
  expect(final.units[0]).toMatchObject({ phase: 'closed', items: 2, closed: 1, longTermOpen: 1 });

  // The round is over; the long-term item is not.
  const item = s.env.client.workflow.getHandle(itemWorkflowId(roundId, unitId, 'p1'));
  expect((await item.describe()).status.name).toBe('RUNNING');
  await s.clock.advance(365 * DAY);
  const status = await s.xc.itemStatus(roundId, unitId, 'p1');
  expect(status.checkIns).toBeGreaterThanOrEqual(6);
  expect(status.state).toBe('open');
  await s.xc.closeItem(roundId, unitId, 'p1', { by: 'office-wang', evidence: ['长效机制运行一年评估'] });
  await item.result();
  const checkIns = await rows(s, `SELECT count(*)::int AS n FROM notices WHERE round_id = $1 AND template = 'long-term-check-in'`, [roundId]);
  expect(checkIns[0].n).toBe(status.checkIns);
  // The quarterly check-in task was closed by the progress report.
  expect(await rows(s, `SELECT state FROM tasks WHERE round_id = $1 AND kind = 'long-term-check-in' ORDER BY created_at LIMIT 1`, [roundId])).toEqual([{ state: 'done' }]);

  // 微督报: one digest per month to the office and the leading group while the round ran, none twice.
  const bulletins = (await mailsTo(r.emails.office)).filter((m) => m.subject.startsWith('【微督报】'));
  const months = bulletins.map((m) => m.subject.match(/（(\d{4}-\d{2})）/)![1]);
  expect(new Set(months).size).toBe(months.length);
  expect(months.length).toBe(final.bulletins.length);
  expect(months.length).toBeGreaterThanOrEqual(8);
  expect(bulletins.at(-1)!.text).toMatch(/县财政局：整改率50%（1\/2），逾期0项/);
});
