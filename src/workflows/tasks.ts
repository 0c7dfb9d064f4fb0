import { setHandler } from '@temporalio/workflow';
import { completeTaskUpdate } from '../domain/messages';
import type { TaskKind } from '../domain/policy';
import type { TaskSummary } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { I } from './schemas';
import type { Effects } from './common';
import type { TaskRecord } from '../domain/events';

/**
 * The open human steps of one workflow. The list lives in the workflow's state (it survives
 * continue-as-new); rows and notices go through Effects.
 */
export class TaskBook {
  /** Steps completed before their task was written (an Update can outrun the workflow's own set-up). */
  private readonly settledEarly = new Map<TaskKind, { by: string; outcome?: string }>();
  constructor(
    private readonly fx: Effects,
    readonly open: TaskSummary[],
    private readonly scope: { roundId: string; unitId?: string; itemId?: string },
  ) {}

  find(kind: TaskKind): TaskSummary | undefined {
    return this.open.find((t) => t.kind === kind);
  }

  async add(
    t: Omit<TaskRecord, 'workflowId' | 'roundId' | 'unitId' | 'itemId'> & { notify?: boolean; notifyPersonIds?: string[] },
  ): Promise<void> {
    if (this.open.some((o) => o.taskId === t.taskId)) return;
    this.open.push({ taskId: t.taskId, kind: t.kind, assigneeRole: t.assigneeRole, subject: t.subject, dueAt: t.dueAt });
    const early = this.settledEarly.get(t.kind);
    await this.fx.openTask({ ...this.scope, ...t, notify: early ? false : t.notify });
    if (early) {
      this.settledEarly.delete(t.kind);
      await this.close(t.kind, early.by, early.outcome);
    }
  }

  /** Close a task of a kind (if open); returns whether one was open. */
  async close(kind: TaskKind, by: string, outcome?: string, state: 'done' | 'cancelled' = 'done'): Promise<boolean> {
    const t = this.find(kind);
    if (!t) return false;
    this.open.splice(this.open.indexOf(t), 1);
    await this.fx.closeTask({ ...this.scope, taskId: t.taskId, by, outcome, state });
    return true;
  }

  /**
   * Close the task of a kind, or, if the workflow has not written it yet, close it as soon as it does.
   * `atOnce` (since the clue's and letter's `task-settled-at-once` patch, decided at their start): the
   * choice is made before anything is awaited. Before, it was made after `close` had resolved, and an
   * `add` of that task run in between (the start-up notice's completion in the same activation as the
   * step) found nothing remembered yet and left the task open for ever.
   */
  async closeOrRemember(kind: TaskKind, by: string, outcome?: string, atOnce = false): Promise<void> {
    if (atOnce && !this.find(kind)) {
      this.settledEarly.set(kind, { by, outcome });
      return;
    }
    if (!(await this.close(kind, by, outcome))) this.settledEarly.set(kind, { by, outcome });
  }

  async closeAll(by: string, outcome: string): Promise<void> {
    for (const t of [...this.open]) await this.close(t.kind, by, outcome, 'cancelled');
  }

  /**
   * Tasks that need no payload beyond "done" (动员会, 约谈, 专题民主生活会, 问责) are completed with
   * the generic completeTask Update; others have their own Updates.
   */
  handleCompletion(kinds: TaskKind[], after?: (t: TaskSummary, by: string) => Promise<void>): void {
    setHandler(
      completeTaskUpdate,
      async (raw) => {
        const req = parseOrThrow(I.CompleteTaskInput, raw, 'completeTask');
        const i = this.open.findIndex((o) => o.taskId === req.taskId);
        const [t] = i >= 0 ? this.open.splice(i, 1) : [];
        await this.fx.closeTask({ ...this.scope, taskId: req.taskId, by: req.by, outcome: req.note });
        if (t) await after?.(t, req.by);
        return { taskId: req.taskId };
      },
      {
        validator: (raw) => {
          const req = parseOrThrow(I.CompleteTaskInput, raw, 'completeTask');
          const t = this.open.find((o) => o.taskId === req.taskId);
          if (!t) throw new ValidationError(`completeTask: taskId: no open task "${req.taskId}" here`, [{ path: 'taskId', message: 'not open' }]);
          if (!kinds.includes(t.kind)) {
            throw new ValidationError(`completeTask: taskId: "${t.kind}" tasks are completed with their own step, not completeTask`);
          }
        },
      },
    );
  }
}
