// Saved histories for the replay test, one set per generation of the workflow code that may still
// have runs in flight: `<type>.json` from before any patch, `<type>.<tag>.json` from later code.
// `RECORD_HISTORIES=<tag> npm test` writes the current code's histories as `<type>.<tag>.json` from
// the lifecycle tests (`RECORD_HISTORIES=1` rewrites `<type>.json`); keep every older set.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  const tag = process.env.RECORD_HISTORIES;
  if (!tag) return;
  const history = await handle.fetchHistory();
  fs.writeFileSync(path.join(HISTORIES_DIR, tag === '1' ? `${name}.json` : `${name}.${tag}.json`), JSON.stringify(history, null, 1));
}

/**
 * The patch markers a run recorded after its first workflow task. A patch asked mid-run, right after a
 * local activity, can record its marker one workflow task later than replay reaches that line, and the
 * run then fails to replay; so today's code decides every patch in the run's first workflow task.
 */
export function patchesAfterFirstTask(history: temporal.api.history.v1.IHistory): string[] {
  const events = history.events ?? [];
  const started = events.map((e, i) => (e.workflowTaskStartedEventAttributes ? i : -1)).filter((i) => i >= 0);
  const second = started[1] ?? events.length;
  return events
    .slice(second)
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => {
      const data = e.markerRecordedEventAttributes!.details?.['patch-data']?.payloads?.[0]?.data;
      return data ? (JSON.parse(Buffer.from(data).toString()) as { id: string }).id : '?';
    });
}

type Event = temporal.api.history.v1.IHistoryEvent;
/** Events a workflow task's completion writes (its commands), as opposed to what happens to the workflow. */
const COMMAND_EVENTS: (keyof Event)[] = [
  'markerRecordedEventAttributes',
  'activityTaskScheduledEventAttributes',
  'timerStartedEventAttributes',
  'timerCanceledEventAttributes',
  'signalExternalWorkflowExecutionInitiatedEventAttributes',
  'startChildWorkflowExecutionInitiatedEventAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'workflowExecutionUpdateAcceptedEventAttributes',
  'workflowExecutionUpdateCompletedEventAttributes',
  'workflowExecutionCompletedEventAttributes',
  'workflowExecutionContinuedAsNewEventAttributes',
];
const TRIGGERS: (keyof Event)[] = [
  'timerFiredEventAttributes',
  'activityTaskCompletedEventAttributes',
  'externalWorkflowExecutionSignaledEventAttributes',
  'workflowExecutionSignaledEventAttributes',
  'workflowExecutionUpdateAdmittedEventAttributes',
  'workflowExecutionStartedEventAttributes',
];
const kind = (e: Event, among: (keyof Event)[]) => among.find((k) => e[k]);

/** Each workflow task of a history: what woke the workflow and what its completion did (attribute names without the suffix). */
export function workflowTasks(history: temporal.api.history.v1.IHistory): { woken: string[]; did: string[] }[] {
  const tasks: { woken: string[]; did: string[] }[] = [];
  let woken: string[] = [];
  let current: { woken: string[]; did: string[] } | undefined;
  for (const e of history.events ?? []) {
    if (e.workflowTaskCompletedEventAttributes) {
      current = { woken, did: [] };
      tasks.push(current);
      woken = [];
      continue;
    }
    const command = kind(e, COMMAND_EVENTS);
    if (command && current) {
      // An Update accepted in the task that ran its handler; a command's event follows the completion.
      current.did.push(command.replace(/EventAttributes$/, ''));
      continue;
    }
    current = undefined;
    const trigger = kind(e, TRIGGERS);
    if (trigger) woken.push(trigger.replace(/EventAttributes$/, ''));
  }
  return tasks;
}
