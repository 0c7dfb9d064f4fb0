import { z } from 'zod';

/** Ids are business ids: lower-case slugs, stable across systems and readable in workflow ids. */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lower-case slug (a-z, 0-9, -)');

/**
 * An e-mail address, checked with zod's own pattern copied into this schema: workflows share one zod
 * library, frozen (src/workflows/shared-modules.ts), and a check resets its pattern's `lastIndex`,
 * which a frozen pattern refuses.
 */
export const Email = () => z.email({ pattern: new RegExp(z.regexes.email) });

export const Person = z.strictObject({
  personId: Slug,
  name: z.string().trim().min(1).max(64),
  email: Email().max(254),
  post: z.string().max(64).optional(),
  phone: z.string().max(32).optional(),
});
export type Person = z.infer<typeof Person>;

/** Who a notice or a task goes to, resolved to people by the ledger when it is sent. */
export const RecipientRole = z.enum([
  'responsible', // 整改责任人
  'leaderInCharge', // 分管领导
  'unitHead', // 被巡察单位主要负责人 (一把手)
  'partySecretary', // 党组(党委)书记
  'disciplineCommission', // 纪委监委
  'office', // 巡察办
  'leadingGroup', // 巡察工作领导小组
  'organisationDept', // 组织部
  'supervisionGroup', // 督查组
  'petitionsOffice', // 信访部门
  'auditOffice', // 审计部门
  'inspectionGroup', // 巡察组组长 (of the group stationed in the unit)
  'claimer', // 领办的县领导 (领办制)
]);
export type RecipientRole = z.infer<typeof RecipientRole>;

/** Round-level contacts: roles that do not belong to one unit. */
export const RoundContacts = z.strictObject({
  office: Person,
  disciplineCommission: Person,
  leadingGroup: Person.optional(),
  organisationDept: Person.optional(),
  supervisionGroup: Person.optional(),
  petitionsOffice: Person.optional(),
  auditOffice: Person.optional(),
});
export type RoundContacts = z.infer<typeof RoundContacts>;
