import { safeParse, type z } from 'zod';

/** Thrown for bad input anywhere (client edge, update validators, env): names the field and the rule. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): { path: string; message: string }[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** Parse or throw a ValidationError such as `recordProblem: facts: Too small: expected string to have >=1 characters`. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  // The function, not the method: zod binds a schema's methods on first use, which a schema shared
  // between workflows cannot store where it is frozen (src/workflows/shared-modules.ts).
  const r = safeParse(schema, input);
  if (r.success) return r.data;
  const issues = formatIssues(r.error.issues);
  throw new ValidationError(`${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}
