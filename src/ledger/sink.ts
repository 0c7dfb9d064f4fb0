// The ledger sink (账本写入): how workflow code started since `ledger-writes-by-sink` writes its
// ledger rows. A workflow calls `ledgerSink.write(event)` (src/workflows/proxies.ts); the SDK hands
// the calls of an activation to this code on the worker's main thread and awaits them before it
// sends that activation's completion — so an Update's response, a notice, a signal or a child start
// that the same workflow task produced reaches the server only after its rows are committed. That is
// the promise a local activity made, without its second activation and marker event per write (the
// benchmark measured a local activity at as much worker CPU as the Update it served; README "Scale").
//
// Never lost: a write that fails (Postgres down) is retried until it is committed. The completion
// waits meanwhile; if the server times the workflow task out, the task runs again on replayed state
// and writes the same events again, which `applyEvent` ignores by event key. Never doubled: the same
// key is applied once. In order: the events of one run are applied one after another in call order.
// Not called on replay (the run that first made the call wrote it before its completion was sent).
import type { InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { Pool } from 'pg';
import type { LedgerEvent } from '../domain/events';
import type { LedgerSinks } from '../workflows/proxies';
import { applyEvent } from './events';

export interface LedgerSinkOptions {
  /** First wait after a failed write; doubled up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Where failures are reported (the first of an event, then every tenth). */
  warn?: (message: string) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Apply `event`, retrying until it is committed. */
export async function writeUntilCommitted(pool: Pool, event: LedgerEvent, o: LedgerSinkOptions = {}): Promise<void> {
  const warn = o.warn ?? ((m: string) => console.warn(m));
  let wait = o.initialBackoffMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      await applyEvent(pool, event);
      if (attempt > 1) warn(`[ledger-sink] ${event.eventKey} written after ${attempt} attempts`);
      return;
    } catch (err) {
      if (attempt === 1 || attempt % 10 === 0) warn(`[ledger-sink] ${event.eventKey} (${event.type}) not written, attempt ${attempt}, retrying: ${(err as Error).message}`);
      await sleep(wait);
      wait = Math.min(wait * 2, o.maxBackoffMs ?? 5000);
    }
  }
}

/**
 * The sink the workflow worker registers. Events of one run are chained so that they commit in the
 * order the workflow wrote them, even when the SDK starts several calls of an activation at once.
 */
export function createLedgerSinks(pool: Pool, o: LedgerSinkOptions = {}): InjectedSinks<LedgerSinks> {
  const tails = new Map<string, Promise<void>>();
  return {
    ledger: {
      write: {
        fn: (info: WorkflowInfo, event: LedgerEvent) => {
          const runId = info.runId;
          const next = (tails.get(runId) ?? Promise.resolve()).then(() => writeUntilCommitted(pool, event, o));
          tails.set(runId, next);
          // Forget the run once its last write is done, so the map holds only runs with writes in flight.
          void next.then(() => {
            if (tails.get(runId) === next) tails.delete(runId);
          });
          return next;
        },
        callDuringReplay: false,
      },
    },
  };
}

/**
 * For replay (the replay test, the chaos suite's history check): the same sink, registered so the
 * worker knows it, that must never be called — a replayed run's rows were written by the run itself.
 */
export function ledgerSinksForReplay(): InjectedSinks<LedgerSinks> {
  return {
    ledger: {
      write: {
        fn: (_info: WorkflowInfo, event: LedgerEvent) => {
          throw new Error(`[ledger-sink] called during replay for ${event.eventKey}`);
        },
        callDuringReplay: false,
      },
    },
  };
}
