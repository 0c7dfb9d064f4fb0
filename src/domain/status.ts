import type { InfoSource, ItemKind, ProgressStatus, ReviewStage } from './lifecycle';
import type { RecipientRole } from './people';
import type { TaskKind } from './policy';
import type { ProblemCategory } from './problem';

export type RoundPhase = 'running' | 'completed';
/** 准备 → 进驻 → 报告 → 反馈 → 整改 → 回头看 → 公开 → 完成 */
export type UnitPhase = 'preparation' | 'stationing' | 'report' | 'feedback' | 'rectification' | 'look-back' | 'disclosure' | 'closed';
export const UNIT_PHASE_LABELS: Record<UnitPhase, string> = {
  preparation: '准备',
  stationing: '进驻',
  report: '报告',
  feedback: '反馈',
  rectification: '整改',
  'look-back': '回头看',
  disclosure: '公开',
  closed: '完成',
};

/** green/yellow before the deadline, red once overdue (江津 three-colour practice). */
export type Colour = 'none' | 'green' | 'yellow' | 'red';
/** 红黄绿灯 as the ledger and the console name them. */
export const COLOUR_LABELS: Record<Colour, string> = { red: '红灯', yellow: '黄灯', green: '绿灯', none: '未亮灯' };

export interface ProblemSummary {
  problemId: string;
  category: ProblemCategory;
  title: string;
  recordedAt: string;
  fixedOnTheSpot: boolean;
}

/** What identifies a rectification item and what it is about. */
export interface ItemRef {
  roundId: string;
  unitId: string;
  itemId: string;
  problemId: string;
  title: string;
  deadline: string;
}

/**
 * What a unit (and the round) knows of each of its items: what it counts and acts on. Sent by the item
 * when one of these changes. Items begun before `item-fewer-round-trips` also sent their progress and
 * colour on every change; newer ones leave them to the item's own status and the ledger
 * (`rectification_items`), which is where the console and the API read them.
 */
export interface ItemSummary {
  itemId: string;
  kind: ItemKind;
  state: 'open' | 'closed';
  deadline: string;
  overdue: boolean;
  progress?: ProgressStatus;
  colour?: Colour;
}

export interface ItemStatus extends ItemRef {
  kind: ItemKind;
  state: 'open' | 'closed';
  progress: ProgressStatus;
  colour: Colour;
  overdue: boolean;
  /** Steps fired for the current deadline (a returned or reopened item starts a new list). */
  firedSteps: string[];
  /** Every step fired over the item's life, as `v<deadline version>:<key>`. */
  history: string[];
  deadlineVersion: number;
  claimedBy?: string;
  returned: number;
  reopened: number;
  progressReports: number;
  checkIns: number;
  nextCheckIn?: string;
  closedAt?: string;
  closedBy?: string;
}

export interface TaskSummary {
  taskId: string;
  kind: TaskKind;
  assigneeRole: RecipientRole;
  subject: string;
  dueAt: string;
}

export interface UnitStatus {
  roundId: string;
  unitId: string;
  phase: UnitPhase;
  stationingStartsAt?: string;
  stationingEndsAt?: string;
  feedbackAt?: string;
  planDueAt?: string;
  planFiledAt?: string;
  rectificationReportDue?: string;
  rectificationReportAt?: string;
  lookBackAt?: string;
  reportStage: ReviewStage | 'draft' | 'approved';
  reportRejections: { stage: ReviewStage; reason: string; at: string }[];
  infoReplies: InfoSource[];
  counts: { talks: number; fileChecks: number; questionnaires: number; petitions: number };
  problems: ProblemSummary[];
  clues: { clueId: string; to: string; state: 'open' | 'reported'; overdue: boolean }[];
  items: ItemSummary[];
  openTasks: TaskSummary[];
  escalations: string[];
  spotChecks: { spotCheckId: string; visitAt: string; state: 'planned' | 'started' }[];
  checks: string[];
  published: boolean;
}

export interface UnitSummary {
  unitId: string;
  phase: UnitPhase;
  items: number;
  closed: number;
  overdue: number;
  longTermOpen: number;
}

export interface RoundStatus {
  roundId: string;
  phase: RoundPhase;
  units: UnitSummary[];
  letters: { letterId: string; state: 'open' | 'answered'; overdue: boolean }[];
  bulletins: string[];
}

/** Escalation steps (the policy's timeline keys) as the office names them. */
export const ESCALATION_STEP_LABELS: Readonly<Record<string, string>> = {
  red: '亮红灯',
  urge: '催办',
  interview: '约谈',
  referral: '移送纪委监委问责',
  'self-examination': '责令深刻检查',
  'democratic-life-meeting': '专题民主生活会',
  circular: '通报',
  accountability: '问责',
  'clue-overdue': '线索逾期未反馈',
  'letter-overdue': '函告逾期未答复',
};
