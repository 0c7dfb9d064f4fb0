import { allHandlersFinished, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { SendCommonIssueLetterInput } from '../domain/lifecycle';
import { L } from './schemas';
import { answerLetterUpdate, letterChangedSignal, letterStatusQuery } from '../domain/messages';
import type { TimelineStep } from '../domain/policy';
import type { TaskSummary } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { Effects, newTimeline, runTimeline, splitRecipients } from './common';
import { nowIso } from './proxies';
import { TaskBook } from './tasks';

export interface LetterInput {
  roundId: string;
  roundWorkflowId: string;
  letter: SendCommonIssueLetterInput;
  unitNames: string;
  timeline: TimelineStep[];
}

/** 共性问题函告: a letter to a functional department, with its own deadline, reminders and escalation. */
export async function letterWorkflow(input: LetterInput): Promise<{ letterId: string; state: 'answered' }> {
  const wfId = workflowInfo().workflowId;
  // Behaviour changes since this patch are decided in the run's first workflow task (see item.ts).
  const fx = new Effects(patched('letter-patches-at-start'));
  // Since this patch (decided at the start): a step that settles the task decides at once whether to close
  // it or remember it for later (see TaskBook.closeOrRemember).
  const settleAtOnce = fx.startDecided && patched('task-settled-at-once');
  const { roundId, letter } = input;
  const contact = letter.department.contact.personId;
  let state: 'open' | 'answered' = 'open';
  let overdue = false;
  const tl = newTimeline(undefined, letter.deadline, input.timeline);
  const open: TaskSummary[] = [];
  const tasks = new TaskBook(fx, open, { roundId });
  const changed = () => fx.tell(input.roundWorkflowId, letterChangedSignal, { letterId: letter.letterId, state, overdue });

  setHandler(letterStatusQuery, () => ({ letterId: letter.letterId, state, overdue, deadline: letter.deadline, firedSteps: [...tl.fired] }));
  setHandler(
    answerLetterUpdate,
    async (raw) => {
      const a = parseOrThrow(L.AnswerLetterInput, raw, 'answerLetter');
      state = 'answered';
      await fx.record({ type: 'letter.answered', eventKey: `${wfId}:answered`, at: nowIso(), actor: a.by, roundId, letterId: letter.letterId, measures: a.measures });
      await tasks.closeOrRemember('answer-letter', a.by, a.measures, settleAtOnce);
      await changed();
      return { letterId: letter.letterId };
    },
    {
      validator: (raw) => {
        parseOrThrow(L.AnswerLetterInput, raw, 'answerLetter');
        if (state !== 'open') throw new ValidationError(`answerLetter: letter "${letter.letterId}" was already answered`);
      },
    },
  );

  await fx.record({ type: 'letter.sent', eventKey: `${wfId}:sent`, at: nowIso(), actor: letter.by, roundId, letter, workflowId: wfId });
  await fx.notify({
    key: `${wfId}:letter`,
    template: 'common-issue-letter',
    roundId,
    to: [],
    toPersonIds: [contact],
    itemTitle: letter.subject,
    deadline: letter.deadline,
    data: { units: input.unitNames, department: letter.department.name },
  });
  await tasks.add({
    taskId: `${wfId}:answer`,
    kind: 'answer-letter',
    assigneeRole: 'office',
    assigneePersonId: contact,
    subject: `函告整改：${letter.subject}`,
    dueAt: letter.deadline,
    updateName: 'answerLetter',
    notify: false,
  });

  await runTimeline(
    fx,
    () => tl,
    () => state !== 'open',
    async (step) => {
      const key = `${wfId}:${step.key}`;
      await fx.notify({
        key,
        template: step.template,
        roundId,
        ...splitRecipients(step.to, [contact]),
        itemTitle: letter.subject,
        deadline: letter.deadline,
        data: { department: letter.department.name },
      });
      if (step.template === 'letter-overdue') {
        overdue = true;
        await fx.record({ type: 'letter.overdue', eventKey: `${key}:overdue`, at: nowIso(), actor: 'system', roundId, letterId: letter.letterId });
        await changed();
      }
    },
  );
  await condition(() => state === 'answered' && fx.busy === 0 && allHandlersFinished());
  return { letterId: letter.letterId, state: 'answered' };
}
