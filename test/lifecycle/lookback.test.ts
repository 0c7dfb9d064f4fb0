// 回头看, 突击察访 and petitions alleging false rectification: relapse reopens items with a shorter
// deadline and a ladder that starts at 约谈; a spot check is invisible to the unit until the visit.
import { roundWorkflowId } from '../../src/domain/ids';
import { waitForPhase } from '../../src/client/drive';
import type { RoundStatus } from '../../src/domain/status';
import { eventually, mailsTo, waitForMail } from '../support/helpers';
import { DAY, lifecycleSuite, problem, roundInRectification, rows } from '../support/lifecycle';

const s = lifecycleSuite();
const close = (roundId: string, unitId: string, itemId: string) => s.xc.closeItem(roundId, unitId, itemId, { by: 'office-wang', evidence: ['佐证材料'] });

test('a relapse found by the look-back reopens a closed item: shorter deadline, 约谈 at once, referral when it lapses again', async () => {
  const r = await roundInRectification(s, {
    prefix: 'relapse',
    problems: [problem('p1', '违规发放津补贴'), problem('p2', '会议记录不全', 'party-building')],
    plan: [
      { problemId: 'p1', days: 30 },
      { problemId: 'p2', days: 30 },
    ],
  });
  const { roundId, unitId } = r;
  await close(roundId, unitId, 'p1');
  await close(roundId, unitId, 'p2');
  await s.xc.unitStep(roundId, unitId, 'submitRectificationReport', { by: `head-${roundId}`, summary: '整改报告' });
  await s.clock.advance(190 * DAY);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'look-back');
  await waitForMail(r.emails.supervision, '【回头看】');
  const { reopened } = await s.xc.unitStep(roundId, unitId, 'recordFindings', {
    by: `ducha-${roundId}`,
    checkId: 'look-back',
    findings: [
      { itemId: 'p1', verdict: 'relapsed', note: '津补贴又以加班费名义发放' },
      { itemId: 'p2', verdict: 'sustained', note: '已规范' },
    ],
  });
  expect(reopened).toEqual(['p1']);
  const reopenedMail = await waitForMail(r.emails.head, '【整改事项重新打开】');
  expect(reopenedMail.text).toContain('存在问题反弹情况');
  const interview = await waitForMail(r.emails.leadingGroup, '【约谈通知】');
  expect(interview.subject).toBe('【约谈通知】县财政局整改不力，领导小组成员将约谈主要负责人');
  // The step is marked fired once its notice, task and ledger rows are all written.
  let item = await eventually(async () => {
    const i = await s.xc.itemStatus(roundId, unitId, 'p1');
    return i.firedSteps.length > 0 && i;
  });
  expect(item).toMatchObject({ state: 'open', reopened: 1, firedSteps: ['interview'] });
  expect((Date.parse(item.deadline) - (await s.env.currentTimeMs())) / DAY).toBeGreaterThan(29);
  expect((Date.parse(item.deadline) - (await s.env.currentTimeMs())) / DAY).toBeLessThan(31);

  await s.clock.advance(32 * DAY);
  item = await s.xc.itemStatus(roundId, unitId, 'p1');
  expect(item.firedSteps).toEqual(['interview', 'red', 'referral']);
  await waitForMail(r.emails.discipline, '【问责移送】');
  await close(roundId, unitId, 'p1');
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'disclosure');
  await s.xc.unitStep(roundId, unitId, 'publishResults', { by: 'office-wang', summary: '公开' });
  const final = (await s.env.client.workflow.getHandle(roundWorkflowId(roundId)).result()) as RoundStatus;
  expect(final.units[0]).toMatchObject({ phase: 'closed', items: 2, closed: 2 });
  expect(await rows(s, `SELECT item_id, reopened_count, state FROM rectification_items WHERE round_id = $1 ORDER BY item_id`, [roundId])).toEqual([
    { item_id: 'p1', reopened_count: 1, state: 'closed' },
    { item_id: 'p2', reopened_count: 0, state: 'closed' },
  ]);
});

test('an unannounced spot check: nothing reaches the unit before the visit, and fake rectification reopens the item', async () => {
  const r = await roundInRectification(s, { prefix: 'spot', problems: [problem('p1', '办公用房超标', 'work-style')], plan: [{ problemId: 'p1', days: 30 }] });
  const { roundId, unitId } = r;
  await close(roundId, unitId, 'p1');
  const unitMailsBefore = [...(await mailsTo(r.emails.head)), ...(await mailsTo(r.emails.secretary))].length;
  const visitAt = new Date((await s.env.currentTimeMs()) + 10 * DAY).toISOString();
  await s.xc.unitStep(roundId, unitId, 'planSpotCheck', { spotCheckId: 'sc1', by: 'office-wang', visitAt, target: '二级单位：县国库支付中心', team: ['孙磊', '李春艳'] });
  const plan = await waitForMail(r.emails.supervision, '【突击察访安排·内部】');
  expect(plan.text).toContain('县国库支付中心');
  // Before the visit the spot check cannot be reported on, and the unit has heard nothing.
  await expect(
    s.xc.unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'sc1', findings: [] }),
  ).rejects.toThrow('the spot check "sc1" has not started yet');
  await s.clock.advance(5 * DAY);
  expect([...(await mailsTo(r.emails.head)), ...(await mailsTo(r.emails.secretary))]).toHaveLength(unitMailsBefore);
  // Every ledger row that mentions it is held back from the unit until the visit.
  const now = new Date(await s.env.currentTimeMs()).toISOString();
  const visible = async (table: string) =>
    rows(s, `SELECT * FROM ${table} WHERE round_id = $1 AND (confidential_until IS NULL OR confidential_until <= $2)`, [roundId, now]);
  for (const table of ['tasks', 'notices']) {
    expect(JSON.stringify(await visible(table))).not.toMatch(/sc1|国库支付中心|突击/);
  }
  expect(JSON.stringify(await visible('audit_log'))).not.toMatch(/sc1|spot-check|国库支付中心/);
  expect(await visible('spot_checks')).toEqual([]);

  await s.clock.advance(6 * DAY);
  expect((await s.xc.unitStatus(roundId, unitId)).spotChecks).toEqual([{ spotCheckId: 'sc1', visitAt, state: 'started' }]);
  expect(await rows(s, `SELECT state FROM spot_checks WHERE round_id = $1`, [roundId])).toEqual([{ state: 'started' }]);
  const { reopened } = await s.xc.unitStep(roundId, unitId, 'recordFindings', {
    by: `ducha-${roundId}`,
    checkId: 'sc1',
    findings: [{ itemId: 'p1', verdict: 'fake', note: '超标用房仅更换门牌' }],
  });
  expect(reopened).toEqual(['p1']);
  const reopenedMail = await waitForMail(r.emails.head, '【整改事项重新打开】');
  expect(reopenedMail.text).toContain('存在虚假整改情况');
  expect(await rows(s, `SELECT kind FROM look_backs WHERE round_id = $1`, [roundId])).toEqual([{ kind: 'spot-check' }]);
});

test('a petition alleging false rectification starts the same re-check (004)', async () => {
  const r = await roundInRectification(s, { prefix: 'falsepet', problems: [problem('p1', '违规收费')], plan: [{ problemId: 'p1', days: 30 }] });
  const { roundId, unitId } = r;
  await close(roundId, unitId, 'p1');
  const res = await s.xc.unitStep(roundId, unitId, 'recordPetition', {
    petitionId: 'pet9',
    by: 'office-wang',
    receivedVia: 'letter',
    content: '他们在报纸上刊登的整改内容不属实，请认真核实。',
    informant: { name: '职工代表', phone: '13900000000' },
    allegesFalseRectificationOf: ['p1'],
  });
  expect(res).toEqual({ petitionId: 'pet9', recheck: true });
  await waitForMail(r.emails.supervision, '【回头看】');
  const task = await rows(s, `SELECT kind, assignee_role FROM tasks WHERE task_id LIKE $1`, [`%petition-pet9`]);
  expect(task).toEqual([{ kind: 'look-back', assignee_role: 'supervisionGroup' }]);
  await s.xc.unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'petition-pet9', findings: [{ itemId: 'p1', verdict: 'fake', note: '属实' }] });
  const item = await s.xc.itemStatus(roundId, unitId, 'p1');
  expect(item).toMatchObject({ state: 'open', reopened: 1 });
  // The informant never reaches the unit: not in any e-mail to its people.
  for (const m of [...(await mailsTo(r.emails.head)), ...(await mailsTo(r.emails.secretary))]) {
    expect(m.text + m.subject).not.toMatch(/职工代表|13900000000/);
  }
});
