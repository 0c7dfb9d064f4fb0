import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { DataConverter, Duration } from '@temporalio/common';
import type { Pool } from 'pg';
import { createLedgerActivities, createNoticeActivities } from '../activities';
import type { Mailer } from '../activities/mailer';
import type { Config } from '../config';
import { ITEM_TASK_QUEUE, NOTICE_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../domain/ids';
import { createLedgerSinks } from '../ledger/sink';
import { workflowBundleOptions } from './bundle';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  pool: Pool;
  mailer: Mailer;
  config: Config;
  /** A prebuilt bundle (production, tests sharing one build); otherwise built from src/workflows. */
  workflowBundle?: WorkflowBundleOption;
  /** Payload encryption (src/codec): both workers need it, the notice worker to read its inputs. */
  dataConverter?: DataConverter;
}

/** The three SDK workers of one process. */
export interface Workers {
  /** Rounds, units, clues and letters (and items started before `items-own-queue`), with ledger activities. */
  workflowWorker: Worker;
  /** Rectification items, with ledger activities: their own task queue and cache. */
  itemWorker: Worker;
  /** Notices, rate-limited by the server across every notice worker. */
  noticeWorker: Worker;
}

/**
 * Three workers: workflows and ledger activities on one task queue; rectification items and ledger
 * activities on their own, with their own cache (WORKER_MAX_CACHED_ITEMS) and their own workflow
 * thread in the SDK core; notices on their own, where the server enforces the e-mail rate across
 * every notice worker. The workflow code is bundled once and shared.
 */
export async function createWorkers(d: WorkerDeps): Promise<Workers> {
  const shutdownGraceTime = d.config.WORKER_SHUTDOWN_GRACE as Duration;
  const workflowBundle = d.workflowBundle ?? (await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') }));
  const activities = createLedgerActivities({ pool: d.pool });
  // Ledger rows of runs since `ledger-writes-by-sink`: committed before each completion is sent.
  const sinks = createLedgerSinks(d.pool);
  const workflowSide = (taskQueue: string, maxCachedWorkflows: number) =>
    Worker.create({
      connection: d.connection,
      namespace: d.namespace,
      taskQueue,
      workflowBundle,
      activities,
      sinks,
      maxCachedWorkflows,
      maxConcurrentWorkflowTaskExecutions: d.config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      // No more polls than slots. (SDK 1.24 reads only the poller behaviour, not maxConcurrentWorkflowTaskPolls.)
      workflowTaskPollerBehavior: pollsWithinSlots(d.config.WORKER_MAX_WORKFLOW_TASK_POLLS, d.config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS),
      maxConcurrentActivityTaskExecutions: d.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
      shutdownGraceTime,
      dataConverter: d.dataConverter,
    });
  const workflowWorker = await workflowSide(WORKFLOW_TASK_QUEUE, d.config.WORKER_MAX_CACHED_WORKFLOWS);
  const itemWorker = await workflowSide(ITEM_TASK_QUEUE, d.config.WORKER_MAX_CACHED_ITEMS);
  const noticeWorker = await Worker.create({
    connection: d.connection,
    namespace: d.namespace,
    taskQueue: NOTICE_TASK_QUEUE,
    activities: createNoticeActivities({ pool: d.pool, mailer: d.mailer, config: d.config }),
    maxTaskQueueActivitiesPerSecond: d.config.NOTICE_RATE_PER_SECOND,
    maxConcurrentActivityTaskExecutions: d.config.WORKER_MAX_CONCURRENT_NOTICES,
    activityTaskPollerBehavior: pollsWithinSlots(d.config.WORKER_MAX_NOTICE_POLLS, d.config.WORKER_MAX_CONCURRENT_NOTICES),
    shutdownGraceTime,
    dataConverter: d.dataConverter,
  });
  return { workflowWorker, itemWorker, noticeWorker };
}

/** A fixed number of polls, never more than the slots they fill. */
const pollsWithinSlots = (polls: number, slots: number) => ({ type: 'simple-maximum' as const, maximum: Math.min(polls, slots) });

const all = (w: Workers) => [w.workflowWorker, w.itemWorker, w.noticeWorker];

/** Run all three until shutdown (SIGINT/SIGTERM are handled by the SDK runtime, which drains them). */
export async function runWorkers(w: Workers): Promise<void> {
  await Promise.all(all(w).map((x) => x.run()));
}

/** Ask all three to drain and stop (tests; the process itself stops on SIGINT/SIGTERM). */
export function shutdownWorkers(w: Workers): void {
  for (const x of all(w)) if (x.getState() === 'RUNNING') x.shutdown();
}
