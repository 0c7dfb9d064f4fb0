// Failure messages and stack traces are encrypted like payloads (encodeCommonAttributes, with the
// AES-GCM codec): an activity error quoting a petition leaves no informant's name in the server's
// history, while a client with the key still reads the whole message. A control run without the
// codec shows the name would be there otherwise.
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { ENCRYPTED_ENCODING, FAILURE_CONVERTER_PATH } from '../src/codec';
import type { failingPetition, FailingActivities } from './fixtures/failure-workflows';
import { testDataConverter, timeSkippingEnv, uid } from './support/helpers';

const NAME = '钱多多';
const TEXT = `举报人${NAME}（13900001111）反映县财政局违规发放津贴`;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

test('a failure quoting a petition is ciphertext in the history and plain text to the key holder', async () => {
  const activities: FailingActivities = {
    verify: async (text) => {
      throw ApplicationFailure.nonRetryable(`核查不通过：${text}`, 'VerifyError');
    },
  };
  const bundle = (failureConverterPath?: string) =>
    bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/failure-workflows'), failureConverterPath, logger: new DefaultLogger('WARN') });
  const sealedQueue = uid('fail-sealed');
  const plainQueue = uid('fail-plain');
  const dataConverter = testDataConverter();
  const [sealedWorker, plainWorker] = await Promise.all([
    Worker.create({ connection: env.nativeConnection, taskQueue: sealedQueue, workflowBundle: await bundle(FAILURE_CONVERTER_PATH), activities, dataConverter }),
    Worker.create({ connection: env.nativeConnection, taskQueue: plainQueue, workflowBundle: await bundle(), activities }),
  ]);
  const sealedClient = new Client({ connection: env.connection, dataConverter });
  const plainClient = new Client({ connection: env.connection });

  const sealedId = uid('fail-wf');
  const controlId = uid('fail-control');
  const [sealedErr, controlErr] = await sealedWorker.runUntil(
    plainWorker.runUntil(() =>
      Promise.all([
        sealedClient.workflow.execute<typeof failingPetition>('failingPetition', { taskQueue: sealedQueue, workflowId: sealedId, args: [TEXT] }).catch((e: unknown) => e),
        plainClient.workflow.execute<typeof failingPetition>('failingPetition', { taskQueue: plainQueue, workflowId: controlId, args: [TEXT] }).catch((e: unknown) => e),
      ]),
    ),
  );
  // The key holder reads the whole message; so does anyone in the control (nothing was encrypted there).
  for (const err of [sealedErr, controlErr]) {
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as { cause?: { cause?: Error } }).cause?.cause?.message).toBe(`核查不通过：${TEXT}`);
  }

  const failuresOf = async (workflowId: string) => {
    const history = await plainClient.workflow.getHandle(workflowId).fetchHistory();
    const types = history.events!.map((e) => e.eventType);
    const failures = history.events!.flatMap((e) => [e.activityTaskFailedEventAttributes?.failure, e.workflowExecutionFailedEventAttributes?.failure]).filter((f): f is temporal.api.failure.v1.IFailure => f != null);
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    return { types, failures, bytes };
  };
  const control = await failuresOf(controlId);
  expect(control.bytes.includes(Buffer.from(NAME))).toBe(true);
  const sealed = await failuresOf(sealedId);
  // Activity failed, then the workflow: both failures are in the history, neither in plain text.
  expect(sealed.failures).toHaveLength(2);
  const T = temporal.api.enums.v1.EventType;
  expect(sealed.types).not.toContain(T.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  for (const f of sealed.failures) {
    expect(f.message).toBe('Encoded failure');
    expect(f.stackTrace ?? '').toBe('');
    expect(Buffer.from(f.encodedAttributes!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
  }
  expect(sealed.bytes.includes(Buffer.from(NAME))).toBe(false);
  expect(sealed.bytes.includes(Buffer.from('13900001111'))).toBe(false);
  expect(sealed.bytes.includes(Buffer.from('核查不通过'))).toBe(false);
});
