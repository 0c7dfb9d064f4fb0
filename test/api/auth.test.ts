// The signing module on its own: HS256 compact JWTs with expiry, refused when tampered, expired,
// signed with another secret or claiming another algorithm.
import { createHmac } from 'node:crypto';
import { signToken, verifyToken, TokenError } from '../../src/api/auth';

const secret = 'test-secret-test-secret-test-secret!';
const claims = { sub: 'head-1', name: '张局长', role: 'unitHead' as const, scope: { roundId: 'r1', unitId: 'u1' } };

test('a signed token verifies and carries its claims and expiry', () => {
  const now = Date.parse('2026-11-23T00:00:00Z');
  const t = signToken(claims, secret, 600, now);
  expect(t.split('.')).toHaveLength(3);
  expect(JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
  expect(verifyToken(t, secret, now + 1000)).toMatchObject({ ...claims, iat: now / 1000, exp: now / 1000 + 600 });
  expect(() => verifyToken(t, secret, now + 600_000)).toThrow('令牌已过期');
});

test('tampered, foreign, malformed and alg-swapped tokens are refused', () => {
  const t = signToken(claims, secret, 600);
  const [h, p, sig] = t.split('.') as [string, string, string];
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'office' })).toString('base64url');
  expect(() => verifyToken(`${h}.${forged}.${sig}`, secret)).toThrow(TokenError);
  expect(() => verifyToken(t, 'another-secret-another-secret-xx')).toThrow('令牌签名无效');
  expect(() => verifyToken('abc', secret)).toThrow('令牌格式错误');
  expect(() => verifyToken(`${h}.${p}.`, secret)).toThrow(TokenError);
  // A correctly signed token whose header claims another algorithm.
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const mac = createHmac('sha256', secret).update(`${none}.${p}`).digest('base64url');
  expect(() => verifyToken(`${none}.${p}.${mac}`, secret)).toThrow('不受支持');
  // Signed claims that break the schema (a role that does not exist).
  const badBody = Buffer.from(JSON.stringify({ ...claims, role: 'emperor', iat: 1, exp: 9e9 })).toString('base64url');
  const badMac = createHmac('sha256', secret).update(`${h}.${badBody}`).digest('base64url');
  expect(() => verifyToken(`${h}.${badBody}.${badMac}`, secret)).toThrow('令牌内容无效');
});
