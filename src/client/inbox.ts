import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ValidationError } from '../domain/validation';
import { applyEvent } from '../ledger/events';
import { taskById, tasksForPerson, tasksForRole, type InboxTask } from '../ledger/inbox';
import type { XunchaClient } from './xuncha-client';

/**
 * The task inbox (待办): lists come from the ledger; completing a task sends the workflow Update
 * named on it. The task closes only when the workflow accepts (its handler closes the row); a
 * refused completion leaves it open with the reason recorded on it.
 */
export class TaskInbox {
  constructor(
    private readonly pool: Pool,
    private readonly xc: XunchaClient,
  ) {}

  forPerson(personId: string, now = new Date()): Promise<InboxTask[]> {
    return tasksForPerson(this.pool, personId, now);
  }
  forRole(role: string, roundId: string, unitId?: string, now = new Date()): Promise<InboxTask[]> {
    return tasksForRole(this.pool, { role, roundId, unitId }, now);
  }

  async complete(taskId: string, payload: Record<string, unknown>): Promise<unknown> {
    const task = await taskById(this.pool, taskId, new Date());
    if (!task) throw new ValidationError(`completeTask: taskId: no task "${taskId}"`, [{ path: 'taskId', message: 'not found' }]);
    if (task.state !== 'open') throw new ValidationError(`completeTask: taskId: task "${taskId}" is already ${task.state}`, [{ path: 'taskId', message: task.state }]);
    if (!task.updateName) throw new ValidationError(`completeTask: taskId: "${task.kind}" tasks are done outside the workflow`);
    const input = task.updateName === 'completeTask' ? { ...payload, taskId } : payload;
    try {
      return await this.xc.stepByWorkflowId(task.workflowId, task.updateName, input);
    } catch (err) {
      if ((err as Error).name === 'ValidationError') {
        await applyEvent(this.pool, {
          type: 'task.rejected',
          eventKey: `${taskId}:rejected:${randomUUID()}`,
          at: new Date().toISOString(),
          actor: String(payload.by ?? 'unknown'),
          roundId: task.roundId,
          unitId: task.unitId ?? undefined,
          taskId,
          reason: (err as Error).message,
        });
      }
      throw err;
    }
  }
}
