import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { createDataConverter, loadCodecConfig } from '../codec';
import type { Config } from '../config';
import { clueWorkflowId, itemWorkflowId, letterWorkflowId, roundWorkflowId, unitWorkflowId, WORKFLOW_TASK_QUEUE } from '../domain/ids';
import * as L from '../domain/lifecycle';
import * as M from '../domain/messages';
import { withDefaults } from '../domain/policy';
import { RecordProblemInput } from '../domain/problem';
import { RoundSetup, type RoundWorkflowInput } from '../domain/round';
import type { ItemStatus, RoundStatus, UnitStatus } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import type { roundWorkflow } from '../workflows';
import { executeUpdateRetrying } from './update-retry';

/** Every human step on a unit, by name: the Update and the schema it is checked against at the edge. */
export const UNIT_STEPS = {
  replyInfoRequest: [M.replyInfoRequestUpdate, L.ReplyInfoRequestInput],
  completeTask: [M.completeTaskUpdate, L.CompleteTaskInput],
  recordTalk: [M.recordTalkUpdate, L.RecordTalkInput],
  recordFileCheck: [M.recordFileCheckUpdate, L.RecordFileCheckInput],
  recordQuestionnaire: [M.recordQuestionnaireUpdate, L.RecordQuestionnaireInput],
  recordPetition: [M.recordPetitionUpdate, L.RecordPetitionInput],
  recordProblem: [M.recordProblemUpdate, RecordProblemInput],
  fixOnTheSpot: [M.fixOnTheSpotUpdate, L.FixOnTheSpotInput],
  transferClue: [M.transferClueUpdate, L.TransferClueInput],
  submitReport: [M.submitReportUpdate, L.SubmitReportInput],
  reviewReport: [M.reviewReportUpdate, L.ReviewReportInput],
  holdFeedback: [M.holdFeedbackUpdate, L.HoldFeedbackInput],
  fileRectificationPlan: [M.fileRectificationPlanUpdate, L.FileRectificationPlanInput],
  submitRectificationReport: [M.submitRectificationReportUpdate, L.SubmitRectificationReportInput],
  submitSelfExamination: [M.submitSelfExaminationUpdate, L.SubmitSelfExaminationInput],
  reviewSelfExamination: [M.reviewSelfExaminationUpdate, L.ReviewSelfExaminationInput],
  recordFindings: [M.recordFindingsUpdate, L.RecordFindingsInput],
  planSpotCheck: [M.planSpotCheckUpdate, L.PlanSpotCheckInput],
  publishResults: [M.publishResultsUpdate, L.PublishResultsInput],
} as const;
export const ITEM_STEPS = {
  reportProgress: [M.reportProgressUpdate, L.ReportProgressInput],
  claimItem: [M.claimItemUpdate, L.ClaimItemInput],
  reconcileItem: [M.reconcileItemUpdate, L.ReconcileItemInput],
  completeTask: [M.completeTaskUpdate, L.CompleteTaskInput],
} as const;
export type UnitStep = keyof typeof UNIT_STEPS;
export type ItemStep = keyof typeof ITEM_STEPS;
type Ret<D> = D extends UpdateDefinition<infer R, infer _A, infer _N> ? R : never;

/**
 * `updateId`: the same id on a retry of a call whose outcome is unknown (a timeout) makes the server
 * answer the first call's outcome instead of running the step again, while the workflow runs.
 */
export interface StepOptions {
  updateId?: string;
}

/** Errors from a refused step, named the way people read them. */
function explain(err: unknown, what: string): never {
  const e = err as Error & { cause?: Error };
  if (e?.name === 'WorkflowUpdateFailedError') {
    // A step refused by its handler (src/workflows/common.ts, refuse) carries the validator's issues.
    const cause = e.cause as (Error & { type?: string; details?: unknown[] }) | undefined;
    const issues = cause?.type === 'ValidationError' && Array.isArray(cause.details?.[0]) ? (cause.details[0] as ValidationError['issues']) : [];
    throw new ValidationError(cause?.message ?? e.message, issues);
  }
  if (e?.name === 'WorkflowNotFoundError') throw new ValidationError(`${what}: not found`, [{ path: 'id', message: 'not found' }]);
  throw err;
}

/** What people and programs call: inputs are validated here, before any workflow is touched. */
export class XunchaClient {
  constructor(readonly client: Client) {}

  static async connect(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>, opts: { connectTimeoutMs?: number } = {}): Promise<XunchaClient> {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, ...(opts.connectTimeoutMs ? { connectTimeout: opts.connectTimeoutMs } : {}) });
    // Payloads (petitions, informants, spot-check plans…) leave this process encrypted.
    return new XunchaClient(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: createDataConverter(loadCodecConfig()) }));
  }

  /** Start a round; starting the same round id again returns the running one (idempotent). */
  async startRound(raw: unknown, startedBy: string): Promise<{ workflowId: string; alreadyStarted: boolean }> {
    const setup = parseOrThrow(RoundSetup, raw, 'round');
    const input: RoundWorkflowInput = { ...setup, policy: withDefaults(setup.policy), startedBy };
    const workflowId = roundWorkflowId(setup.roundId);
    try {
      await this.client.workflow.start<typeof roundWorkflow>('roundWorkflow', { taskQueue: WORKFLOW_TASK_QUEUE, workflowId, args: [input] });
      return { workflowId, alreadyStarted: false };
    } catch (err) {
      if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') return { workflowId, alreadyStarted: true };
      throw err;
    }
  }

  private async send<D extends UpdateDefinition<unknown, [never], string>>(
    handle: WorkflowHandle,
    def: D,
    schema: z.ZodType,
    raw: unknown,
    what: string,
    opts: StepOptions = {},
  ): Promise<Ret<D>> {
    const input = parseOrThrow(schema, raw, what);
    try {
      return (await executeUpdateRetrying(handle, def as UpdateDefinition<Ret<D>, [unknown], string>, { args: [input], updateId: opts.updateId })) as Ret<D>;
    } catch (err) {
      return explain(err, what);
    }
  }

  unitStep<S extends UnitStep>(roundId: string, unitId: string, step: S, raw: unknown, opts?: StepOptions): Promise<Ret<(typeof UNIT_STEPS)[S][0]>> {
    const [def, schema] = UNIT_STEPS[step];
    return this.send(this.client.workflow.getHandle(unitWorkflowId(roundId, unitId)), def as never, schema, raw, step, opts) as never;
  }

  async itemStep<S extends ItemStep>(roundId: string, unitId: string, itemId: string, step: S, raw: unknown, opts?: StepOptions): Promise<Ret<(typeof ITEM_STEPS)[S][0]>> {
    const [def, schema] = ITEM_STEPS[step];
    const handle = this.client.workflow.getHandle(itemWorkflowId(roundId, unitId, itemId));
    try {
      return (await this.send(handle, def as never, schema, raw, step, opts)) as never;
    } catch (err) {
      // A closed item's workflow has finished, so the Update cannot reach it (the server answers "not
      // found" for a completed workflow): say what that means.
      const e = err as ValidationError;
      const gone = e.name === 'ValidationError' && !!e.issues?.some((i) => i.path === 'id' && i.message === 'not found');
      if (e.name !== 'ValidationError' || gone) {
        const described = await handle.describe().catch(() => undefined);
        if (described && described.status.name !== 'RUNNING') {
          throw new ValidationError(`${step}: 该事项已销号 item "${itemId}" is already closed`, [{ path: 'itemId', message: 'already closed' }]);
        }
      }
      throw err;
    }
  }

  /** Any step by workflow id and Update name, as a task in the inbox names them. */
  stepByWorkflowId(workflowId: string, updateName: string, raw: unknown): Promise<unknown> {
    const steps: Record<string, readonly [unknown, z.ZodType]> = {
      ...(/\/item\/[^/]+$/.test(workflowId) ? ITEM_STEPS : UNIT_STEPS),
      reportClueOutcome: [M.reportClueOutcomeUpdate, L.ReportClueOutcomeInput],
      answerLetter: [M.answerLetterUpdate, L.AnswerLetterInput],
      sendCommonIssueLetter: [M.sendCommonIssueLetterUpdate, L.SendCommonIssueLetterInput],
    };
    const step = steps[updateName];
    if (!step) throw new ValidationError(`${updateName}: unknown step`);
    return this.send(this.client.workflow.getHandle(workflowId), step[0] as never, step[1], raw, updateName);
  }

  sendCommonIssueLetter(roundId: string, raw: unknown): Promise<{ letterId: string }> {
    return this.send(this.client.workflow.getHandle(roundWorkflowId(roundId)), M.sendCommonIssueLetterUpdate as never, L.SendCommonIssueLetterInput, raw, 'sendCommonIssueLetter') as never;
  }
  answerLetter(roundId: string, letterId: string, raw: unknown): Promise<{ letterId: string }> {
    return this.send(this.client.workflow.getHandle(letterWorkflowId(roundId, letterId)), M.answerLetterUpdate as never, L.AnswerLetterInput, raw, 'answerLetter') as never;
  }
  reportClueOutcome(roundId: string, unitId: string, clueId: string, raw: unknown): Promise<{ clueId: string }> {
    const handle = this.client.workflow.getHandle(clueWorkflowId(roundId, unitId, clueId));
    return this.send(handle, M.reportClueOutcomeUpdate as never, L.ReportClueOutcomeInput, raw, 'reportClueOutcome') as never;
  }

  recordProblem(roundId: string, unitId: string, raw: unknown): Promise<{ problemId: string }> {
    return this.unitStep(roundId, unitId, 'recordProblem', raw);
  }
  /** 对账销号: close an item against its evidence. */
  closeItem(roundId: string, unitId: string, itemId: string, raw: { by?: unknown; closedBy?: unknown; evidence?: unknown; note?: unknown }): Promise<ItemStatus> {
    return this.itemStep(roundId, unitId, itemId, 'reconcileItem', { by: raw.by ?? raw.closedBy, decision: 'close', evidence: raw.evidence, reason: raw.note });
  }

  async roundStatus(roundId: string): Promise<RoundStatus> {
    return this.client.workflow.getHandle(roundWorkflowId(roundId)).query(M.roundStatusQuery);
  }
  async unitStatus(roundId: string, unitId: string): Promise<UnitStatus> {
    return this.client.workflow.getHandle(unitWorkflowId(roundId, unitId)).query(M.unitStatusQuery);
  }
  async itemStatus(roundId: string, unitId: string, itemId: string): Promise<ItemStatus> {
    return this.client.workflow.getHandle(itemWorkflowId(roundId, unitId, itemId)).query(M.itemStatusQuery);
  }
}
