// The worker tuning knobs (src/config.ts) as the SDK receives them: the three real workers of one
// process built by createWorkers against the time-skipping server, and their compiled options read
// back. A knob that is parsed but never passed on (or passed to the wrong worker) fails here.
import { ITEM_TASK_QUEUE, NOTICE_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../src/domain/ids';
import { harness, realWorkers, timeSkippingEnv } from './support/helpers';

test('every knob reaches the worker it tunes, and polls never exceed their slots', async () => {
  const env = await timeSkippingEnv();
  const h = harness({
    WORKER_MAX_CACHED_WORKFLOWS: '17',
    WORKER_MAX_CACHED_ITEMS: '23',
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '12',
    WORKER_MAX_WORKFLOW_TASK_POLLS: '30',
    WORKER_MAX_CONCURRENT_ACTIVITIES: '9',
    WORKER_MAX_CONCURRENT_NOTICES: '25',
    WORKER_MAX_NOTICE_POLLS: '7',
    NOTICE_RATE_PER_SECOND: '13',
  });
  try {
    const w = await realWorkers(h, env.nativeConnection);
    // Run them (a worker holds its connection until it has run and shut down), then read their options.
    await w.runUntil(async () => undefined);
    const { workflowWorker: rounds, itemWorker: items, noticeWorker: notices } = w;
    expect([rounds.options.taskQueue, items.options.taskQueue, notices.options.taskQueue]).toEqual([WORKFLOW_TASK_QUEUE, ITEM_TASK_QUEUE, NOTICE_TASK_QUEUE]);
    expect(rounds.options.maxCachedWorkflows).toBe(17);
    expect(items.options.maxCachedWorkflows).toBe(23);
    for (const x of [rounds, items]) {
      // Slots reach the SDK core as fixed-size slot suppliers.
      expect(x.options.tuner).toMatchObject({ workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 12 }, activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 9 } });
      // 30 polls asked for, 12 slots: capped at the slots.
      expect(x.options.workflowTaskPollerBehavior).toEqual({ type: 'simple-maximum', maximum: 12 });
      expect(x.options.maxTaskQueueActivitiesPerSecond).toBeUndefined();
    }
    expect(notices.options.tuner).toMatchObject({ activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 25 } });
    expect(notices.options.activityTaskPollerBehavior).toEqual({ type: 'simple-maximum', maximum: 7 });
    expect(notices.options.maxTaskQueueActivitiesPerSecond).toBe(13);
  } finally {
    await h.close();
    await env.teardown();
  }
});

test('notice polls are capped at the notice slots', async () => {
  const env = await timeSkippingEnv();
  const h = harness({ WORKER_MAX_CONCURRENT_NOTICES: '4', WORKER_MAX_NOTICE_POLLS: '40' });
  try {
    const w = await realWorkers(h, env.nativeConnection);
    await w.runUntil(async () => undefined);
    expect(w.noticeWorker.options.activityTaskPollerBehavior).toEqual({ type: 'simple-maximum', maximum: 4 });
  } finally {
    await h.close();
    await env.teardown();
  }
});
