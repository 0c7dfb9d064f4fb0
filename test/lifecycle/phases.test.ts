// Every phase of a unit, with its human steps, on the product's own timetable (time skipped).
import { clueWorkflowId, ITEM_TASK_QUEUE, itemWorkflowId, roundWorkflowId, unitWorkflowId, WORKFLOW_TASK_QUEUE } from '../../src/domain/ids';
import { patchesAfterFirstTask, recordHistory } from '../support/histories';
import type { RoundStatus } from '../../src/domain/status';
import { mailsTo, sampleRound, stripEmails, uid, unitOf, waitForMails } from '../support/helpers';
import { DAY, lifecycleSuite, problem, rows } from '../support/lifecycle';
import { waitForPhase } from '../../src/client/drive';

const s = lifecycleSuite();

test('a unit passes through every phase, each human step a task with a due date, into the ledger', async () => {
  const roundId = uid('phases');
  const unitId = unitOf(roundId);
  const round = sampleRound(roundId);
  const e = round.emails;
  await (async () => {
    const { xc, clock } = s;
    await xc.startRound(stripEmails(round), 'office-wang');
    const prep = await waitForPhase(xc, clock, roundId, unitId, 'preparation');
    expect(prep.phase).toBe('preparation');

    // 准备: information requests to four offices, the announcement to the unit, the mobilisation meeting.
    for (const to of [e.discipline, e.organisation, e.petitions, e.audit]) {
      const [m] = await waitForMails(to, 1);
      expect(m!.subject).toMatch(/^【巡察前情况通报】请于.+前提供县财政局有关情况$/);
    }
    const [announcement] = await waitForMails(e.head, 1);
    expect(announcement!.subject).toBe('【巡察公告】县委第九轮巡察进驻县财政局');
    expect(announcement!.text).toContain('联系电话：0571-88880001');
    expect(announcement!.text).toContain(`电子邮箱：xuncha1.${roundId}@xuncha.example.cn`);
    expect(announcement!.text).toContain('举报信箱：县政府大院东门巡察信箱');
    const [mobilisation] = await waitForMails(e.group, 1);
    expect(mobilisation!.subject).toMatch(/^【待办】召开县财政局巡察动员会/);
    let unit = await xc.unitStatus(roundId, unitId);
    expect(unit.openTasks.map((t) => t.kind).sort()).toEqual(['info-request-reply', 'info-request-reply', 'info-request-reply', 'info-request-reply', 'mobilisation-meeting']);
    await xc.unitStep(roundId, unitId, 'replyInfoRequest', { source: 'auditOffice', by: `sj-${roundId}`, summary: '2024年经济责任审计发现预算执行问题3个。' });
    const mob = unit.openTasks.find((t) => t.kind === 'mobilisation-meeting')!;
    await xc.unitStep(roundId, unitId, 'completeTask', { taskId: mob.taskId, by: `group-${roundId}` });

    // 进驻: after 7 days of preparation, 30 days of stationing.
    await clock.advance(8 * DAY);
    unit = await waitForPhase(xc, clock, roundId, unitId, 'stationing');
    expect((Date.parse(unit.stationingEndsAt!) - Date.parse(unit.stationingStartsAt!)) / DAY).toBe(30);
    const asked = { asked: true };
    await xc.unitStep(roundId, unitId, 'recordTalk', {
      talkId: 't1',
      by: 'inspector-chen',
      interviewee: { name: '王某', post: '副局长' },
      mustAsk: { decisionProcedure: asked, partyRegulations: asked, integrityWork: asked, dualDuty: { asked: true, note: '不清楚' }, partyDues: asked },
    });
    const seen = { checked: true };
    await xc.unitStep(roundId, unitId, 'recordFileCheck', {
      checkId: 'f1',
      by: 'inspector-chen',
      mustSee: { meetingMinutes: seen, studyNotes: seen, partyDuesLedger: { checked: true, finding: '少缴党费' }, committeeMinutes: seen, accountingVouchers: seen },
    });
    await xc.unitStep(roundId, unitId, 'recordQuestionnaire', { questionnaireId: 'q1', by: 'inspector-chen', distributed: 120, returned: 113, summary: '满意度92%' });
    await xc.unitStep(roundId, unitId, 'recordPetition', {
      petitionId: 'pet1',
      by: 'inspector-chen',
      receivedVia: 'mailbox',
      content: '反映某科室违规发放津补贴。',
      informant: { name: '举报人甲', phone: '13800000000' },
    });
    await xc.recordProblem(roundId, unitId, problem('p1', '违规发放津补贴'));
    await xc.recordProblem(roundId, unitId, problem('p2', '会议记录不规范', 'party-building'));
    await xc.recordProblem(roundId, unitId, problem('p3', '公务卡未使用', 'finance'));
    await xc.unitStep(roundId, unitId, 'fixOnTheSpot', { problemId: 'p2', by: 'inspector-chen', measures: '当场规范会议记录格式', evidence: ['整改后会议记录'] });
    const clue = await xc.unitStep(roundId, unitId, 'transferClue', { clueId: 'c1', by: 'inspector-chen', to: 'disciplineCommission', summary: '某科长涉嫌违规发放津补贴', problemId: 'p1' });
    expect((Date.parse(clue.reportBackDue) - Date.parse(unit.stationingStartsAt!)) / DAY).toBeGreaterThan(180);
    await xc.reportClueOutcome(roundId, unitId, 'c1', { by: `jiwei-${roundId}`, outcome: '已立案审查', caseOpened: true, peopleDisciplined: 1 });
    const toDiscipline = await waitForMails(e.discipline, 2);
    expect(toDiscipline[1]!.subject).toBe('【问题线索移交】县委第九轮巡察·县财政局');
    expect(toDiscipline[1]!.text).toContain('某科长涉嫌违规发放津补贴');

    // 报告: the group submits; a rejection goes back with its reason; then three approvals.
    await clock.advance(31 * DAY);
    unit = await waitForPhase(xc, clock, roundId, unitId, 'report');
    expect(unit.openTasks.map((t) => t.kind)).toContain('submit-report');
    await xc.unitStep(roundId, unitId, 'submitReport', { by: 'inspector-chen', summary: '初稿' });
    await xc.unitStep(roundId, unitId, 'reviewReport', { by: 'office-wang', stage: 'office', decision: 'reject', reason: '问题定性不准，补充底稿' });
    unit = await xc.unitStatus(roundId, unitId);
    expect(unit.reportStage).toBe('draft');
    expect(unit.reportRejections).toEqual([{ stage: 'office', reason: '问题定性不准，补充底稿', at: expect.any(String) }]);
    expect(unit.openTasks.find((t) => t.kind === 'submit-report')!.subject).toContain('问题定性不准');
    await xc.unitStep(roundId, unitId, 'submitReport', { by: 'inspector-chen', summary: '修改稿' });
    for (const stage of ['office', 'leadingGroup', 'secretaryMeeting'] as const) {
      await xc.unitStep(roundId, unitId, 'reviewReport', { by: 'office-wang', stage, decision: 'approve' });
    }

    // 反馈, then 整改: the plan covers every open problem (not the one fixed on the spot).
    unit = await waitForPhase(xc, clock, roundId, unitId, 'feedback');
    const { feedbackAt, items } = await xc.unitStep(roundId, unitId, 'holdFeedback', { by: 'office-wang' });
    expect(items).toBe(2);
    unit = await waitForPhase(xc, clock, roundId, unitId, 'rectification');
    expect(unit.openTasks.map((t) => t.kind).sort()).toEqual(expect.arrayContaining(['file-plan', 'rectification-report']));
    const head = round.units[0]!.head;
    const due = (days: number) => new Date(Date.parse(feedbackAt) + days * DAY).toISOString();
    await xc.unitStep(roundId, unitId, 'fileRectificationPlan', {
      by: head.personId,
      items: [
        { problemId: 'p1', measures: '清退违规津补贴', responsible: head, deadline: due(45), kind: 'time-limited' },
        { problemId: 'p3', measures: '执行公务卡强制结算目录', responsible: head, deadline: due(10), kind: 'immediate' },
      ],
    });
    await xc.itemStep(roundId, unitId, 'p1', 'claimItem', { leader: round.units[0]!.leaderInCharge! });
    await xc.itemStep(roundId, unitId, 'p3', 'reportProgress', { by: head.personId, status: 'done', note: '已执行', evidence: ['制度文件'], results: { rulesMade: 1 } });
    await xc.closeItem(roundId, unitId, 'p3', { by: 'office-wang', evidence: ['公务卡管理办法'] });
    // 领办制: the claiming leader receives the item's reminders too (green: 20 days before its deadline).
    await clock.advance(30 * DAY);
    // p3 was due in 10 days when issued: already in the yellow window, so yellow went out at once.
    const [yellowP3, green] = await waitForMails(e.leader, 2);
    expect(yellowP3!.subject).toBe('【整改提醒·黄色】县财政局：“公务卡未使用”距整改时限不足10天');
    expect(green!.subject).toMatch(/^【整改提醒·绿色】县财政局：“违规发放津补贴”将于/);
    await xc.itemStep(roundId, unitId, 'p1', 'reportProgress', {
      by: head.personId,
      status: 'done',
      note: '已清退',
      evidence: ['退款凭证'],
      results: { lossesRecoveredYuan: 93000, peopleHeldAccountable: 2 },
    });
    await xc.closeItem(roundId, unitId, 'p1', { by: 'office-wang', evidence: ['退款凭证'] });
    await xc.unitStep(roundId, unitId, 'submitRectificationReport', { by: head.personId, summary: '整改报告' });

    // 回头看 six months after the report; then 公开 with a recorded reason for what is withheld.
    await clock.advance(190 * DAY);
    unit = await waitForPhase(xc, clock, roundId, unitId, 'look-back');
    await waitForMails(e.supervision, 1);
    await xc.unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'look-back', findings: [{ itemId: 'p1', verdict: 'sustained', note: '已整改到位' }] });
    unit = await waitForPhase(xc, clock, roundId, unitId, 'disclosure');
    await xc.unitStep(roundId, unitId, 'publishResults', {
      by: 'office-wang',
      summary: '县财政局巡察整改情况',
      withheld: [{ subject: '某科长违纪问题', reason: 'case-under-way' }],
    });
    const final = (await s.env.client.workflow.getHandle(roundWorkflowId(roundId)).result()) as RoundStatus;
    expect(final.phase).toBe('completed');
    const wf = s.env.client.workflow;
    await recordHistory('round', wf.getHandle(roundWorkflowId(roundId)));
    await recordHistory('unit', wf.getHandle(unitWorkflowId(roundId, unitId)));
    await recordHistory('item', wf.getHandle(itemWorkflowId(roundId, unitId, 'p1')));
    await recordHistory('clue', wf.getHandle(clueWorkflowId(roundId, unitId, 'c1')));
    // Every patch of a run begun on today's code is decided in its first workflow task.
    for (const id of [roundWorkflowId(roundId), unitWorkflowId(roundId, unitId), itemWorkflowId(roundId, unitId, 'p1'), clueWorkflowId(roundId, unitId, 'c1')]) {
      expect({ id, late: patchesAfterFirstTask(await wf.getHandle(id).fetchHistory()) }).toEqual({ id, late: [] });
    }
    // Items run on their own task queue (their own worker and cache in every worker process), the rest on xuncha-rounds.
    const queueOf = async (id: string) => (await wf.getHandle(id).fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!.taskQueue!.name;
    expect(await queueOf(itemWorkflowId(roundId, unitId, 'p1'))).toBe(ITEM_TASK_QUEUE);
    for (const id of [roundWorkflowId(roundId), unitWorkflowId(roundId, unitId), clueWorkflowId(roundId, unitId, 'c1')]) expect(await queueOf(id)).toBe(WORKFLOW_TASK_QUEUE);
    expect(final.units).toEqual([{ unitId, phase: 'closed', items: 2, closed: 2, overdue: 0, longTermOpen: 0 }]);
  })();

  // The ledger holds every step.
  expect(await rows(s, 'SELECT phase FROM round_units WHERE round_id = $1', [roundId])).toEqual([{ phase: 'closed' }]);
  expect(await rows(s, `SELECT kind FROM tasks WHERE round_id = $1 AND state = 'open' AND kind <> 'info-request-reply'`, [roundId])).toEqual([]);
  expect(await rows(s, `SELECT outcome FROM tasks WHERE round_id = $1 AND kind = 'info-request-reply' AND state = 'done'`, [roundId])).toEqual([
    { outcome: '2024年经济责任审计发现预算执行问题3个。' },
  ]);
  const [stats] = await rows(s, 'SELECT * FROM unit_statistics WHERE round_id = $1', [roundId]);
  expect(stats).toMatchObject({ people_disciplined: '1', problems: '3', fixed_on_the_spot: '1', items: '2', items_closed: '2', rate_percent: '100.00', rules_made: '1', people_interviewed: '1', clues_to_discipline: '1' });
  expect(Number(stats.losses_recovered_yuan)).toBe(93000);
  expect(await rows(s, 'SELECT stage, jsonb_array_length(reviews) AS reviews FROM inspection_reports WHERE round_id = $1', [roundId])).toEqual([{ stage: 'approved', reviews: 4 }]);
  expect(await rows(s, 'SELECT withheld FROM disclosures WHERE round_id = $1', [roundId])).toEqual([{ withheld: [{ subject: '某科长违纪问题', reason: 'case-under-way' }] }]);
  // The informant is stored apart, and nowhere in the audit trail.
  expect(await rows(s, 'SELECT name FROM petition_informants WHERE round_id = $1', [roundId])).toEqual([{ name: '举报人甲' }]);
  const audit = await rows(s, `SELECT details::text AS d FROM audit_log WHERE round_id = $1`, [roundId]);
  expect(audit.some((a) => a.d.includes('举报人甲') || a.d.includes('13800000000'))).toBe(false);
  // What the unit's people may read (the database role behind their views): no informant, anywhere.
  const c = await s.h.pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL ROLE xuncha_unit_reader');
    const { rows: readable } = await c.query(
      `SELECT DISTINCT table_name FROM information_schema.role_table_grants WHERE grantee = 'xuncha_unit_reader' AND privilege_type = 'SELECT'`,
    );
    expect(readable.length).toBeGreaterThan(10);
    for (const { table_name } of readable) {
      const { rows: all } = await c.query(`SELECT * FROM ${table_name}`);
      expect({ table_name, leak: JSON.stringify(all).match(/举报人甲|13800000000/) }).toEqual({ table_name, leak: null });
    }
    for (const secret of ['petition_informants', 'petitions', 'talks', 'clue_transfers', 'spot_checks', 'audit_log']) {
      await c.query('SAVEPOINT s');
      await expect(c.query(`SELECT 1 FROM ${secret} LIMIT 1`)).rejects.toThrow(`permission denied for table ${secret}`);
      await c.query('ROLLBACK TO SAVEPOINT s');
    }
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
  // Closed before yellow: the leader had the green reminder only.
  expect((await mailsTo(e.leader)).map((m) => m.subject.slice(0, 9))).toEqual(['【整改提醒·黄色】', '【整改提醒·绿色】']);
});
