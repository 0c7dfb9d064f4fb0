// The task inbox: each human step a task for its assignee, listed per person and per role by due
// date with an overdue flag; completing it sends the workflow Update, and only an accepted
// completion closes it — a refused one stays open with the reason.
import { TaskInbox } from '../../src/client/inbox';
import { waitForPhase } from '../../src/client/drive';
import { eventually, sampleRound, stripEmails, uid, unitOf } from '../support/helpers';
import { DAY, lifecycleSuite, problem, rows } from '../support/lifecycle';

const s = lifecycleSuite();

test('tasks per person and per role, sorted by due date, flagged overdue; completion through the workflow', async () => {
  const inbox = new TaskInbox(s.h.pool, s.xc);
  const roundId = uid('inbox');
  const unitId = unitOf(roundId);
  const round = sampleRound(roundId);
  await s.xc.startRound(stripEmails(round), 'office-wang');
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'preparation');
  const now = async () => new Date(await s.env.currentTimeMs());

  // The group leader has the mobilisation meeting; the audit office its information request.
  // The ledger follows the workflow a moment later.
  const group = await eventually(async () => {
    const g = await inbox.forPerson(`group-${roundId}`, await now());
    return g.length > 0 && g;
  });
  expect(group.map((t) => [t.kind, t.overdue])).toEqual([['mobilisation-meeting', false]]);
  const audit = await eventually(async () => {
    const a = await inbox.forPerson(`sj-${roundId}`, await now());
    return a.length > 0 && a;
  });
  expect(audit.map((t) => t.kind)).toEqual(['info-request-reply']);
  const byRole = await inbox.forRole('organisationDept', roundId);
  expect(byRole).toHaveLength(1);

  // Past the due dates, both are overdue; the list stays sorted by due date.
  await s.clock.advance(8 * DAY);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'stationing');
  const later = await inbox.forPerson(`group-${roundId}`, await now());
  expect(later.map((t) => [t.kind, t.overdue])).toEqual([['mobilisation-meeting', true]]);
  await s.xc.recordProblem(roundId, unitId, problem('p1', '违规发放津补贴'));
  await s.clock.advance(31 * DAY);
  await waitForPhase(s.xc, s.clock, roundId, unitId, 'report');

  // Completing through the inbox sends the Update; the workflow closes the task.
  const [submit] = (await inbox.forPerson(`group-${roundId}`, await now())).filter((t) => t.kind === 'submit-report');
  expect(submit).toBeDefined();
  await inbox.complete(submit!.taskId, { by: `group-${roundId}`, summary: '巡察报告' });
  expect(await rows(s, 'SELECT state FROM tasks WHERE task_id = $1', [submit!.taskId])).toEqual([{ state: 'done' }]);
  await expect(inbox.complete(submit!.taskId, { by: `group-${roundId}`, summary: '再交一次' })).rejects.toThrow('is already done');

  // A refused completion (a rejection without a reason) leaves the office's review open, with the reason.
  const [review] = await inbox.forPerson(`office-${roundId}`, await now());
  expect(review!.kind).toBe('review-report');
  await expect(inbox.complete(review!.taskId, { by: `office-${roundId}`, stage: 'office', decision: 'reject' })).rejects.toThrow(
    'reviewReport: reason: a rejection needs a reason',
  );
  const [still] = await inbox.forPerson(`office-${roundId}`, await now());
  expect(still).toMatchObject({ taskId: review!.taskId, state: 'open', lastRejection: expect.stringContaining('a rejection needs a reason') });
  await inbox.complete(review!.taskId, { by: `office-${roundId}`, stage: 'office', decision: 'approve' });
  expect(await rows(s, 'SELECT state FROM tasks WHERE task_id = $1', [review!.taskId])).toEqual([{ state: 'done' }]);
  // The leading group's approval is next in its inbox.
  expect((await inbox.forPerson(`lg-${roundId}`, await now())).map((t) => t.kind)).toEqual(['approve-report-leading-group']);

  // The generic completeTask path: the mobilisation meeting.
  await inbox.complete(later[0]!.taskId, { by: `group-${roundId}`, note: '已召开' });
  expect(await inbox.forPerson(`group-${roundId}`, await now())).toEqual([]);
});
