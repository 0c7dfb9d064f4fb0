// Determinism: the saved history of every workflow type replays against today's workflow code, and
// an altered history (the negative control) must fail, proving the replay can catch a change.
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { ITEM_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../src/domain/ids';
import { ledgerSinksForReplay } from '../src/ledger/sink';
import { HISTORIES_DIR, patchesAfterFirstTask, workflowTasks } from './support/histories';
import { quietRuntime, testDataConverter, workflowBundle } from './support/helpers';

const load = (file: string) => temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));

beforeAll(() => quietRuntime());

/** The ids of a history's patch markers. */
const patchIds = (h: temporal.api.history.v1.IHistory) =>
  (h.events ?? [])
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => (JSON.parse(Buffer.from(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString()) as { id: string }).id);

// Every generation of saved histories: <type>.json from the first code, <type>.<tag>.json from later code.
const saved = fs.readdirSync(HISTORIES_DIR).filter((f) => /^(round|unit|item|clue|letter)(\.[\w-]+)?\.json$/.test(f) && !f.includes('altered'));

// Nine generations: before any patch; patches asked mid-run; every patch decided at a run's start; an
// item's fewer round trips per step (only the item's code changed, the others are saved alike); ledger
// rows written through the worker's ledger sink instead of local activities; items started on their own
// task queue (only the unit's code changed, the others are saved alike); local activities one at a
// time (every type's Effects); an item's and a unit's steps in turn (`item-steps-in-turn` and
// `unit-steps-in-turn`: only those two changed, the others are saved alike); a unit's checks and their
// findings in turn, and a clue's or letter's task settled at once (today's, `unit-checks-in-turn` and
// `task-settled-at-once`: unit, clue and letter changed, round and item are saved alike).
test('every workflow type has a saved history of each generation of the code', () => {
  for (const name of ['round', 'unit', 'item', 'clue', 'letter']) {
    expect(saved.filter((f) => f.startsWith(`${name}.`)).sort()).toEqual([
      `${name}.at-start.json`,
      `${name}.checks-in-turn.json`,
      `${name}.fewer-trips.json`,
      `${name}.in-turn.json`,
      `${name}.items-queue.json`,
      `${name}.json`,
      `${name}.ledger-sink.json`,
      `${name}.patched-mid-run.json`,
      `${name}.steps-in-turn.json`,
    ]);
  }
});

test.each(saved)('the saved history %s replays without a determinism error', async (file) => {
  const name = file.split('.')[0]!;
  const history = load(file);
  const type = history.events[0]!.workflowExecutionStartedEventAttributes!.workflowType!.name;
  expect(type).toBe(`${name}Workflow`);
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter(), sinks: ledgerSinksForReplay() }, history, `replay-${file}`);
});

// Since `items-own-queue` a unit starts its items on xuncha-items; a unit begun before it keeps starting
// them where it always did (its replayed start commands must match), on xuncha-rounds.
test('items start on their own task queue since items-own-queue; older units keep starting theirs on xuncha-rounds', () => {
  const itemQueues = (file: string) =>
    load(file)
      .events.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
      .filter((a) => a?.workflowType?.name === 'itemWorkflow')
      .map((a) => a!.taskQueue!.name);
  expect(itemQueues('unit.items-queue.json')).toEqual([ITEM_TASK_QUEUE, ITEM_TASK_QUEUE]);
  for (const older of ['unit.json', 'unit.at-start.json', 'unit.fewer-trips.json', 'unit.ledger-sink.json']) {
    expect({ older, queues: [...new Set(itemQueues(older))] }).toEqual({ older, queues: [WORKFLOW_TASK_QUEUE] });
  }
});

// Today's runs decide local-activities-in-turn in their first workflow task, with their other patches;
// the runs saved before it do not have it, and replay them with local activities side by side.
test("local-activities-in-turn is decided in the first workflow task of today's runs, and absent from older ones", () => {
  for (const name of ['round', 'unit', 'item', 'clue', 'letter']) {
    const today = load(`${name}.in-turn.json`);
    expect({ name, markers: patchIds(today).includes('local-activities-in-turn'), late: patchesAfterFirstTask(today) }).toEqual({ name, markers: true, late: [] });
    expect({ name, older: patchIds(load(`${name}.items-queue.json`)).includes('local-activities-in-turn') }).toEqual({ name, older: false });
  }
});

// The ninth generation decides its new patches in the first workflow task too; the eighth has none.
test.each([
  ['unit', 'unit-checks-in-turn'],
  ['clue', 'task-settled-at-once'],
  ['letter', 'task-settled-at-once'],
])("%s: today's runs decide %s at their start, older runs do not have it", (name, patch) => {
  const today = load(`${name}.checks-in-turn.json`);
  expect({ markers: patchIds(today).includes(patch), late: patchesAfterFirstTask(today) }).toEqual({ markers: true, late: [] });
  expect(patchIds(load(`${name}.steps-in-turn.json`))).not.toContain(patch);
});

test('an altered history fails to replay (negative control)', async () => {
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), sinks: ledgerSinksForReplay() }, load('item.altered.json'), 'replay-altered')).rejects.toMatchObject({
    name: 'DeterminismViolationError',
  });
});

// From the chaos suite, under load: an item whose dedupe-unit-signals patch was first asked just after a
// local activity, and whose marker the server recorded one workflow task later than replay reaches that
// line. The check the lifecycle test applies to today's runs finds it; and the run cannot replay.
test('a patch recorded after the first workflow task is found, and such a run fails to replay (negative control)', async () => {
  const late = load('late-patch-item.json');
  expect(patchesAfterFirstTask(late)).toEqual(['dedupe-unit-signals']);
  expect(patchesAfterFirstTask(load('item.at-start.json'))).toEqual([]);
  expect(patchesAfterFirstTask(load('item.fewer-trips.json'))).toEqual([]);
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter(), sinks: ledgerSinksForReplay() }, late, 'replay-late')).rejects.toMatchObject({
    name: 'DeterminismViolationError',
    message: expect.stringContaining('dedupe-unit-signals'),
  });
});

// Since 24 November a timeline's schedule (a local activity's result, recorded in the history) says
// which steps fall at the same instant as the step before them, and such a step fires in that step's
// workflow task. A late item of today's code: red and 催办 went out in the task the deadline's timer
// fired in, with no timer of their own between them; its history replays, as do the older ones above
// (their schedules did not say so, and their 1 ms timers are replayed as they were).
test('an item whose red reminder and 催办 fired in one task replays', async () => {
  const history = load('ladder-late-item.same-instant.json');
  const tasks = workflowTasks(history);
  const twoNoticesAfterATimer = tasks.filter((t) => t.woken.includes('timerFired') && t.did.filter((d) => d === 'activityTaskScheduled').length === 2 && !t.did.includes('markerRecorded'));
  expect(twoNoticesAfterATimer).toHaveLength(1);
  expect(tasks.flatMap((t) => t.did).filter((d) => d === 'timerStarted')).toHaveLength(6);
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter(), sinks: ledgerSinksForReplay() }, history, 'replay-same-instant');
});

// Since `item-steps-in-turn` and `unit-steps-in-turn` (decided at a run's start) steps that reach a
// workflow in one workflow task run one after another (test/lifecycle/concurrent-steps.test.ts, where
// they were saved). An item that got two reports of "done" in one task, and a unit whose report was
// submitted and approved by the office in one task: the second step waited for the first, and both
// runs replay; older runs have no such marker and keep their steps side by side.
test.each([
  ['steps-met-item.steps-in-turn.json', 'item-steps-in-turn', 'item.in-turn.json'],
  ['steps-met-unit.steps-in-turn.json', 'unit-steps-in-turn', 'unit.in-turn.json'],
  // Two sets of findings that reopened one closed item, the second after the first (unit-checks-in-turn).
  ['checks-met-unit.checks-in-turn.json', 'unit-checks-in-turn', 'unit.steps-in-turn.json'],
])('%s: two Updates in one workflow task, the patch decided at the start, and it replays', async (file, patch, older) => {
  const history = load(file);
  const tasks = workflowTasks(history);
  expect(tasks.some((t) => t.did.filter((d) => d === 'workflowExecutionUpdateAccepted').length === 2)).toBe(true);
  expect({ markers: patchIds(history).includes(patch), late: patchesAfterFirstTask(history) }).toEqual({ markers: true, late: [] });
  expect(patchIds(load(older))).not.toContain(patch);
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter(), sinks: ledgerSinksForReplay() }, history, `replay-${file}`);
});
