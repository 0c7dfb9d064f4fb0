// Shared workflow mechanics: effects that keep count of work in flight (so continue-as-new
// happens only when quiet), tasks, and the timeline runner used by items, clues and letters.
import { ApplicationFailure, condition, getExternalWorkflowHandle, patched, setHandler, workflowInfo, type SignalDefinition } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { NoticeRequest } from '../activities';
import type { LedgerEvent, TaskRecord } from '../domain/events';
import type { RecipientRole } from '../domain/people';
import type { TimelineStep } from '../domain/policy';
import type { ValidationError } from '../domain/validation';
import { inTimeOrder } from '../domain/schedule';
import { ledger, ledgerSink, localLedger, notices, nowIso } from './proxies';

/** Counts activities in flight: continue-as-new waits for zero, so nothing half-done is dropped. */
export class Effects {
  busy = 0;
  /**
   * Ledger writes and calendar arithmetic as local activities, for runs started since the patch
   * (decided once, at the run's first activation: a run begun on the older code keeps regular
   * activities for its whole life, so its history replays unchanged).
   */
  readonly ledger: typeof ledger;
  /** Ledger writes go through the ledger sink (see the constructor). */
  readonly bySink: boolean;
  /** Local activities wait for the one before them to finish (see `local`). */
  readonly inTurn: boolean;
  private turn: Promise<unknown> = Promise.resolve();
  /**
   * `startDecided`: the run began on code that decides every patch in its first workflow task (its
   * workflow's `*-patches-at-start` patch, which includes this one and the ones below).
   */
  constructor(
    readonly startDecided = false,
    /**
     * Notices and signals to other workflows go out in the background: the workflow (or the Update
     * that caused them) goes on once its ledger rows are written, not once the e-mail is accepted.
     * Still counted in `busy`, so continue-as-new and completion wait for them.
     */
    readonly inBackground = false,
  ) {
    this.ledger = startDecided || patched('ledger-local-activities') ? localLedger : ledger;
    // Since this patch (decided here, in every workflow type's first task, for runs on the at-start
    // code): ledger rows are written through the worker's ledger sink, committed before the task's
    // completion is sent, instead of one local activity (and one more activation) per write.
    this.bySink = startDecided && patched('ledger-writes-by-sink');
    // Since this patch (decided here too): local activities one at a time (see `local`).
    this.inTurn = startDecided && patched('local-activities-in-turn');
    // Nobody may be racing it yet; a failure is still reported where the workflow races it.
    this.failed.catch(() => undefined);
  }
  private fail: (err: unknown) => void = () => undefined;
  /** Rejects with the first failure of work sent to the background (see `soon`). */
  readonly failed = new Promise<never>((_, reject) => {
    this.fail = reject;
  });
  /**
   * Work the workflow does not wait for: awaited in place unless `inBackground`. A failure is not
   * lost: it rejects `failed`, which `runOrContinue` races, so it fails the run as if awaited.
   */
  soon(work: Promise<unknown>): Promise<unknown> {
    // Not in the background: the very same promise, so older runs resume exactly as they did.
    if (!this.inBackground) return work;
    work.catch((err) => this.fail(err));
    return Promise.resolve();
  }
  /**
   * The timeout of a wait until `iso`. Since the patches at start, a wait always starts its timer (of
   * at least 1 ms), so whether a timer command is issued never depends on the workflow clock: replay
   * can read that clock one workflow task earlier than the first run did (a query answered while a
   * local activity ran ends that task early, and the rest of the code runs in the next). Older runs
   * keep the clock-read decision they began with.
   */
  timeout(iso: string): number {
    return this.startDecided ? Math.max(1, until(iso)) : until(iso);
  }
  /** Whether a wait until `iso` happens at all: always since the patches at start; before, only if `iso` was still ahead. */
  waits(iso: string): boolean {
    return this.startDecided || until(iso) > 0;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await fn();
    } finally {
      this.busy--;
    }
  }
  /**
   * A ledger activity (a local one since `ledger-local-activities`). Since `local-activities-in-turn`
   * a local activity starts only once the one before it has finished. Two asked side by side (an
   * Update handler and a timer's step, each computing a due date, in the same task) whose results
   * reach the worker at once resume in one activation, and replay could resume them in the other
   * order than the live run did; their code then issued its commands in the other order and the run
   * failed to replay with a nondeterminism error (`full`, 24 November: items evicted from the cache
   * and replayed, stuck; test/local-order.devserver.test.ts). One at a time, each result resumes its
   * own activation, live and on replay alike.
   */
  local<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.inTurn) return this.run(fn);
    const mine = this.turn.then(fn);
    this.turn = mine.catch(() => undefined);
    return this.run(() => mine);
  }
  record(e: LedgerEvent): Promise<unknown> {
    if (this.bySink) {
      // Committed by the worker before this workflow task's completion leaves it (src/ledger/sink.ts).
      ledgerSink.write(e);
      return Promise.resolve();
    }
    return this.local(() => this.ledger.recordEvent(e));
  }
  notify(req: NoticeRequest): Promise<unknown> {
    return this.run(() => notices.sendNotice(req));
  }
  addDuration(from: string, duration: string): Promise<string> {
    return this.local(() => this.ledger.addDuration({ from, duration }));
  }
  /** A human step: a task row for the inbox, and a notice to the assignee. */
  async openTask(t: Omit<TaskRecord, 'workflowId'> & { notify?: boolean; notifyPersonIds?: string[] }): Promise<void> {
    const { notify = true, notifyPersonIds, ...task } = t;
    const record: TaskRecord = { ...task, workflowId: workflowInfo().workflowId };
    await this.record({ type: 'task.opened', eventKey: `${t.taskId}:opened`, at: nowIso(), actor: 'system', task: record, confidentialUntil: t.confidentialUntil });
    if (notify) {
      await this.soon(this.notify({
        key: `${t.taskId}:assigned`,
        template: 'task-assigned',
        roundId: t.roundId,
        unitId: t.unitId,
        itemId: t.itemId,
        to: notifyPersonIds?.length ? [] : [t.assigneeRole],
        toPersonIds: notifyPersonIds,
        itemTitle: t.subject,
        deadline: t.dueAt,
        confidentialUntil: t.confidentialUntil,
      }));
    }
  }
  closeTask(c: { roundId: string; unitId?: string; taskId: string; by: string; outcome?: string; state?: 'done' | 'cancelled' }): Promise<unknown> {
    return this.record({
      type: 'task.closed',
      eventKey: `${c.taskId}:closed`,
      at: nowIso(),
      actor: c.by,
      roundId: c.roundId,
      unitId: c.unitId,
      taskId: c.taskId,
      state: c.state ?? 'done',
      outcome: c.outcome,
    });
  }
  /** Tell another workflow (parent, round) about a change; it may have closed already, which is fine. */
  async tell<A extends unknown[]>(workflowId: string, signal: SignalDefinition<A>, ...args: A): Promise<void> {
    await this.run(async () => {
      try {
        await getExternalWorkflowHandle(workflowId).signal(signal, ...args);
      } catch {
        // The receiver has completed (e.g. a long-term item outliving its round): nothing to tell.
      }
    });
  }
}

/**
 * A workflow's steps that must not interleave: its Updates, and the stretches of its own code that
 * decide something, wait for a local activity, then act on the decision (open a task). Two Updates that
 * reach a workflow in one task (a double click; the office deciding while the unit reports) each ran up
 * to their first await before the other went on, so a check made after an await (is a reconcile task
 * open?) passed for both, and both opened one; an Update that closes a task found none while the
 * workflow's own code was still computing that task's due date, and the task stayed open forever.
 * Since the workflow's `*-steps-in-turn` patch (decided at its start) a step that arrives while another
 * runs starts once the ones before it have finished; an Update is then validated again, and refused if
 * the step before it made it pointless (closed the item). A step that finds nothing running starts at
 * once, exactly as before, so no history changes unless steps meet.
 */
export class StepTurns {
  private tail: Promise<unknown> = Promise.resolve();
  private running = 0;
  constructor(readonly inTurn: boolean) {}
  run<T>(fn: () => Promise<T>, recheck: () => void = () => undefined): Promise<T> {
    const wait = this.inTurn && this.running > 0;
    this.running++;
    const mine = wait
      ? this.tail.then(() => {
          recheck();
          return fn();
        })
      : now(fn);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.tail = settled.then(() => void this.running--);
    return mine;
  }
  /** An Update whose handler takes its turn; one that waited is validated again (see `run`). */
  handle<Ret, Args extends unknown[], Name extends string>(def: UpdateDefinition<Ret, Args, Name>, handler: (...args: Args) => Promise<Ret>, validator: (...args: Args) => void): void {
    const revalidate = (args: Args) => () => {
      try {
        validator(...args);
      } catch (e) {
        refuse(e as ValidationError);
      }
    };
    const inTurn = (...args: Args) => this.run(() => handler(...args), revalidate(args));
    // (The SDK's conditional handler type does not resolve for a generic definition.)
    setHandler(def, inTurn as never, { validator });
  }
}

/** `fn()`, with a synchronous throw as a rejection (so StepTurns' count still comes down). */
function now<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Refuse a step from its handler (a validator's ValidationError would fail the workflow task there):
 * the caller gets the same message and issues as from a validator.
 */
export function refuse(e: ValidationError): never {
  throw ApplicationFailure.create({ type: 'ValidationError', message: e.message, nonRetryable: true, details: [e.issues] });
}

/** True when the history should be handed to a fresh run. */
export function historyFull(limit: number): boolean {
  const i = workflowInfo();
  return i.continueAsNewSuggested || i.historyLength > limit;
}

const quiet = (fx: Effects, allHandlersFinished: () => boolean) => fx.busy === 0 && allHandlersFinished();

/**
 * Run `work` to its end, handing the state to a fresh run (`cont`, which continues as new) whenever
 * the history is full and nothing is in flight. The quiet check is repeated at the moment of the
 * hand-over: work resumed in the same activation may have started something since the condition held.
 */
export async function runOrContinue(fx: Effects, limit: number, allHandlersFinished: () => boolean, work: Promise<unknown>, cont: () => Promise<never>): Promise<void> {
  let done = false;
  const finished = work.then(() => {
    done = true;
  });
  for (;;) {
    await Promise.race([finished, fx.failed, condition(() => historyFull(limit) && quiet(fx, allHandlersFinished))]);
    if (done) return;
    if (historyFull(limit) && quiet(fx, allHandlersFinished)) await cont();
  }
}

export const ms = (iso: string) => Date.parse(iso);
export const until = (iso: string) => Math.max(0, Date.parse(iso) - Date.now());

/** The state of one deadline's timeline; a new deadline (returned, reopened) is a new version. */
export interface TimelineState {
  version: number;
  due: string;
  steps: TimelineStep[];
  /** When each step falls (`withPrevious`: at the same instant as the step before it in time). */
  schedule?: { key: string; at: string; withPrevious?: boolean }[];
  fired: string[];
  skipped: string[];
}

export function newTimeline(prev: TimelineState | undefined, due: string, steps: TimelineStep[]): TimelineState {
  return { version: (prev?.version ?? 0) + 1, due, steps, fired: [], skipped: [] };
}

/**
 * Run a timeline until its subject is settled or the timeline is replaced. Each step fires at most
 * once per version (its notice key carries the version); reminders already past when the
 * timeline starts collapse into the latest one, so a late start does not send a burst.
 */
export async function runTimeline(
  fx: Effects,
  current: () => TimelineState,
  settled: () => boolean,
  /** Fires a step; `false`: it found the subject settled or the timeline replaced, and did nothing. */
  fire: (step: TimelineStep, tl: TimelineState) => Promise<void | false>,
): Promise<void> {
  const tl = current();
  // Replaced (a returned or reopened item) means this run is over; the new timeline has its own.
  const replaced = () => current() !== tl;
  const stale = () => settled() || replaced();
  if (!tl.schedule) {
    const asked = Date.now();
    const schedule = await fx.local(() => fx.ledger.scheduleTimeline({ deadline: tl.due, steps: tl.steps }));
    if (replaced()) return;
    // Since the patches at start, reminders past when the schedule was asked for (the clock read
    // before the local activity, the same in the first run and in replay).
    const now = fx.startDecided ? asked : Date.now();
    const pastReminders = schedule.filter((s, i) => ms(s.at) <= now && tl.steps[i]!.offset.trim().startsWith('-'));
    tl.skipped = pastReminders.slice(0, -1).map((s) => s.key);
    tl.schedule = schedule;
  }
  const order = inTimeOrder(tl.schedule).map((s) => ({ ...s, step: tl.steps[s.i]! }));
  let firedAt: string | undefined;
  for (const { at, step, withPrevious } of order) {
    if (tl.fired.includes(step.key) || tl.skipped.includes(step.key)) continue;
    // A step the schedule says falls at the same instant as the one before it (红色提醒 and 催办 on
    // the deadline day), right after that step fired, fires in the same workflow task instead of after
    // a 1 ms timer and a task of its own. Decided by the schedule's local activity result, recorded in
    // the history: schedules made before it said so keep their timers when replayed.
    const together = withPrevious === true && firedAt === at;
    if (!together && fx.waits(at)) await condition(stale, fx.timeout(at));
    if (stale()) return;
    if ((await fire(step, tl)) === false) return;
    tl.fired.push(step.key);
    firedAt = at;
    if (replaced()) return;
  }
}

/** Role list for a notice, plus the named people who stand for 'responsible' where there is no unit (letters). */
export function splitRecipients(to: RecipientRole[], responsiblePersonIds?: string[]): { to: RecipientRole[]; toPersonIds?: string[] } {
  if (!responsiblePersonIds || !to.includes('responsible')) return { to };
  return { to: to.filter((r) => r !== 'responsible'), toPersonIds: responsiblePersonIds };
}
