// Bad input to every workflow Update is refused by its synchronous validator with the field named,
// before it reaches history; the workflow's state is unchanged.
import type { UpdateDefinition } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { clueWorkflowId, itemWorkflowId, letterWorkflowId, roundWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import * as M from '../../src/domain/messages';
import { lifecycleSuite, problem, roundInRectification } from '../support/lifecycle';

const s = lifecycleSuite();

test('every Update refuses malformed input naming the field, and changes nothing', async () => {
  const r = await roundInRectification(s, { prefix: 'badinput', problems: [problem('p1', '违规发放津补贴')], plan: [{ problemId: 'p1', days: 30 }] });
  const { roundId, unitId } = r;
  await s.xc.unitStep(roundId, unitId, 'transferClue', { clueId: 'c1', by: 'inspector-chen', to: 'disciplineCommission', summary: '线索' });
  const h = (id: string) => s.env.client.workflow.getHandle(id);
  const unit = h(unitWorkflowId(roundId, unitId));
  const item = h(itemWorkflowId(roundId, unitId, 'p1'));
  const round = h(roundWorkflowId(roundId));
  const clue = h(clueWorkflowId(roundId, unitId, 'c1'));
  const letter = h(letterWorkflowId(roundId, 'nope'));
  const huge = 'x'.repeat(30_000);
  type Case = [WorkflowHandle, UpdateDefinition<unknown, [never], string>, unknown, RegExp];
  const cases: Case[] = [
    [unit, M.replyInfoRequestUpdate as never, { source: 'cia', by: 'x', summary: 's' }, /^replyInfoRequest: source: Invalid option/],
    [unit, M.completeTaskUpdate as never, { by: 'x' }, /^completeTask: taskId: Invalid input: expected string/],
    [unit, M.recordTalkUpdate as never, { talkId: 't1', by: 'x', interviewee: { name: '王某', post: '科长' }, mustAsk: {} }, /^recordTalk: mustAsk\.decisionProcedure: /],
    [unit, M.recordFileCheckUpdate as never, { checkId: 'Bad Id', by: 'x', mustSee: {} }, /^recordFileCheck: checkId: must be a lower-case slug/],
    [unit, M.recordQuestionnaireUpdate as never, { questionnaireId: 'q', by: 'x', distributed: 10, returned: 11, summary: 's' }, /^recordQuestionnaire: returned: cannot exceed distributed/],
    [unit, M.recordPetitionUpdate as never, { petitionId: 'p', by: 'x', receivedVia: 'pigeon', content: 'c' }, /^recordPetition: receivedVia: Invalid option/],
    [unit, M.recordProblemUpdate as never, { ...problem('p9', 'x'), facts: huge }, /^recordProblem: facts: Too big/],
    [unit, M.fixOnTheSpotUpdate as never, { problemId: 'p1', by: 'x', measures: 'm', evidence: [] }, /^fixOnTheSpot: evidence: Too small/],
    [unit, M.transferClueUpdate as never, { clueId: 'c2', by: 'x', to: 'police', summary: 's' }, /^transferClue: to: Invalid option/],
    [unit, M.submitReportUpdate as never, { by: 'x' }, /^submitReport: summary: /],
    [unit, M.reviewReportUpdate as never, { by: 'x', stage: 'office', decision: 'reject' }, /^reviewReport: reason: a rejection needs a reason/],
    [unit, M.holdFeedbackUpdate as never, { by: 42 }, /^holdFeedback: by: Invalid input: expected string/],
    [
      unit,
      M.fileRectificationPlanUpdate as never,
      { by: 'x', items: [{ problemId: 'p1', measures: 'm', responsible: { personId: 'a', name: 'b', email: 'c@d.cn' }, deadline: '2026-13-45', kind: 'time-limited' }] },
      /^fileRectificationPlan: items\.0\.deadline: must be an ISO date-time/,
    ],
    [unit, M.submitRectificationReportUpdate as never, {}, /^submitRectificationReport: by: /],
    [unit, M.submitSelfExaminationUpdate as never, { by: 'x', text: '' }, /^submitSelfExamination: text: Too small/],
    [unit, M.reviewSelfExaminationUpdate as never, { by: 'x', decision: 'maybe' }, /^reviewSelfExamination: decision: Invalid option/],
    [unit, M.recordFindingsUpdate as never, { by: 'x', checkId: 'look-back', findings: [{ itemId: 'p1', verdict: 'meh', note: 'n' }] }, /^recordFindings: findings\.0\.verdict: Invalid option/],
    [unit, M.planSpotCheckUpdate as never, { spotCheckId: 's', by: 'x', visitAt: 'tomorrow', target: 't', team: ['a'] }, /^planSpotCheck: visitAt: must be an ISO date-time/],
    [unit, M.publishResultsUpdate as never, { by: 'x', summary: 's', withheld: [{ subject: 's', reason: 'embarrassing' }] }, /^publishResults: withheld\.0\.reason: Invalid option/],
    [item, M.reportProgressUpdate as never, { by: 'x', status: 'finished', note: 'n' }, /^reportProgress: status: Invalid option/],
    [item, M.claimItemUpdate as never, { leader: { personId: 'l', name: 'n', email: 'not-mail' } }, /^claimItem: leader\.email: Invalid email address/],
    [item, M.reconcileItemUpdate as never, { by: 'x', decision: 'return', reason: '不足' }, /^reconcileItem: newDeadline: a returned item needs a new deadline/],
    [item, M.reconcileItemUpdate as never, { by: 'x', decision: 'return', reason: '不足', newDeadline: '2001-01-01T00:00:00Z' }, /^reconcileItem: newDeadline: must be in the future/],
    [item, M.reconcileItemUpdate as never, { by: 'x', decision: 'close', evidence: [] }, /^reconcileItem: evidence: closing needs evidence/],
    [round, M.sendCommonIssueLetterUpdate as never, { letterId: 'l1', by: 'x', subject: 's', problems: [], deadline: '2030-01-01T00:00:00Z' }, /^sendCommonIssueLetter: department: /],
    [clue, M.reportClueOutcomeUpdate as never, { by: 'x', outcome: 'o', caseOpened: 'yes' }, /^reportClueOutcome: caseOpened: Invalid input: expected boolean/],
  ];
  const accepted = async (w: WorkflowHandle) => (await w.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
  const before = {
    unit: await s.xc.unitStatus(roundId, unitId),
    item: await s.xc.itemStatus(roundId, unitId, 'p1'),
    round: await s.xc.roundStatus(roundId),
    accepted: await Promise.all([unit, item, round, clue].map(accepted)),
  };
  for (const [w, def, input, expected] of cases) {
    const err = await w.executeUpdate(def, { args: [input as never] }).then(
      () => undefined,
      (e: Error & { cause?: Error }) => e,
    );
    expect({ update: def.name, name: err?.name, message: err?.cause?.message }).toEqual({ update: def.name, name: 'WorkflowUpdateFailedError', message: expect.stringMatching(expected) });
  }
  // And through the client, the same refusal arrives as a ValidationError without touching the workflow.
  await expect(s.xc.unitStep(roundId, unitId, 'recordTalk', { talkId: 't1' })).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/^recordTalk: by: /) });
  await expect(s.xc.answerLetter(roundId, 'nope', { by: 'x', measures: 'm' })).rejects.toThrow('answerLetter: not found');
  void letter;

  expect(await s.xc.unitStatus(roundId, unitId)).toEqual(before.unit);
  expect(await s.xc.itemStatus(roundId, unitId, 'p1')).toEqual(before.item);
  expect(await s.xc.roundStatus(roundId)).toEqual(before.round);
  expect(await Promise.all([unit, item, round, clue].map(accepted))).toEqual(before.accepted);
  expect(cases.length).toBeGreaterThanOrEqual(26);
});
