import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { itemWorkflowId } from '../domain/ids';
import { recordProblemUpdate, unitPhaseChangedSignal, unitStatusQuery } from '../domain/messages';
import { RecordProblemInput } from '../domain/problem';
import type { UnitWorkflowInput } from '../domain/round';
import type { UnitPhase, UnitStatus } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { ledger, nowIso } from './proxies';
import { itemWorkflow } from './item';

/** One inspected unit (被巡察单位) through its phases, as a child of its round. */
export async function unitWorkflow(input: UnitWorkflowInput): Promise<UnitStatus> {
  const info = workflowInfo();
  const wfId = info.workflowId;
  const { roundId, unit, policy } = input;
  const unitId = unit.unitId;
  const status: UnitStatus = { roundId, unitId, phase: 'preparation', problems: [], items: [] };
  const problems: RecordProblemInput[] = [];

  async function enterPhase(phase: UnitPhase): Promise<void> {
    status.phase = phase;
    if (info.parent) {
      await getExternalWorkflowHandle(info.parent.workflowId).signal(unitPhaseChangedSignal, { unitId, phase });
    }
    await ledger.recordEvent({ type: 'unit.phase', eventKey: `${wfId}:phase:${phase}`, at: nowIso(), actor: 'system', roundId, unitId, phase });
  }

  setHandler(unitStatusQuery, () => status);
  setHandler(
    recordProblemUpdate,
    async (raw) => {
      const p = parseOrThrow(RecordProblemInput, raw, 'recordProblem');
      const at = nowIso();
      problems.push(p);
      status.problems.push({ problemId: p.problemId, category: p.category, title: p.title, recordedAt: at });
      await ledger.recordEvent({
        type: 'problem.recorded',
        eventKey: `${wfId}:problem:${p.problemId}`,
        at,
        actor: p.recordedBy,
        roundId,
        unitId,
        problem: p,
      });
      return { problemId: p.problemId };
    },
    {
      validator: (raw) => {
        const p = parseOrThrow(RecordProblemInput, raw, 'recordProblem');
        if (status.phase !== 'stationing') {
          throw new ValidationError(`recordProblem: problems are recorded during stationing (进驻); unit "${unitId}" is in ${status.phase}`);
        }
        if (problems.some((x) => x.problemId === p.problemId)) {
          throw new ValidationError(`recordProblem: problemId: "${p.problemId}" is already recorded`, [
            { path: 'problemId', message: 'duplicate' },
          ]);
        }
      },
    },
  );

  await enterPhase('preparation');

  // 进驻: a durable timer of the round's stationing length (30 days by default).
  status.stationingEndsAt = await ledger.addDuration({ from: nowIso(), duration: policy.stationing });
  await enterPhase('stationing');
  const remaining = Date.parse(status.stationingEndsAt) - Date.now();
  if (remaining > 0) await sleep(remaining);
  // Problems whose ledger write is still in flight are part of the feedback.
  await condition(allHandlersFinished);

  // 反馈: every problem becomes a rectification item with the round's deadline.
  await enterPhase('feedback');
  status.feedbackAt = nowIso();
  const deadline = await ledger.addDuration({ from: status.feedbackAt, duration: policy.rectificationPeriod });
  const results: Promise<void>[] = [];
  for (const p of problems) {
    const item = { itemId: p.problemId, deadline, state: 'open' as 'open' | 'closed' };
    const child = await startChild(itemWorkflow, {
      workflowId: itemWorkflowId(roundId, unitId, item.itemId),
      args: [{ roundId, unitId, itemId: item.itemId, problemId: p.problemId, title: p.title, deadline, timeline: policy.itemTimeline }],
    });
    status.items.push(item);
    results.push(child.result().then((r) => void (item.state = r.state)));
  }

  // 整改: the unit is done when every item is closed.
  await enterPhase('rectification');
  await Promise.all(results);
  await enterPhase('completed');
  return status;
}
