import { z } from 'zod';
import { Slug } from './people';

/** Wuhai's seven categories: the three basic ones, then finance, work style, appointments, other. */
export const ProblemCategory = z.enum([
  'party-leadership', // 党的领导弱化
  'party-building', // 党的建设缺失
  'strict-governance', // 全面从严治党不力
  'finance', // 财务管理制度不规范
  'work-style', // 作风问题
  'appointments', // 选人用人问题
  'other', // 其他
]);
export type ProblemCategory = z.infer<typeof ProblemCategory>;
export const CATEGORY_LABELS: Record<ProblemCategory, string> = {
  'party-leadership': '党的领导弱化',
  'party-building': '党的建设缺失',
  'strict-governance': '全面从严治党不力',
  finance: '财务管理制度不规范',
  'work-style': '作风问题',
  appointments: '选人用人问题',
  other: '其他',
};

/** A problem found during stationing, with its evidence working paper (问题底稿). */
export const RecordProblemInput = z.strictObject({
  problemId: Slug,
  category: ProblemCategory,
  title: z.string().trim().min(1).max(200),
  facts: z.string().trim().min(1).max(5000),
  evidence: z.array(z.string().trim().min(1).max(500)).min(1).max(50),
  recordedBy: Slug,
});
export type RecordProblemInput = z.infer<typeof RecordProblemInput>;

/** 对账销号: the office closes an item against its evidence. */
export const CloseItemInput = z.strictObject({
  closedBy: Slug,
  evidence: z.array(z.string().trim().min(1).max(500)).min(1).max(50),
  note: z.string().trim().max(2000).optional(),
});
export type CloseItemInput = z.infer<typeof CloseItemInput>;
