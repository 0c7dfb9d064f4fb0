// The Update inputs of an item workflow (and of any task), apart from the rest of lifecycle.ts so that
// an item builds only these schemas (src/workflows/schemas.ts); lifecycle.ts exports them too.
import { z } from 'zod';
import { Person, Slug } from './people';

export const Text = (max: number) => z.string().trim().min(1).max(max);
export const IsoInstant = z.iso.datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2026-12-01T09:00:00+08:00' });

export const CompleteTaskInput = z.strictObject({ taskId: Text(300), by: Slug, note: Text(2000).optional() });

/** 建章立制, 追回资金, 问责, 举一反三: what a measure achieved, counted in the statistics. */
export const MeasureResults = z.strictObject({
  rulesMade: z.number().int().min(0).max(10_000).default(0),
  lossesRecoveredYuan: z.number().min(0).max(1e12).default(0),
  peopleHeldAccountable: z.number().int().min(0).max(10_000).default(0),
  similarCasesFixed: z.number().int().min(0).max(100_000).default(0),
});
export type MeasureResults = z.infer<typeof MeasureResults>;

/** 未完成 / 基本完成 / 已完成 */
export const ProgressStatus = z.enum(['not-done', 'mostly-done', 'done']);
export type ProgressStatus = z.infer<typeof ProgressStatus>;
export const PROGRESS_LABELS: Record<ProgressStatus, string> = { 'not-done': '未完成', 'mostly-done': '基本完成', done: '已完成' };
export const ReportProgressInput = z.strictObject({
  by: Slug,
  status: ProgressStatus,
  note: Text(5000),
  evidence: z.array(Text(500)).max(50).default([]),
  results: MeasureResults.optional(),
});

/** 领办制 (002): a county leader claims an item and then receives its reminders too. */
export const ClaimItemInput = z.strictObject({ leader: Person });

/** 对账销号 (000, 003): close against the evidence, or return with a reason and a new deadline. */
export const ReconcileItemInput = z
  .strictObject({
    by: Slug,
    decision: z.enum(['close', 'return']),
    evidence: z.array(Text(500)).max(50).default([]),
    reason: Text(2000).optional(),
    newDeadline: IsoInstant.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.decision === 'close' && r.evidence.length === 0) ctx.addIssue({ code: 'custom', path: ['evidence'], message: 'closing needs evidence' });
    if (r.decision === 'return' && !r.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a returned item needs a reason' });
    if (r.decision === 'return' && !r.newDeadline) ctx.addIssue({ code: 'custom', path: ['newDeadline'], message: 'a returned item needs a new deadline' });
  });
export type ReconcileItemInput = z.infer<typeof ReconcileItemInput>;
