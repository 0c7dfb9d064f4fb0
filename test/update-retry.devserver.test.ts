// An Update whose Workflow Task the server fails is aborted with WorkflowNotReady
// (FAILED_PRECONDITION), and the SDK's client does not send it again. In production this is an
// item's 销号 or a unit's close — Updates that complete the workflow — meeting a timer or a signal
// in the same instant (UnhandledCommand). The client sends such an Update again under the same
// Update id, so it is applied once.
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Worker, type InjectedSinks, type NativeConnection } from '@temporalio/worker';
import { toApiError } from '../src/api/errors';
import { executeUpdateRetrying, isWorkflowNotReady } from '../src/client/update-retry';
import { appliedQuery, closeUpdate, pokeSignal, type closingWorkflow, type PokeSinks } from './fixtures/update-workflows';
import { devServerConnections, uid } from './support/helpers';

let native: NativeConnection;
let connection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uid('update-retry');

beforeAll(async () => {
  ({ connection, client, native } = await devServerConnections());
  const sinks: InjectedSinks<PokeSinks> = {
    poke: { signalMe: { fn: (info) => client.workflow.getHandle(info.workflowId).signal(pokeSignal) } },
  };
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/update-workflows'), logger: new DefaultLogger('WARN') });
  worker = await Worker.create({ connection: native, taskQueue, workflowBundle, sinks });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await native?.close();
  await connection?.close();
});

async function started(): Promise<WorkflowHandle<typeof closingWorkflow>> {
  const handle = await client.workflow.start<typeof closingWorkflow>('closingWorkflow', { taskQueue, workflowId: uid('closing') });
  await handle.query(appliedQuery); // its first task is done: the Update comes in a task of its own
  return handle;
}

test('the server aborts an Update whose task met a signal while completing the workflow; the plain client gives up', async () => {
  const handle = await started();
  const err = await handle.executeUpdate(closeUpdate, { args: ['plain'] }).then(() => undefined, (e: unknown) => e);
  expect(isWorkflowNotReady(err)).toBe(true);
  // Were it to reach the HTTP API after every attempt: 503 saying nothing changed, not a 500.
  const api = toApiError(err);
  expect([api.status, api.message]).toEqual([503, expect.stringContaining('此操作未生效')]);
  // Nothing of it was applied: the workflow runs on, and the same Update sent again now goes through.
  expect(await handle.query(appliedQuery)).toEqual([]);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await expect(handle.executeUpdate(closeUpdate, { args: ['again'] })).resolves.toBe(1);
  expect(await handle.result()).toEqual(['again']);
});

test('executeUpdateRetrying sends it again under the same id, and it is applied exactly once', async () => {
  const handle = await started();
  let sends = 0;
  const counting = { ...handle, executeUpdate: (...a: Parameters<typeof handle.executeUpdate>) => (sends++, handle.executeUpdate(...a)) } as typeof handle;
  await expect(executeUpdateRetrying(counting, closeUpdate, { args: ['retried'] })).resolves.toBe(1);
  expect(sends).toBe(2);
  expect(await handle.result()).toEqual(['retried']);
});

test('after its last attempt the abort reaches the caller, and nothing was applied', async () => {
  const handle = await started();
  let sends = 0;
  const counting = { ...handle, executeUpdate: (...a: Parameters<typeof handle.executeUpdate>) => (sends++, handle.executeUpdate(...a)) } as typeof handle;
  const err = await executeUpdateRetrying(counting, closeUpdate, { args: ['once'] }, { attempts: 1, firstDelayMs: 10 }).then(() => undefined, (e: unknown) => e);
  expect(isWorkflowNotReady(err)).toBe(true);
  expect(sends).toBe(1);
  expect(await handle.query(appliedQuery)).toEqual([]);
  await handle.executeUpdate(closeUpdate, { args: ['done'] });
  await handle.result();
});

test('other errors are not taken for an aborted task', () => {
  expect(isWorkflowNotReady(Object.assign(new Error('x'), { name: 'ServiceError', cause: { code: 5, details: 'workflow not found' } }))).toBe(false);
  expect(isWorkflowNotReady(Object.assign(new Error('x'), { name: 'ServiceError', cause: { code: 9, details: 'namespace is not active' } }))).toBe(false);
  expect(isWorkflowNotReady(new Error('unexpected workflow task failure'))).toBe(false);
});
