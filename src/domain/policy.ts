import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration';
import { RecipientRole } from './people';

const Duration = z.string().regex(DURATION_PATTERN, 'must be a duration like "30 days", "15 working-days" or "2 months"');
const PositiveDuration = Duration.refine(
  (s) => !DURATION_PATTERN.test(s) || (parseDuration(s).sign === 1 && parseDuration(s).amount > 0),
  'must be a positive duration',
);

/** Every notice the lifecycle sends; each has a Chinese text in src/domain/templates.ts. */
export const NoticeTemplate = z.enum([
  'announcement', // 巡察公告
  'info-request', // 巡察前情况通报请求
  'task-assigned', // 待办事项
  'reminder-green',
  'reminder-yellow',
  'reminder-red',
  'urge', // 催办
  'interview', // 约谈通知
  'self-examination', // 责令作出深刻检查
  'democratic-life-meeting', // 责令召开专题民主生活会
  'circular', // 全市通报
  'discipline-referral', // 移送纪委监委问责
  'clue-transfer', // 问题线索移交
  'clue-reminder', // 线索办理情况反馈提醒
  'clue-overdue', // 线索逾期未反馈
  'common-issue-letter', // 共性问题函告
  'letter-reminder',
  'letter-overdue',
  'monthly-bulletin', // 微督报
  'look-back', // 回头看通知
  'spot-check-plan', // 突击察访安排 (to the supervision group only)
  'item-reopened', // 整改事项重新打开
  'item-returned', // 对账未通过，退回重新整改
  'long-term-check-in', // 长期整改事项定期报告
  'results-published', // 整改情况公开
]);
export type NoticeTemplate = z.infer<typeof NoticeTemplate>;

/** Human steps. Each is a task with an assignee and a due date, completed by a workflow Update. */
export const TaskKind = z.enum([
  'info-request-reply', // 情况通报回复
  'mobilisation-meeting', // 动员会
  'submit-report', // 巡察报告
  'review-report', // 巡察办审核
  'approve-report-leading-group', // 领导小组审议
  'approve-report-secretary-meeting', // 书记专题会
  'feedback-meeting', // 反馈会
  'file-plan', // 整改方案
  'rectification-report', // 整改报告
  'reconcile-item', // 对账销号
  'clue-report-back', // 线索办理情况反馈
  'interview', // 约谈
  'self-examination', // 深刻检查
  'review-self-examination',
  'democratic-life-meeting', // 专题民主生活会
  'accountability', // 问责
  'look-back', // 回头看
  'spot-check', // 突击察访
  'publish-results', // 公开
  'answer-letter', // 职能部门答复函告
  'long-term-check-in', // 长期事项定期报告
  'fix-notice-address', // 通知地址无效，需核实
]);
export type TaskKind = z.infer<typeof TaskKind>;

/**
 * One step on a timeline relative to a due date: negative offsets are reminders before it, zero
 * and positive ones fire when it is overdue. A step never fires once its subject is settled, and
 * never twice for the same due date. A step may also open a task (e.g. 约谈 for a leading-group member).
 */
export const TimelineStep = z.strictObject({
  key: z.string().regex(/^[a-z0-9-]+$/),
  offset: Duration,
  template: NoticeTemplate,
  to: z.array(RecipientRole).min(1),
  task: z.strictObject({ kind: TaskKind, assignee: RecipientRole, dueIn: PositiveDuration }).optional(),
});
export type TimelineStep = z.infer<typeof TimelineStep>;
const Timeline = z.array(TimelineStep).min(1);

export const RoundPolicy = z.strictObject({
  /** 准备: from round start to stationing. */
  preparation: PositiveDuration,
  /** Reply deadline for the information requests to the discipline commission, organisation, petitions and audit offices. */
  infoRequestReplyWithin: PositiveDuration,
  /** 进驻: length of stationing. */
  stationing: PositiveDuration,
  /** The group's report after stationing, and each review or approval step after that. */
  reportWithin: PositiveDuration,
  reviewWithin: PositiveDuration,
  /** The feedback meeting after the secretary's meeting approves. */
  feedbackWithin: PositiveDuration,
  /** 整改方案 after feedback (15 working days). */
  planWithin: PositiveDuration,
  /** 整改报告 after feedback (巡视工作条例 Art. 27: two months). */
  rectificationReport: PositiveDuration,
  /** Item reminders and the escalation ladder, relative to each item's deadline. */
  itemTimeline: Timeline,
  /** At the rectification-report deadline: below this rate, 专题民主生活会 and a circular (Tianjin: 50%). */
  democraticLifeMeetingBelowRate: z.number().min(0).max(1),
  /** 移交 clues: the receiver reports back within this time; reminders and escalation around it. */
  clueReportBack: PositiveDuration,
  clueTimeline: Timeline,
  /** 共性问题函告: reminders and escalation around the department's deadline. */
  letterTimeline: Timeline,
  /** 回头看: this long after the rectification report; the supervision group has lookBackWithin to report. */
  lookBackAfter: PositiveDuration,
  lookBackWithin: PositiveDuration,
  /** A reopened item (relapse, fake rectification) gets this shorter deadline and this ladder (starting at 约谈). */
  reopenDeadline: PositiveDuration,
  reopenTimeline: Timeline,
  /** 需长期坚持 items report this often until the office ends them. */
  longTermCheckIn: PositiveDuration,
  /** 微督报: the day of the month the digest goes out (1-28). */
  bulletinDay: z.number().int().min(1).max(28),
  /** Continue-as-new past this many history events (the server may suggest it sooner). */
  historyLimit: z.number().int().min(50).max(50_000),
});
export type RoundPolicy = z.infer<typeof RoundPolicy>;

export const DEFAULT_POLICY: RoundPolicy = {
  preparation: '7 days',
  infoRequestReplyWithin: '5 working-days',
  stationing: '30 days',
  reportWithin: '15 working-days',
  reviewWithin: '5 working-days',
  feedbackWithin: '10 working-days',
  planWithin: '15 working-days',
  rectificationReport: '2 months',
  itemTimeline: [
    { key: 'green', offset: '-20 days', template: 'reminder-green', to: ['responsible', 'claimer'] },
    { key: 'yellow', offset: '-10 days', template: 'reminder-yellow', to: ['responsible', 'leaderInCharge', 'claimer'] },
    { key: 'red', offset: '0 days', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
    { key: 'urge', offset: '0 days', template: 'urge', to: ['responsible', 'unitHead'] },
    {
      key: 'interview',
      offset: '7 days',
      template: 'interview',
      to: ['unitHead', 'leadingGroup'],
      task: { kind: 'interview', assignee: 'leadingGroup', dueIn: '5 working-days' },
    },
    {
      key: 'referral',
      offset: '30 days',
      template: 'discipline-referral',
      to: ['disciplineCommission'],
      task: { kind: 'accountability', assignee: 'disciplineCommission', dueIn: '1 month' },
    },
  ],
  democraticLifeMeetingBelowRate: 0.5,
  clueReportBack: '6 months',
  clueTimeline: [
    { key: 'reminder-30', offset: '-30 days', template: 'clue-reminder', to: ['disciplineCommission', 'organisationDept'] },
    { key: 'reminder-7', offset: '-7 days', template: 'clue-reminder', to: ['disciplineCommission', 'organisationDept'] },
    { key: 'overdue', offset: '0 days', template: 'clue-overdue', to: ['office', 'leadingGroup'] },
  ],
  letterTimeline: [
    { key: 'reminder', offset: '-7 days', template: 'letter-reminder', to: ['responsible'] },
    { key: 'overdue', offset: '0 days', template: 'letter-overdue', to: ['responsible', 'office', 'leadingGroup'] },
  ],
  lookBackAfter: '6 months',
  lookBackWithin: '30 days',
  reopenDeadline: '30 days',
  reopenTimeline: [
    {
      key: 'interview',
      offset: '-30 days',
      template: 'interview',
      to: ['unitHead', 'leadingGroup'],
      task: { kind: 'interview', assignee: 'leadingGroup', dueIn: '5 working-days' },
    },
    { key: 'red', offset: '0 days', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
    {
      key: 'referral',
      offset: '0 days',
      template: 'discipline-referral',
      to: ['disciplineCommission'],
      task: { kind: 'accountability', assignee: 'disciplineCommission', dueIn: '1 month' },
    },
  ],
  longTermCheckIn: '3 months',
  bulletinDay: 5,
  historyLimit: 10_000,
};

/** Policy as written by the office: any field may be left out and takes the default. */
export const RoundPolicyInput = RoundPolicy.partial();
export function withDefaults(p: z.infer<typeof RoundPolicyInput> | undefined): RoundPolicy {
  return { ...DEFAULT_POLICY, ...(p ?? {}) };
}
