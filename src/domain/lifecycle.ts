// Inputs of every human step (workflow Updates). Kept small: these schemas run inside the
// workflow sandbox as synchronous Update validators, and again at the client edge.
import { z } from 'zod';
import { Email, Person, Slug } from './people';
import { IsoInstant, Text } from './item-inputs';

// An item's own Update inputs live in item-inputs.ts (an item workflow builds only those); the same names here.
export * from './item-inputs';

const Evidence = z.array(Text(500)).min(1).max(50);

/** 情况通报: the four offices asked before stationing (000, 002). */
export const InfoSource = z.enum(['disciplineCommission', 'organisationDept', 'petitionsOffice', 'auditOffice']);
export type InfoSource = z.infer<typeof InfoSource>;
export const ReplyInfoRequestInput = z.strictObject({ source: InfoSource, by: Slug, summary: Text(5000) });

/** 个别谈话 with Tongguan's five must-asks (五必问, 001). */
const Asked = z.strictObject({ asked: z.boolean(), note: z.string().trim().max(1000).optional() });
export const RecordTalkInput = z.strictObject({
  talkId: Slug,
  by: Slug,
  interviewee: z.strictObject({ name: Text(64), post: Text(64) }),
  mustAsk: z.strictObject({
    decisionProcedure: Asked, // 决策程序是否清楚
    partyRegulations: Asked, // 党章、准则、条例重点内容
    integrityWork: Asked, // 党风廉政建设是否经常研究部署
    dualDuty: Asked, // 一岗双责
    partyDues: Asked, // 个人应缴党费金额
  }),
  notes: z.string().trim().max(5000).optional(),
});

/** 查阅资料 with the five must-sees (五必看, 001). */
const Seen = z.strictObject({ checked: z.boolean(), finding: z.string().trim().max(1000).optional() });
export const RecordFileCheckInput = z.strictObject({
  checkId: Slug,
  by: Slug,
  mustSee: z.strictObject({
    meetingMinutes: Seen, // 单位会议记录
    studyNotes: Seen, // 个人学习笔记
    partyDuesLedger: Seen, // 党费收缴账目
    committeeMinutes: Seen, // 党委会议记录
    accountingVouchers: Seen, // 会计凭证
  }),
});

export const RecordQuestionnaireInput = z
  .strictObject({
    questionnaireId: Slug,
    by: Slug,
    distributed: z.number().int().min(1).max(100_000),
    returned: z.number().int().min(0).max(100_000),
    summary: Text(5000),
  })
  .refine((q) => q.returned <= q.distributed, { path: ['returned'], message: 'cannot exceed distributed' });

/** 信访举报. The informant's identity is stored apart from the content and never shown to the unit. */
export const Informant = z.strictObject({ name: Text(64), phone: z.string().trim().max(32).optional(), email: Email().optional() });
export const RecordPetitionInput = z.strictObject({
  petitionId: Slug,
  by: Slug,
  receivedVia: z.enum(['phone', 'email', 'mailbox', 'visit', 'letter']),
  content: Text(10_000),
  informant: Informant.optional(),
  /** 反映虚假整改 (004): the items it says were falsely reported as rectified. */
  allegesFalseRectificationOf: z.array(Slug).max(100).optional(),
});

/** 立行立改: a problem fixed on the spot during stationing. */
export const FixOnTheSpotInput = z.strictObject({ problemId: Slug, by: Slug, measures: Text(2000), evidence: Evidence });

/** 移交: discipline matters to the discipline commission, appointment matters to the organisation department. */
export const TransferClueInput = z.strictObject({
  clueId: Slug,
  by: Slug,
  to: z.enum(['disciplineCommission', 'organisationDept']),
  summary: Text(5000),
  problemId: Slug.optional(),
  /** 挂牌督办: a prominent clue under supervised handling. */
  supervised: z.boolean().default(false),
});
export type TransferClueInput = z.infer<typeof TransferClueInput>;

export const SubmitReportInput = z.strictObject({ by: Slug, summary: Text(20_000) });
export const ReviewStage = z.enum(['office', 'leadingGroup', 'secretaryMeeting']);
export type ReviewStage = z.infer<typeof ReviewStage>;
export const ReviewReportInput = z
  .strictObject({ by: Slug, stage: ReviewStage, decision: z.enum(['approve', 'reject']), reason: Text(2000).optional() })
  .refine((r) => r.decision === 'approve' || !!r.reason, { path: ['reason'], message: 'a rejection needs a reason' });

export const HoldFeedbackInput = z.strictObject({ by: Slug, note: Text(2000).optional() });

/** 立行立改 / 限期整改 / 长期坚持 */
export const ItemKind = z.enum(['immediate', 'time-limited', 'long-term']);
export type ItemKind = z.infer<typeof ItemKind>;
export const ITEM_KIND_LABELS: Record<ItemKind, string> = { immediate: '立行立改', 'time-limited': '限期整改', 'long-term': '长期坚持' };
export const PlanItem = z.strictObject({
  problemId: Slug,
  measures: Text(5000),
  responsible: Person,
  deadline: IsoInstant,
  kind: ItemKind,
});
export type PlanItem = z.infer<typeof PlanItem>;
/** 整改方案: for each problem the measures, the person responsible, the deadline and the kind. */
export const FileRectificationPlanInput = z
  .strictObject({ by: Slug, items: z.array(PlanItem).min(1).max(500) })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.items.forEach((it, i) => {
      if (seen.has(it.problemId)) ctx.addIssue({ code: 'custom', path: ['items', i, 'problemId'], message: `problem "${it.problemId}" appears twice` });
      seen.add(it.problemId);
    });
  });
export type FileRectificationPlanInput = z.infer<typeof FileRectificationPlanInput>;

export const SubmitRectificationReportInput = z.strictObject({ by: Slug, summary: Text(20_000) });
export const SubmitSelfExaminationInput = z.strictObject({ by: Slug, text: Text(20_000) });
export const ReviewSelfExaminationInput = z
  .strictObject({ by: Slug, decision: z.enum(['accept', 'reject']), reason: Text(2000).optional() })
  .refine((r) => r.decision === 'accept' || !!r.reason, { path: ['reason'], message: 'a rejection needs a reason' });


/** 回头看 / 突击察访 findings: relapse or fake rectification reopens an item. */
export const Verdict = z.enum(['sustained', 'relapsed', 'fake']);
export const RecordFindingsInput = z.strictObject({
  by: Slug,
  checkId: Slug,
  findings: z.array(z.strictObject({ itemId: Slug, verdict: Verdict, note: Text(2000) })).max(500),
});
export type RecordFindingsInput = z.infer<typeof RecordFindingsInput>;

/** 突击察访: planned with the supervision group only (不打招呼、不定路线、直奔一线). */
export const PlanSpotCheckInput = z.strictObject({
  spotCheckId: Slug,
  by: Slug,
  visitAt: IsoInstant,
  target: Text(200),
  team: z.array(Text(64)).min(1).max(20),
});

export const ReopenItemInput = z.strictObject({
  by: Slug,
  checkId: Slug,
  verdict: z.enum(['relapsed', 'fake']),
  note: Text(2000),
  deadline: IsoInstant,
});
export type ReopenItemInput = z.infer<typeof ReopenItemInput>;

/** 公开 (001, 003, 004): results published, with a recorded reason for anything withheld. */
export const PublishResultsInput = z.strictObject({
  by: Slug,
  summary: Text(20_000),
  withheld: z
    .array(z.strictObject({ subject: Text(200), reason: z.enum(['state-secret', 'case-under-way', 'personal-privacy', 'other']), note: Text(500).optional() }))
    .max(100)
    .default([]),
});

/** 共性问题函告 (002): a letter to the functional department concerned. */
export const SendCommonIssueLetterInput = z.strictObject({
  letterId: Slug,
  by: Slug,
  department: z.strictObject({ name: Text(100), contact: Person }),
  subject: Text(200),
  problems: z.array(z.strictObject({ unitId: Slug, problemId: Slug })).min(2).max(1000),
  deadline: IsoInstant,
});
export type SendCommonIssueLetterInput = z.infer<typeof SendCommonIssueLetterInput>;
export const AnswerLetterInput = z.strictObject({ by: Slug, measures: Text(10_000) });
export const ReportClueOutcomeInput = z.strictObject({
  by: Slug,
  outcome: Text(5000),
  caseOpened: z.boolean(),
  peopleDisciplined: z.number().int().min(0).max(10_000).default(0),
});
