import { allHandlersFinished, condition, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { TransferClueInput } from '../domain/lifecycle';
import { L } from './schemas';
import { clueChangedSignal, clueStatusQuery, reportClueOutcomeUpdate } from '../domain/messages';
import type { TimelineStep } from '../domain/policy';
import type { TaskSummary } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { Effects, newTimeline, runTimeline } from './common';
import { nowIso } from './proxies';
import { TaskBook } from './tasks';

export interface ClueInput {
  roundId: string;
  unitId: string;
  unitWorkflowId: string;
  clue: TransferClueInput;
  reportBackDue: string;
  timeline: TimelineStep[];
}

/** 问题线索移交: tracked until the receiver reports back (default 6 months), reminded before, escalated after. */
export async function clueWorkflow(input: ClueInput): Promise<{ clueId: string; state: 'reported' }> {
  const wfId = workflowInfo().workflowId;
  // Behaviour changes since this patch are decided in the run's first workflow task (see item.ts).
  const fx = new Effects(patched('clue-patches-at-start'));
  // Since this patch (decided at the start): a step that settles the task decides at once whether to close
  // it or remember it for later (see TaskBook.closeOrRemember).
  const settleAtOnce = fx.startDecided && patched('task-settled-at-once');
  const { roundId, unitId, clue } = input;
  const base = { roundId, unitId };
  let state: 'open' | 'reported' = 'open';
  let overdue = false;
  const tl = newTimeline(undefined, input.reportBackDue, input.timeline);
  const open: TaskSummary[] = [];
  const tasks = new TaskBook(fx, open, base);
  const changed = () => fx.tell(input.unitWorkflowId, clueChangedSignal, { clueId: clue.clueId, state, overdue });

  setHandler(clueStatusQuery, () => ({ clueId: clue.clueId, state, overdue, reportBackDue: input.reportBackDue, firedSteps: [...tl.fired] }));
  setHandler(
    reportClueOutcomeUpdate,
    async (raw) => {
      const outcome = parseOrThrow(L.ReportClueOutcomeInput, raw, 'reportClueOutcome');
      state = 'reported';
      await fx.record({ type: 'clue.reported-back', eventKey: `${wfId}:reported`, at: nowIso(), actor: outcome.by, ...base, clueId: clue.clueId, outcome });
      await tasks.closeOrRemember('clue-report-back', outcome.by, outcome.outcome, settleAtOnce);
      await changed();
      return { clueId: clue.clueId };
    },
    {
      validator: (raw) => {
        parseOrThrow(L.ReportClueOutcomeInput, raw, 'reportClueOutcome');
        if (state !== 'open') throw new ValidationError(`reportClueOutcome: clue "${clue.clueId}" was already reported back`);
      },
    },
  );

  const receiver = clue.to;
  await fx.record({ type: 'clue.transferred', eventKey: `${wfId}:transferred`, at: nowIso(), actor: clue.by, ...base, clue, reportBackDue: input.reportBackDue, workflowId: wfId });
  await fx.notify({
    key: `${wfId}:transfer`,
    template: 'clue-transfer',
    ...base,
    to: [receiver],
    itemTitle: clue.summary.slice(0, 60),
    deadline: input.reportBackDue,
    data: clue.supervised ? { supervised: '1' } : {},
  });
  await tasks.add({
    taskId: `${wfId}:report-back`,
    kind: 'clue-report-back',
    assigneeRole: receiver,
    subject: `反馈问题线索办理情况：${clue.summary.slice(0, 40)}`,
    dueAt: input.reportBackDue,
    updateName: 'reportClueOutcome',
    notify: false,
  });

  await runTimeline(
    fx,
    () => tl,
    () => state !== 'open',
    async (step) => {
      const key = `${wfId}:${step.key}`;
      // Reminders go to the receiver only; the receiver is one of the two offices the step names.
      const to = step.template === 'clue-reminder' ? [receiver] : step.to;
      await fx.notify({ key, template: step.template, ...base, to, itemTitle: clue.summary.slice(0, 60), deadline: input.reportBackDue });
      if (step.template === 'clue-overdue') {
        overdue = true;
        await fx.record({ type: 'clue.overdue', eventKey: `${key}:overdue`, at: nowIso(), actor: 'system', ...base, clueId: clue.clueId });
        await fx.record({ type: 'escalation', eventKey: `${key}:escalation`, at: nowIso(), actor: 'system', ...base, escalationKey: key, step: 'clue-overdue', detail: { clueId: clue.clueId } });
        await changed();
      }
    },
  );
  await condition(() => state === 'reported' && fx.busy === 0 && allHandlersFinished());
  return { clueId: clue.clueId, state: 'reported' };
}
