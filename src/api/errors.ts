// The one error shape of the API, and how failures from zod, the workflows, Postgres and Temporal
// map onto it. Messages are Chinese first, then the field and the rule.
import { z } from 'zod';
import { isWorkflowNotReady } from '../client/update-retry';
import { ValidationError } from '../domain/validation';

export const ErrorCode = z.enum(['validation', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'unavailable', 'internal']);
export type ErrorCode = z.infer<typeof ErrorCode>;
export const Issue = z.object({ path: z.string(), message: z.string() });
export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string(), issues: z.array(Issue).optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};
const PREFIX: Record<ErrorCode, string> = {
  validation: '输入有误',
  unauthenticated: '未登录或登录已失效',
  forbidden: '无权操作',
  not_found: '未找到',
  conflict: '操作冲突',
  unavailable: '服务暂不可用',
  internal: '服务器内部错误',
};

/** A refusal the API answers with on purpose. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(`${PREFIX[code]} — ${detail}`);
  }
  get status(): number {
    return STATUS[this.code];
  }
  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues?.length ? { issues: this.issues } : {}) } };
  }
}

/** A zod failure at the edge: every issue with its path, in one readable line. */
export function fromZod(err: z.ZodError, where: string): ApiError {
  const issues = err.issues.map((i) => ({ path: [where, ...i.path.map(String)].filter(Boolean).join('.') || '(root)', message: i.message }));
  return new ApiError('validation', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

const PG_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE = 4;

function temporalDown(e: { name?: string; code?: unknown; cause?: unknown; message?: string }): boolean {
  for (let x: typeof e | undefined = e, depth = 0; x && depth < 5; x = x.cause as typeof e | undefined, depth++) {
    if (x.name === 'ConnectionError' || x.name === 'TransportError') return true;
    if ((x.code === GRPC_UNAVAILABLE || x.code === GRPC_DEADLINE) && (e.name === 'ServiceError' || x.name !== 'DatabaseError')) return true;
    if (/\b14 UNAVAILABLE\b|Failed to connect|No connection established/.test(x.message ?? '')) return true;
  }
  return false;
}

function pgDown(e: { code?: unknown; message?: string }): boolean {
  return (typeof e.code === 'string' && PG_DOWN.has(e.code)) || /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/.test(e.message ?? '');
}

/** A refused workflow step: unknown workflow → 404, a state that no longer allows it → 409, else 400. */
export function fromValidationError(e: ValidationError): ApiError {
  const notFound = e.issues.some((i) => i.path === 'id' && i.message === 'not found') || /: not found$/.test(e.message);
  if (notFound) return new ApiError('not_found', `${e.message}（流程不存在 no such workflow）`, e.issues);
  const conflict =
    e.issues.some((i) => i.path === '(state)') ||
    /\b(already|is closed|not allowed while|no open|there is no|is demanded|has not started)\b/.test(e.message);
  if (conflict) return new ApiError('conflict', e.message, e.issues.length ? e.issues : [{ path: '(state)', message: e.message }]);
  // A workflow's refusal arrives as "step: field: rule"; name the field as the request's body field.
  const m = /^\w+: ([A-Za-z][\w.]*): (.+)$/s.exec(e.message);
  const issues = e.issues.length ? e.issues.map((i) => ({ ...i, path: i.path.startsWith('(') ? i.path : `body.${i.path}` })) : [{ path: m ? `body.${m[1]}` : 'body', message: m ? m[2]! : e.message }];
  return new ApiError('validation', e.message, issues);
}

/** Anything thrown by a handler, as the API answers it. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) return fromZod(err, '');
  const e = (err ?? {}) as Error & { code?: unknown; statusCode?: number; issues?: unknown };
  if (e.name === 'ValidationError' && Array.isArray(e.issues)) return fromValidationError(e as ValidationError);
  if (temporalDown(e)) return new ApiError('unavailable', 'Temporal 工作流服务无法连接，请稍后重试 (Temporal is unreachable; retry later)');
  // An Update the server aborted every time it was sent (the client sends it a few times): nothing changed.
  if (isWorkflowNotReady(e)) return new ApiError('unavailable', '工作流正忙，此操作未生效，请稍后重试 (the workflow could not take this step now; nothing was changed; retry later)');
  if (pgDown(e)) return new ApiError('unavailable', '台账数据库无法连接，请稍后重试 (PostgreSQL is unreachable; retry later)');
  // Fastify's own refusals (bad JSON, body too large, wrong content type, too many files).
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError(e.statusCode === 404 ? 'not_found' : 'validation', `body: 请求格式错误 (${e.message})`, [{ path: 'body', message: e.message }]);
  }
  return new ApiError('internal', '请稍后重试或联系运维 (internal error)');
}
