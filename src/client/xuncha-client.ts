import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Config } from '../config';
import { itemWorkflowId, roundWorkflowId, unitWorkflowId, WORKFLOW_TASK_QUEUE } from '../domain/ids';
import { closeItemUpdate, itemStatusQuery, recordProblemUpdate, roundStatusQuery, unitStatusQuery } from '../domain/messages';
import { withDefaults } from '../domain/policy';
import { CloseItemInput, RecordProblemInput } from '../domain/problem';
import { RoundSetup, type RoundWorkflowInput } from '../domain/round';
import type { ItemStatus, RoundStatus, UnitStatus } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import type { roundWorkflow } from '../workflows';

/** A rejected Update arrives wrapped; give callers the validator's own message. */
function unwrapUpdateError(err: unknown): never {
  if (err instanceof Error && (err.name === 'WorkflowUpdateFailedError' || err instanceof WorkflowUpdateFailedError)) {
    const cause = (err as Error & { cause?: Error }).cause;
    throw new ValidationError(cause?.message ?? err.message);
  }
  throw err;
}

/** What people and programs call: inputs are validated here, before any workflow is touched. */
export class XunchaClient {
  constructor(readonly client: Client) {}

  static async connect(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<XunchaClient> {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    return new XunchaClient(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }));
  }

  /** Start a round; starting the same round id again returns the running one (idempotent). */
  async startRound(raw: unknown, startedBy: string): Promise<{ workflowId: string; alreadyStarted: boolean }> {
    const setup = parseOrThrow(RoundSetup, raw, 'round');
    const input: RoundWorkflowInput = { ...setup, policy: withDefaults(setup.policy), startedBy };
    const workflowId = roundWorkflowId(setup.roundId);
    try {
      await this.client.workflow.start<typeof roundWorkflow>('roundWorkflow', {
        taskQueue: WORKFLOW_TASK_QUEUE,
        workflowId,
        args: [input],
      });
      return { workflowId, alreadyStarted: false };
    } catch (err) {
      if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') return { workflowId, alreadyStarted: true };
      throw err;
    }
  }

  async recordProblem(roundId: string, unitId: string, raw: unknown): Promise<{ problemId: string }> {
    const input = parseOrThrow(RecordProblemInput, raw, 'recordProblem');
    return this.client.workflow
      .getHandle(unitWorkflowId(roundId, unitId))
      .executeUpdate(recordProblemUpdate, { args: [input] })
      .catch(unwrapUpdateError);
  }

  async closeItem(roundId: string, unitId: string, itemId: string, raw: unknown): Promise<ItemStatus> {
    const input = parseOrThrow(CloseItemInput, raw, 'closeItem');
    const handle = this.client.workflow.getHandle(itemWorkflowId(roundId, unitId, itemId));
    try {
      return await handle.executeUpdate(closeItemUpdate, { args: [input] });
    } catch (err) {
      // A closed item's workflow has finished, so the Update cannot reach it: say what that means.
      if ((err as Error).name !== 'WorkflowUpdateFailedError') {
        const described = await handle.describe().catch(() => undefined);
        if (described && described.status.name !== 'RUNNING') {
          throw new ValidationError(`closeItem: item "${itemId}" is already closed`, [{ path: 'itemId', message: 'already closed' }]);
        }
      }
      return unwrapUpdateError(err);
    }
  }

  async roundStatus(roundId: string): Promise<RoundStatus> {
    return this.client.workflow.getHandle(roundWorkflowId(roundId)).query(roundStatusQuery);
  }
  async unitStatus(roundId: string, unitId: string): Promise<UnitStatus> {
    return this.client.workflow.getHandle(unitWorkflowId(roundId, unitId)).query(unitStatusQuery);
  }
  async itemStatus(roundId: string, unitId: string, itemId: string): Promise<ItemStatus> {
    return this.client.workflow.getHandle(itemWorkflowId(roundId, unitId, itemId)).query(itemStatusQuery);
  }
}
