// Determinism: the saved history of every workflow type replays against today's workflow code, and
// an altered history (the negative control) must fail, proving the replay can catch a change.
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR } from './support/histories';
import { quietRuntime, testDataConverter, workflowBundle } from './support/helpers';

const load = (file: string) => temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));

beforeAll(() => quietRuntime());

test.each(['round', 'unit', 'item', 'clue', 'letter'])('the saved %s history replays without a determinism error', async (name) => {
  const history = load(`${name}.json`);
  const type = history.events[0]!.workflowExecutionStartedEventAttributes!.workflowType!.name;
  expect(type).toBe(`${name}Workflow`);
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter() }, history, `replay-${name}`);
});

test('an altered history fails to replay (negative control)', async () => {
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, load('item.altered.json'), 'replay-altered')).rejects.toMatchObject({
    name: 'DeterminismViolationError',
  });
});
