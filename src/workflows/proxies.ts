// Only *types* cross from src/activities into the sandbox; the implementations run in the worker.
import { proxyActivities, proxyLocalActivities, proxySinks, type Sinks } from '@temporalio/workflow';
import type { createLedgerActivities, createNoticeActivities } from '../activities';
import type { LedgerEvent } from '../domain/events';
import { NOTICE_TASK_QUEUE } from '../domain/ids';

/** Ledger writes are idempotent, so they retry without limit: an outage delays, it never loses. */
export const ledger = proxyActivities<ReturnType<typeof createLedgerActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * The same ledger activities run as local activities (in the worker that runs the workflow task,
 * no round trip through the server's activity queue, one marker event instead of three). Used by
 * workflows started since the `ledger-local-activities` patch (see Effects in common.ts); the
 * benchmark measured the regular-activity path at well under the bare baseline's Update rate.
 */
export const localLedger = proxyLocalActivities<ReturnType<typeof createLedgerActivities>>({
  startToCloseTimeout: '1 minute',
  // Past this, retries are scheduled as timers in history instead of inside the workflow task.
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * The ledger sink (src/ledger/sink.ts): how runs started since the `ledger-writes-by-sink` patch write
 * their ledger rows. The worker commits the writes of an activation, in order, before it sends that
 * activation's completion, and retries a failed write until it is committed; no history event.
 */
export interface LedgerSinks extends Sinks {
  ledger: { write(event: LedgerEvent): void };
}
export const { ledger: ledgerSink } = proxySinks<LedgerSinks>();

/** Notices run on their own rate-limited task queue; a failed send is retried with backoff, never dropped. */
export const notices = proxyActivities<ReturnType<typeof createNoticeActivities>>({
  taskQueue: NOTICE_TASK_QUEUE,
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/** Workflow time as an ISO string: deterministic, and skipped along with the test server's clock. */
export const nowIso = (): string => new Date().toISOString();
