// An Update the server aborted because the Workflow Task carrying it failed is safe to send again.
// That happens without any fault of the caller's: a task that completes the workflow (an item's
// 销号, a unit's close) while a timer fires or a signal arrives is failed by the server with
// UnhandledCommand and replayed, and every Update it carried is aborted with WorkflowNotReady
// (FAILED_PRECONDITION), which the SDK's client does not retry (server ≥ 1.27, temporal#7296).
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';

const FAILED_PRECONDITION = 9;

/** The server aborted the Update because its Workflow Task failed; nothing of it was applied. */
export function isWorkflowNotReady(err: unknown): boolean {
  const e = err as { name?: string; cause?: { code?: number; details?: string; metadata?: { get(key: string): unknown[] } } };
  if (e?.name !== 'ServiceError' || e.cause?.code !== FAILED_PRECONDITION) return false;
  const bin = e.cause.metadata?.get('grpc-status-details-bin') ?? [];
  const typed = bin.some((b) => Buffer.isBuffer(b) && b.includes('WorkflowNotReadyFailure'));
  return typed || /unexpected workflow task failure/i.test(e.cause.details ?? '');
}

export interface UpdateRetry {
  /** Sends in all, the first included. */
  attempts: number;
  firstDelayMs: number;
}
export const DEFAULT_UPDATE_RETRY: UpdateRetry = { attempts: 6, firstDelayMs: 100 };

/**
 * executeUpdate, sent again (same Update id, so an attempt the workflow did take is not applied
 * twice) while the server answers that the Workflow Task carrying it failed. A task that keeps
 * failing (a bug, not a race) still reaches the caller after a few seconds.
 */
export async function executeUpdateRetrying<Ret, Args extends [unknown, ...unknown[]]>(
  handle: WorkflowHandle,
  def: UpdateDefinition<Ret, Args, string>,
  opts: { args: Args; updateId?: string },
  retry: UpdateRetry = DEFAULT_UPDATE_RETRY,
): Promise<Ret> {
  const updateId = opts.updateId ?? randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await handle.executeUpdate(def, { args: opts.args, updateId });
    } catch (err) {
      if (attempt >= retry.attempts || !isWorkflowNotReady(err)) throw err;
      await new Promise((r) => setTimeout(r, retry.firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}
