// Every signal, query and update in one place: clients send with the very objects workflows handle.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { z } from 'zod';
import type * as L from './lifecycle';
import type { RecordProblemInput } from './problem';
import type { ItemStatus, ItemSummary, RoundStatus, UnitStatus, UnitSummary } from './status';

type In<T extends z.ZodType> = z.input<T>;

// Round (轮次)
export const roundStatusQuery = defineQuery<RoundStatus>('roundStatus');
/** `seq` (since the signal-order fix) rises with every summary a unit sends: two signals sent in one workflow task may arrive in either order, and the older is ignored. */
export const unitChangedSignal = defineSignal<[UnitSummary & { seq?: number }]>('unitChanged');
export const letterChangedSignal = defineSignal<[{ letterId: string; state: 'open' | 'answered'; overdue: boolean }]>('letterChanged');
export const sendCommonIssueLetterUpdate = defineUpdate<{ letterId: string }, [In<typeof L.SendCommonIssueLetterInput>]>('sendCommonIssueLetter');

// Unit (被巡察单位)
export const unitStatusQuery = defineQuery<UnitStatus>('unitStatus');
/** `seq` as for unitChanged; a later run of a reopened item counts from a higher base. */
export const itemChangedSignal = defineSignal<[ItemSummary & { seq?: number }]>('itemChanged');
export const clueChangedSignal = defineSignal<[{ clueId: string; state: 'open' | 'reported'; overdue: boolean }]>('clueChanged');
export const replyInfoRequestUpdate = defineUpdate<{ taskId: string }, [In<typeof L.ReplyInfoRequestInput>]>('replyInfoRequest');
export const completeTaskUpdate = defineUpdate<{ taskId: string }, [In<typeof L.CompleteTaskInput>]>('completeTask');
export const recordTalkUpdate = defineUpdate<{ talkId: string }, [In<typeof L.RecordTalkInput>]>('recordTalk');
export const recordFileCheckUpdate = defineUpdate<{ checkId: string }, [In<typeof L.RecordFileCheckInput>]>('recordFileCheck');
export const recordQuestionnaireUpdate = defineUpdate<{ questionnaireId: string }, [In<typeof L.RecordQuestionnaireInput>]>('recordQuestionnaire');
export const recordPetitionUpdate = defineUpdate<{ petitionId: string; recheck: boolean }, [In<typeof L.RecordPetitionInput>]>('recordPetition');
export const recordProblemUpdate = defineUpdate<{ problemId: string }, [RecordProblemInput]>('recordProblem');
export const fixOnTheSpotUpdate = defineUpdate<{ problemId: string }, [In<typeof L.FixOnTheSpotInput>]>('fixOnTheSpot');
export const transferClueUpdate = defineUpdate<{ clueId: string; reportBackDue: string }, [In<typeof L.TransferClueInput>]>('transferClue');
export const submitReportUpdate = defineUpdate<{ stage: string }, [In<typeof L.SubmitReportInput>]>('submitReport');
export const reviewReportUpdate = defineUpdate<{ stage: string }, [In<typeof L.ReviewReportInput>]>('reviewReport');
export const holdFeedbackUpdate = defineUpdate<{ feedbackAt: string; items: number }, [In<typeof L.HoldFeedbackInput>]>('holdFeedback');
export const fileRectificationPlanUpdate = defineUpdate<{ items: string[] }, [In<typeof L.FileRectificationPlanInput>]>('fileRectificationPlan');
export const submitRectificationReportUpdate = defineUpdate<{ submittedAt: string }, [In<typeof L.SubmitRectificationReportInput>]>(
  'submitRectificationReport',
);
export const submitSelfExaminationUpdate = defineUpdate<{ submittedAt: string }, [In<typeof L.SubmitSelfExaminationInput>]>('submitSelfExamination');
export const reviewSelfExaminationUpdate = defineUpdate<{ decision: string }, [In<typeof L.ReviewSelfExaminationInput>]>('reviewSelfExamination');
export const recordFindingsUpdate = defineUpdate<{ reopened: string[] }, [In<typeof L.RecordFindingsInput>]>('recordFindings');
export const planSpotCheckUpdate = defineUpdate<{ spotCheckId: string }, [In<typeof L.PlanSpotCheckInput>]>('planSpotCheck');
export const publishResultsUpdate = defineUpdate<{ publishedAt: string }, [In<typeof L.PublishResultsInput>]>('publishResults');

// Rectification item (整改事项)
export const itemStatusQuery = defineQuery<ItemStatus>('itemStatus');
export const reportProgressUpdate = defineUpdate<ItemStatus, [In<typeof L.ReportProgressInput>]>('reportProgress');
export const claimItemUpdate = defineUpdate<ItemStatus, [In<typeof L.ClaimItemInput>]>('claimItem');
export const reconcileItemUpdate = defineUpdate<ItemStatus, [In<typeof L.ReconcileItemInput>]>('reconcileItem');
export const reopenItemSignal = defineSignal<[L.ReopenItemInput]>('reopenItem');

// Clue transfer (线索移交) and common-issue letter (共性问题函告)
export const clueStatusQuery = defineQuery<{ clueId: string; state: 'open' | 'reported'; overdue: boolean; reportBackDue: string; firedSteps: string[] }>('clueStatus');
export const reportClueOutcomeUpdate = defineUpdate<{ clueId: string }, [In<typeof L.ReportClueOutcomeInput>]>('reportClueOutcome');
export const letterStatusQuery = defineQuery<{ letterId: string; state: 'open' | 'answered'; overdue: boolean; deadline: string; firedSteps: string[] }>('letterStatus');
export const answerLetterUpdate = defineUpdate<{ letterId: string }, [In<typeof L.AnswerLetterInput>]>('answerLetter');
