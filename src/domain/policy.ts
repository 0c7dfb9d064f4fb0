import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration';
import { RecipientRole } from './people';

const Duration = z.string().regex(DURATION_PATTERN, 'must be a duration like "30 days", "15 working-days" or "2 months"');
const PositiveDuration = Duration.refine(
  (s) => !DURATION_PATTERN.test(s) || (parseDuration(s).sign === 1 && parseDuration(s).amount > 0),
  'must be a positive duration',
);

/** Notice templates the lifecycle sends; each has a Chinese text in src/domain/templates.ts. */
export const NoticeTemplate = z.enum(['reminder-green', 'reminder-yellow', 'reminder-red', 'escalation-discipline']);
export type NoticeTemplate = z.infer<typeof NoticeTemplate>;

/**
 * One step on an item's timeline, relative to its deadline: negative offsets are reminders before
 * it, zero and positive ones fire when the item is overdue. A step never fires once the item is closed.
 */
export const TimelineStep = z.strictObject({
  key: z.string().regex(/^[a-z0-9-]+$/),
  offset: Duration,
  template: NoticeTemplate,
  to: z.array(RecipientRole).min(1),
});
export type TimelineStep = z.infer<typeof TimelineStep>;

export const RoundPolicy = z.strictObject({
  /** 进驻: length of stationing. */
  stationing: PositiveDuration,
  /** 整改期限: rectification deadline counted from feedback (巡视工作条例 Art. 27: two months). */
  rectificationPeriod: PositiveDuration,
  /** Three colours as practised in Jiangjin, then escalation to the discipline commission. */
  itemTimeline: z.array(TimelineStep).min(1),
});
export type RoundPolicy = z.infer<typeof RoundPolicy>;

export const DEFAULT_POLICY: RoundPolicy = {
  stationing: '30 days',
  rectificationPeriod: '2 months',
  itemTimeline: [
    { key: 'green', offset: '-20 days', template: 'reminder-green', to: ['responsible'] },
    { key: 'yellow', offset: '-10 days', template: 'reminder-yellow', to: ['responsible', 'leaderInCharge'] },
    { key: 'red', offset: '0 days', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
    { key: 'escalation', offset: '0 days', template: 'escalation-discipline', to: ['disciplineCommission'] },
  ],
};

/** Policy as written by the office: any field may be left out and takes the default. */
export const RoundPolicyInput = RoundPolicy.partial();
export function withDefaults(p: z.infer<typeof RoundPolicyInput> | undefined): RoundPolicy {
  return { ...DEFAULT_POLICY, ...(p ?? {}) };
}
