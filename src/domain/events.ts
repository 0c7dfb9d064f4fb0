import type { z } from 'zod';
import type {
  FileRectificationPlanInput,
  FixOnTheSpotInput,
  ItemKind,
  MeasureResults,
  PlanSpotCheckInput,
  ProgressStatus,
  PublishResultsInput,
  RecordFileCheckInput,
  RecordFindingsInput,
  RecordPetitionInput,
  RecordQuestionnaireInput,
  RecordTalkInput,
  ReportClueOutcomeInput,
  SendCommonIssueLetterInput,
  TransferClueInput,
} from './lifecycle';
import type { Person, RecipientRole } from './people';
import type { TaskKind } from './policy';
import type { RecordProblemInput } from './problem';
import type { RoundWorkflowInput } from './round';
import type { Colour, ItemRef, UnitPhase } from './status';

/** A human step as the ledger and the inbox see it. */
export interface TaskRecord {
  taskId: string;
  roundId: string;
  unitId?: string;
  itemId?: string;
  kind: TaskKind;
  assigneeRole: RecipientRole;
  assigneePersonId?: string;
  subject: string;
  dueAt: string;
  workflowId: string;
  updateName: string;
  /** Spot checks: invisible to the unit until then. */
  confidentialUntil?: string;
}

/**
 * What the workflows write to the ledger. Every event carries a deterministic `eventKey`, so an
 * activity that runs twice writes one row, and `at` in workflow time (business time, not the
 * clock of whatever worker ran it).
 */
interface Base {
  eventKey: string;
  at: string;
  actor: string;
  /** Kept from the unit's eyes until then (spot checks). */
  confidentialUntil?: string;
}
interface InUnit extends Base {
  roundId: string;
  unitId: string;
}
type In<T> = z.infer<T extends z.ZodType ? T : never>;

export type LedgerEvent =
  | (Base & { type: 'round.started'; round: RoundWorkflowInput })
  | (Base & { type: 'round.completed'; roundId: string })
  | (Base & { type: 'round.bulletin'; roundId: string; month: string })
  | (InUnit & { type: 'unit.phase'; phase: UnitPhase; timestamps?: Partial<Record<'stationingStartsAt' | 'stationingEndsAt' | 'feedbackAt' | 'rectificationReportDue' | 'closedAt', string>> })
  | (Base & { type: 'task.opened'; task: TaskRecord })
  | (Base & { type: 'task.closed'; roundId: string; unitId?: string; taskId: string; state: 'done' | 'cancelled'; outcome?: string })
  | (Base & { type: 'task.rejected'; roundId: string; unitId?: string; taskId: string; reason: string })
  | (InUnit & { type: 'talk.recorded'; talk: In<typeof RecordTalkInput> })
  | (InUnit & { type: 'file-check.recorded'; check: In<typeof RecordFileCheckInput> })
  | (InUnit & { type: 'questionnaire.recorded'; questionnaire: In<typeof RecordQuestionnaireInput> })
  | (InUnit & { type: 'petition.recorded'; petition: In<typeof RecordPetitionInput> })
  | (InUnit & { type: 'problem.recorded'; problem: RecordProblemInput })
  | (InUnit & { type: 'problem.fixed-on-the-spot'; fix: In<typeof FixOnTheSpotInput> })
  | (InUnit & { type: 'clue.transferred'; clue: In<typeof TransferClueInput>; reportBackDue: string; workflowId: string })
  | (InUnit & { type: 'clue.overdue'; clueId: string })
  | (InUnit & { type: 'clue.reported-back'; clueId: string; outcome: In<typeof ReportClueOutcomeInput> })
  | (InUnit & { type: 'report.submitted'; summary: string })
  | (InUnit & { type: 'report.reviewed'; stage: string; decision: 'approve' | 'reject'; reason?: string; nextStage: string })
  | (InUnit & { type: 'feedback.held' })
  | (InUnit & { type: 'plan.filed'; plan: FileRectificationPlanInput })
  | (InUnit & { type: 'rectification-report.submitted'; summary: string })
  | (Base & ItemRef & { type: 'item.issued'; kind: ItemKind; measures: string; responsible: Person; workflowId: string })
  | (InUnit & { type: 'item.step'; itemId: string; step: string; colour: Colour })
  | (InUnit & { type: 'item.overdue'; itemId: string; overdue: boolean })
  | (InUnit & { type: 'item.progress'; itemId: string; generation: number; seq: number; status: ProgressStatus; note: string; evidence: string[]; results?: MeasureResults })
  | (InUnit & { type: 'item.claimed'; itemId: string; leader: Person })
  | (InUnit & {
      type: 'item.reconciled';
      itemId: string;
      generation: number;
      seq: number;
      decision: 'close' | 'return';
      evidence: string[];
      reason?: string;
      newDeadline?: string;
    })
  | (InUnit & { type: 'item.reopened'; itemId: string; deadline: string; verdict: string; note: string; checkId: string })
  | (InUnit & { type: 'escalation'; escalationKey: string; itemId?: string; step: string; detail: Record<string, string | number> })
  | (InUnit & { type: 'self-examination.submitted'; text: string })
  | (InUnit & { type: 'self-examination.reviewed'; decision: 'accept' | 'reject'; reason?: string })
  | (InUnit & { type: 'findings.recorded'; kind: 'look-back' | 'spot-check' | 'petition'; findings: RecordFindingsInput })
  | (InUnit & { type: 'spot-check.planned'; spotCheck: In<typeof PlanSpotCheckInput> })
  | (InUnit & { type: 'spot-check.started'; spotCheckId: string })
  | (InUnit & { type: 'results.published'; publication: In<typeof PublishResultsInput> })
  | (Base & { type: 'letter.sent'; roundId: string; letter: SendCommonIssueLetterInput; workflowId: string })
  | (Base & { type: 'letter.overdue'; roundId: string; letterId: string })
  | (Base & { type: 'letter.answered'; roundId: string; letterId: string; measures: string });
export type LedgerEventType = LedgerEvent['type'];
