// The bare baseline (bench only, its own task queue `bench-baseline`): the same shape of Temporal
// work as a round — a round starting unit children, units taking Updates and starting item
// children, items waiting on the same timers and taking the same Updates — with no domain logic:
// no activities, no ledger, no notices, no validation. Our throughput is printed as a ratio of it.
import { ParentClosePolicy, condition, defineQuery, defineUpdate, setHandler, startChild, workflowInfo } from '@temporalio/workflow';

export const BASELINE_TASK_QUEUE = 'bench-baseline';
export const stepUpdate = defineUpdate<number, [unknown]>('step');
export const planUpdate = defineUpdate<number, [{ deadlinesMs: number[] }]>('plan');
export const closeUpdate = defineUpdate<number, []>('close');
export const finishUpdate = defineUpdate<void, []>('finish');
/** Per timer: how late it fired (ms past its scheduled time, by the workflow clock). */
export const lagQuery = defineQuery<number[]>('lag');

export async function baselineRound(input: { unitIds: string[]; offsetsMs: number[] }): Promise<number> {
  for (const id of input.unitIds) {
    await startChild(baselineUnit, { workflowId: `${workflowInfo().workflowId}/unit/${id}`, parentClosePolicy: ParentClosePolicy.ABANDON, args: [{ offsetsMs: input.offsetsMs }] });
  }
  return input.unitIds.length;
}

export async function baselineUnit(input: { offsetsMs: number[] }): Promise<number> {
  let steps = 0;
  let finished = false;
  setHandler(stepUpdate, () => ++steps);
  setHandler(finishUpdate, () => void (finished = true));
  setHandler(planUpdate, async ({ deadlinesMs }) => {
    const me = workflowInfo().workflowId;
    for (let i = 0; i < deadlinesMs.length; i++) {
      await startChild(baselineItem, {
        workflowId: `${me}/item/p${i + 1}`,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [{ deadlineMs: deadlinesMs[i]!, offsetsMs: input.offsetsMs }],
      });
    }
    return deadlinesMs.length;
  });
  await condition(() => finished);
  return steps;
}

export async function baselineItem(input: { deadlineMs: number; offsetsMs: number[] }): Promise<number[]> {
  let steps = 0;
  let closed = false;
  const lag: number[] = [];
  setHandler(stepUpdate, () => ++steps);
  setHandler(closeUpdate, () => {
    closed = true;
    return steps;
  });
  setHandler(lagQuery, () => lag);
  for (const off of input.offsetsMs) {
    const at = input.deadlineMs + off;
    const wait = at - Date.now();
    if (wait > 0) await condition(() => closed, wait);
    if (closed) break;
    lag.push(Date.now() - at);
  }
  await condition(() => closed);
  return lag;
}
