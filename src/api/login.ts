// Login by e-mailed one-time link (登录链接). The role and scope come from the ledger: round
// contacts, unit heads, inspection group leaders and members. Unknown addresses get the same answer
// as known ones and no e-mail, so the endpoint cannot be used to find out who is in the ledger.
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { Mailer } from '../activities/mailer';
import type { Config } from '../config';
import { appendAudit } from '../ledger/audit';
import { withTransaction } from '../ledger/pool';
import { ROLE_LABELS, Scope, signToken, verifyToken, type Claims, type Role } from './auth';

export const LOGIN_LINK_TTL_SECONDS = 15 * 60;
export const SESSION_TTL_SECONDS = 12 * 3600;

export interface Grant {
  personId: string;
  name: string;
  role: Role;
  scope: Scope;
  label: string;
}

/** Every role a person holds in the ledger, newest rounds first (at most 10). */
export async function grantsForEmail(pool: Pool, email: string): Promise<{ email: string; grants: Grant[] } | undefined> {
  const { rows: people } = await pool.query<{ person_id: string; name: string; email: string }>(
    'SELECT person_id, name, email FROM people WHERE lower(email) = lower($1) ORDER BY person_id LIMIT 1',
    [email],
  );
  const p = people[0];
  if (!p) return undefined;
  const { rows } = await pool.query<{ role: Role; round_id: string | null; unit_id: string | null; group_id: string | null; label: string }>(
    `SELECT * FROM (
       SELECT rc.role, CASE WHEN rc.role IN ('office', 'leadingGroup') THEN NULL ELSE rc.round_id END AS round_id, NULL AS unit_id, NULL AS group_id,
              max(r.started_at) AS started_at, CASE WHEN rc.role IN ('office', 'leadingGroup') THEN '' ELSE max(r.name) END AS label
         FROM round_contacts rc JOIN rounds r ON r.round_id = rc.round_id
        WHERE rc.person_id = $1 AND rc.role IN ('office', 'leadingGroup', 'disciplineCommission', 'supervisionGroup')
        GROUP BY 1, 2
       UNION ALL
       SELECT 'unitHead', ru.round_id, ru.unit_id, NULL, r.started_at, r.name || ' · ' || u.name
         FROM round_units ru JOIN units u ON u.unit_id = ru.unit_id JOIN rounds r ON r.round_id = ru.round_id WHERE u.head_person_id = $1
       UNION ALL
       SELECT 'inspectionGroup', ru.round_id, ru.unit_id, NULL, r.started_at, r.name || ' · ' || u.name
         FROM round_units ru JOIN units u ON u.unit_id = ru.unit_id JOIN rounds r ON r.round_id = ru.round_id WHERE ru.group_leader_person_id = $1
       UNION ALL
       SELECT 'inspectionGroup', gm.round_id, NULL, gm.group_id, r.started_at, r.name || ' · ' || gm.group_id
         FROM group_members gm JOIN rounds r ON r.round_id = gm.round_id WHERE gm.person_id = $1
     ) g ORDER BY started_at DESC, role, unit_id LIMIT 10`,
    [p.person_id],
  );
  const grants = rows.map((r) => ({
    personId: p.person_id,
    name: p.name,
    role: r.role,
    scope: Scope.parse({ roundId: r.round_id ?? undefined, unitId: r.unit_id ?? undefined, groupId: r.group_id ?? undefined }),
    label: `${ROLE_LABELS[r.role]}${r.label ? `（${r.label}）` : ''}`,
  }));
  return { email: p.email, grants };
}

const hash = (t: string) => createHash('sha256').update(t).digest('hex');

/** Store one link per grant and e-mail them; resolves when the e-mail has been handed to SMTP. */
export async function sendLoginLinks(pool: Pool, mailer: Mailer, config: Config, email: string): Promise<number> {
  const found = await grantsForEmail(pool, email);
  if (!found || found.grants.length === 0) return 0;
  const lines: string[] = [];
  for (const g of found.grants) {
    const secret = randomBytes(32).toString('base64url');
    const tokenHash = hash(secret);
    await withTransaction(pool, async (c) => {
      await c.query(
        `INSERT INTO login_links (token_hash, person_id, role, scope, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [tokenHash, g.personId, g.role, JSON.stringify(g.scope), LOGIN_LINK_TTL_SECONDS],
      );
      await appendAudit(c, linkAudit('login-link.issued', tokenHash, g.personId, g.role, g.scope, { expiresInSeconds: LOGIN_LINK_TTL_SECONDS }));
    });
    lines.push(`${g.label}：${config.API_PUBLIC_URL.replace(/\/$/, '')}/api/auth/redeem?t=${secret}`);
  }
  const name = found.grants[0]!.name;
  await mailer.sendMail({
    from: config.MAIL_FROM,
    to: found.email,
    subject: '【巡察系统】登录链接',
    text: [
      `${name}，您好：`,
      '',
      '您申请登录巡察工作系统。请点击下列链接登录（每个链接仅可使用一次，15分钟内有效）：',
      ...lines,
      '',
      '如非本人操作，请忽略本邮件。',
      '巡察工作领导小组办公室',
    ].join('\n'),
  });
  return lines.length;
}

/** Exchange a link's secret for a session token, once. */
export async function redeemLoginLink(pool: Pool, config: Config, secret: string): Promise<{ token: string; claims: Claims } | undefined> {
  const tokenHash = hash(secret);
  const r = await withTransaction(pool, async (c) => {
    const { rows } = await c.query<{ person_id: string; role: Role; scope: Scope; name: string }>(
      `UPDATE login_links l SET used_at = now() FROM people p
        WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > now() AND p.person_id = l.person_id
        RETURNING l.person_id, l.role, l.scope, p.name`,
      [tokenHash],
    );
    const row = rows[0];
    if (row) await appendAudit(c, linkAudit('login-link.redeemed', tokenHash, row.person_id, row.role, Scope.parse(row.scope), { sessionSeconds: SESSION_TTL_SECONDS }));
    return row;
  });
  if (!r) return undefined;
  const token = signToken({ sub: r.person_id, name: r.name, role: r.role, scope: Scope.parse(r.scope) }, config.API_TOKEN_SECRET, SESSION_TTL_SECONDS);
  return { token, claims: verifyToken(token, config.API_TOKEN_SECRET) };
}

/** The audit row of a login link: who, which role and scope; never the link's secret (only a prefix of its hash). */
function linkAudit(eventType: 'login-link.issued' | 'login-link.redeemed', tokenHash: string, personId: string, role: Role, scope: Scope, more: Record<string, unknown>) {
  const linkId = tokenHash.slice(0, 16);
  return {
    eventKey: `${eventType}:${linkId}`,
    eventType,
    roundId: scope.roundId ?? null,
    unitId: scope.unitId ?? null,
    entity: 'login-link',
    entityId: linkId,
    actor: personId,
    details: { personId, role, scope, ...more },
  };
}
