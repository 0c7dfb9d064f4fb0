// Signed session tokens: HS256 JWT in compact form, made and checked with node:crypto only.
// Shared by the API (verify), the login-link redeem (sign) and the CLI (`xuncha token`).
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Slug } from '../domain/people';

/** Who may do what: the roles of the contract, with their Chinese labels. */
export const Role = z.enum(['office', 'leadingGroup', 'inspectionGroup', 'unitHead', 'disciplineCommission', 'supervisionGroup']);
export type Role = z.infer<typeof Role>;
export const ROLE_LABELS: Record<Role, string> = {
  office: '巡察办',
  leadingGroup: '巡察工作领导小组',
  inspectionGroup: '巡察组',
  unitHead: '被巡察单位主要负责人',
  disciplineCommission: '纪委监委',
  supervisionGroup: '督查组',
};

/** Where a token holder may act: a round, a unit of it, an inspection group. Empty = every round. */
export const Scope = z.strictObject({ roundId: Slug.optional(), unitId: Slug.optional(), groupId: Slug.optional() });
export type Scope = z.infer<typeof Scope>;

export const Claims = z.strictObject({
  sub: Slug,
  name: z.string().trim().min(1).max(64),
  role: Role,
  scope: Scope,
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().max(64).optional(),
});
export type Claims = z.infer<typeof Claims>;
/** What a caller supplies; iat, exp and jti are filled in when signing. */
export type ClaimsInput = Pick<Claims, 'sub' | 'name' | 'role' | 'scope'>;

export class TokenError extends Error {
  override name = 'TokenError';
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
const mac = (data: string, secret: string) => createHmac('sha256', secret).update(data).digest();

/** Sign claims for `ttlSeconds` from now. */
export function signToken(claims: ClaimsInput, secret: string, ttlSeconds: number, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const body = Claims.parse({ ...claims, iat, exp: iat + Math.max(1, Math.floor(ttlSeconds)), jti: randomUUID() });
  const payload = b64url(JSON.stringify(body));
  return `${HEADER}.${payload}.${b64url(mac(`${HEADER}.${payload}`, secret))}`;
}

/** Check the signature (constant time), the header and the expiry; return the claims or throw TokenError. */
export function verifyToken(token: string, secret: string, now = Date.now()): Claims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenError('令牌格式错误 malformed token');
  const [header, payload, signature] = parts as [string, string, string];
  const expected = mac(`${header}.${payload}`, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenError('令牌签名无效 bad token signature');
  let head: unknown;
  let body: unknown;
  try {
    head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('令牌格式错误 malformed token');
  }
  if ((head as { alg?: unknown })?.alg !== 'HS256') throw new TokenError('令牌算法不受支持 unsupported token algorithm');
  const claims = Claims.safeParse(body);
  if (!claims.success) throw new TokenError('令牌内容无效 invalid token claims');
  if (claims.data.exp * 1000 <= now) throw new TokenError('令牌已过期，请重新登录 token expired');
  return claims.data;
}
