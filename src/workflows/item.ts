import { allHandlersFinished, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { closeItemUpdate, itemStatusQuery } from '../domain/messages';
import type { NoticeTemplate, TimelineStep } from '../domain/policy';
import { CloseItemInput } from '../domain/problem';
import type { Colour, ItemRef, ItemStatus } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { ledger, notices, nowIso } from './proxies';

export interface ItemWorkflowInput extends ItemRef {
  timeline: TimelineStep[];
}

const COLOUR_OF: Record<NoticeTemplate, Colour> = {
  'reminder-green': 'green',
  'reminder-yellow': 'yellow',
  'reminder-red': 'red',
  'escalation-discipline': 'red',
};
const rank: Record<Colour, number> = { none: 0, green: 1, yellow: 2, red: 3 };

/**
 * A rectification item (整改事项) lives in its own workflow: it can outlive its unit's phase, and
 * its reminders and escalations are timers of its own. Closed only by the office (对账销号).
 */
export async function itemWorkflow(input: ItemWorkflowInput): Promise<ItemStatus> {
  const wfId = workflowInfo().workflowId;
  const { timeline, ...ref } = input;
  const { roundId, unitId, itemId } = ref;
  const status: ItemStatus = {
    ...ref,
    state: 'open',
    colour: 'none',
    firedSteps: [],
  };
  setHandler(itemStatusQuery, () => status);
  setHandler(
    closeItemUpdate,
    async (raw) => {
      const req = parseOrThrow(CloseItemInput, raw, 'closeItem');
      // State changes before the first await, so a second close in the same activation is refused.
      status.state = 'closed';
      status.closedAt = nowIso();
      status.closedBy = req.closedBy;
      await ledger.recordEvent({
        type: 'item.closed',
        eventKey: `${wfId}:closed`,
        at: status.closedAt,
        actor: req.closedBy,
        roundId,
        unitId,
        itemId,
        evidence: req.evidence,
        note: req.note,
      });
      return status;
    },
    {
      // Synchronous: bad input is refused before it reaches history.
      validator: (raw) => {
        parseOrThrow(CloseItemInput, raw, 'closeItem');
        if (status.state === 'closed') throw new ValidationError(`closeItem: item "${itemId}" is already closed`);
      },
    },
  );

  await ledger.recordEvent({
    type: 'item.issued',
    eventKey: `${wfId}:issued`,
    at: nowIso(),
    actor: 'system',
    ...ref,
    workflowId: wfId,
  });

  const schedule = await ledger.scheduleTimeline({ deadline: input.deadline, steps: timeline });
  const ordered = schedule
    .map((s, i) => ({ ...s, step: timeline[i]!, i }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.i - b.i);

  for (const { at, step } of ordered) {
    const wait = Date.parse(at) - Date.now();
    if (wait > 0) await condition(() => status.state === 'closed', wait);
    // A step that no longer applies does not fire.
    if (status.state === 'closed') break;
    const colour = COLOUR_OF[step.template];
    if (rank[colour] > rank[status.colour]) status.colour = colour;
    status.firedSteps.push(step.key);
    await notices.sendNotice({
      key: `${wfId}:${step.key}`,
      template: step.template,
      roundId,
      unitId,
      itemId,
      to: step.to,
      itemTitle: input.title,
      deadline: input.deadline,
    });
    await ledger.recordEvent({
      type: 'item.step',
      eventKey: `${wfId}:step:${step.key}`,
      at: nowIso(),
      actor: 'system',
      roundId,
      unitId,
      itemId,
      step: step.key,
      colour: status.colour,
    });
  }

  await condition(() => status.state === 'closed');
  await condition(allHandlersFinished);
  return status;
}
