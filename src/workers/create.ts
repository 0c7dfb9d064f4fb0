import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { DataConverter, Duration } from '@temporalio/common';
import type { Pool } from 'pg';
import { createLedgerActivities, createNoticeActivities } from '../activities';
import type { Mailer } from '../activities/mailer';
import type { Config } from '../config';
import { NOTICE_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../domain/ids';
import { createLedgerSinks } from '../ledger/sink';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_PATH } from './bundle';

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

/**
 * Two workers: workflows and ledger activities on one task queue, notices on their own, where the
 * server enforces the e-mail rate across every notice worker.
 */
export async function createWorkers(d: WorkerDeps): Promise<{ workflowWorker: Worker; noticeWorker: Worker }> {
  const shutdownGraceTime = d.config.WORKER_SHUTDOWN_GRACE as Duration;
  const workflowWorker = await Worker.create({
    connection: d.connection,
    namespace: d.namespace,
    taskQueue: WORKFLOW_TASK_QUEUE,
    ...(d.workflowBundle ? { workflowBundle: d.workflowBundle } : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } }),
    activities: createLedgerActivities({ pool: d.pool }),
    // Ledger rows of runs since `ledger-writes-by-sink`: committed before each completion is sent.
    sinks: createLedgerSinks(d.pool),
    maxCachedWorkflows: d.config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: d.config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    // No more polls than slots. (SDK 1.24 reads only the poller behaviour, not maxConcurrentWorkflowTaskPolls.)
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: Math.min(d.config.WORKER_MAX_WORKFLOW_TASK_POLLS, d.config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS) },
    maxConcurrentActivityTaskExecutions: d.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    shutdownGraceTime,
    dataConverter: d.dataConverter,
  });
  const noticeWorker = await Worker.create({
    connection: d.connection,
    namespace: d.namespace,
    taskQueue: NOTICE_TASK_QUEUE,
    activities: createNoticeActivities({ pool: d.pool, mailer: d.mailer, config: d.config }),
    maxTaskQueueActivitiesPerSecond: d.config.NOTICE_RATE_PER_SECOND,
    maxConcurrentActivityTaskExecutions: d.config.WORKER_MAX_CONCURRENT_NOTICES,
    shutdownGraceTime,
    dataConverter: d.dataConverter,
  });
  return { workflowWorker, noticeWorker };
}

/** Run both until shutdown (SIGINT/SIGTERM are handled by the SDK runtime, which drains both). */
export async function runWorkers(w: { workflowWorker: Worker; noticeWorker: Worker }): Promise<void> {
  await Promise.all([w.workflowWorker.run(), w.noticeWorker.run()]);
}
