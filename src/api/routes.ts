// THE route table: every endpoint once, with who may call it, how far its scope reaches, and the
// zod schemas of its request and response. The server, the OpenAPI document, the authorisation
// checks and the role × endpoint matrix test are all generated from it.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Mailer } from '../activities/mailer';
import { TaskInbox } from '../client/inbox';
import { createRound } from '../client/rounds';
import { ITEM_STEPS, UNIT_STEPS, type ItemStep, type UnitStep, type XunchaClient } from '../client/xuncha-client';
import type { Config } from '../config';
import { FormationUnit, Expertise, proposeGroups, swapMember } from '../domain/groups';
import { clueWorkflowId, itemWorkflowId, letterWorkflowId, roundWorkflowId, unitWorkflowId } from '../domain/ids';
import * as L from '../domain/lifecycle';
import { Slug } from '../domain/people';
import { RoundRequest } from '../domain/round-request';
import { withTransaction } from '../ledger/pool';
import { loadPool } from '../ledger/pools';
import { ROLE_LABELS, Role, Scope, type Claims } from './auth';
import { ApiError } from './errors';
import { redeemLoginLink, sendLoginLinks } from './login';
import * as Q from './queries';

export interface ApiDeps {
  pool: Pool;
  xc: XunchaClient;
  config: Config;
  mailer: Mailer;
  /** Optional modules owned by other parts (exports); routes appear only when present. */
  exports?: {
    buildLedgerWorkbook?: (pool: Pool, roundId: string, opts: { unitId?: string }) => Promise<Buffer>;
    renderNoticePrint?: (pool: Pool, noticeId: string) => Promise<string>;
  };
  /** Login e-mails still being sent (tests and shutdown wait for them). */
  pending?: Set<Promise<unknown>>;
}

export type Access = 'public' | 'any' | readonly Role[];
/** none: no round in the path; round: /rounds/:roundId…; unit: /rounds/:roundId/units/:unitId… */
export type ScopeRule = 'none' | 'round' | 'unit';

export interface Ctx {
  deps: ApiDeps;
  claims: Claims | undefined;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  req: FastifyRequest;
  reply: FastifyReply;
}
export interface RouteDef {
  id: string;
  method: 'GET' | 'POST';
  path: string;
  summary: string;
  access: Access;
  scope: ScopeRule;
  /** The inspected unit may not even learn that this exists: a unit head gets 404, not 403. */
  hiddenFromUnit?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** multipart upload instead of a JSON body */
  multipart?: boolean;
  /** The body field that names the actor: filled from the token; any other value is refused. */
  actor?: 'by' | 'recordedBy';
  response: z.ZodType;
  /** content type when not JSON */
  produces?: string;
  status?: number;
  write?: boolean;
  handler(ctx: Ctx): Promise<unknown>;
}

// ---- shared schemas
const RoundP = z.strictObject({ roundId: Slug });
const UnitP = RoundP.extend({ unitId: Slug });
const ItemP = UnitP.extend({ itemId: Slug });
const Row = z.record(z.string(), z.unknown());
const Rows = z.array(Row);
const list = <T extends z.ZodType>(t: T) => z.object({ items: z.array(t) });
const Accepted = z.object({ accepted: z.literal(true), result: z.unknown() });
const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2026-12-01T09:00:00+08:00' });
const BoolQ = z.enum(['true', 'false'], { message: 'must be "true" or "false"' }).transform((v) => v === 'true');
const Colour = z.enum(['none', 'green', 'yellow', 'red']);

const ALL = Role.options;
const GROUP: Role[] = ['office', 'inspectionGroup'];

const Me = z.object({ personId: z.string(), name: z.string(), role: Role, roleLabel: z.string(), scope: Scope, expiresAt: z.string() });
const RoundRow = z.object({ round_id: z.string(), name: z.string(), kind: z.string(), phase: z.string(), rate_percent: z.number(), items: z.number() }).loose();
const Statistics = z.object({
  round: z.object({ units: z.number(), items: z.number(), itemsClosed: z.number(), itemsOverdue: z.number(), escalations: z.number(), ratePercent: z.number() }),
  units: z.array(
    z.object({
      unitId: z.string(),
      unitName: z.string(),
      sector: z.string(),
      phase: z.string(),
      items: z.number(),
      itemsClosed: z.number(),
      itemsOverdue: z.number(),
      escalations: z.number(),
      ratePercent: z.number(),
      colours: z.record(z.string(), z.number()),
    }),
  ),
  categories: z.array(z.object({ category: z.string(), problems: z.number() })),
  overTime: z.array(z.object({ month: z.string(), issued: z.number(), closed: z.number() })),
});
const ItemRow = z.object({ item_id: z.string(), unit_id: z.string(), title: z.string(), deadline: z.string(), state: z.enum(['open', 'closed']), colour: Colour }).loose();
const Pick = z.object({ personId: Slug, name: z.string().min(1).max(64), reasons: z.array(z.string().max(500)).max(20) });
const EvidenceMeta = z.object({ evidenceId: z.uuid(), fileName: z.string(), contentType: z.string(), sizeBytes: z.number(), sha256: z.string() });

export const EVIDENCE_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'text/plain',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024;

/** The first bytes must agree with the declared type: a renamed executable is not a PDF. */
function contentMatches(type: string, b: Buffer): boolean {
  const starts = (...sig: number[]) => sig.every((x, i) => b[i] === x);
  switch (type) {
    case 'application/pdf':
      return b.subarray(0, 5).toString('latin1') === '%PDF-';
    case 'image/png':
      return starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    case 'image/jpeg':
      return starts(0xff, 0xd8, 0xff);
    case 'text/plain':
      return !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);
    default: // docx, xlsx: zip containers
      return starts(0x50, 0x4b, 0x03, 0x04);
  }
}

// ---- helpers used by handlers
const notFound = (what: string) => new ApiError('not_found', what);
const read = <T>(c: Ctx, fn: (db: Q.Db) => Promise<T>, informants = false) => Q.readAs(c.deps.pool, c.claims, fn, informants);
const me = (c: Ctx) => c.claims!;
/** Round filter for routes without a round in the path: a round-scoped token sees only its round. */
function roundFilter(c: Ctx): string | null {
  const asked = (c.query.roundId as string | undefined) ?? null;
  const own = me(c).scope.roundId ?? null;
  if (own && asked && asked !== own) throw new ApiError('forbidden', `roundId: 只能查看本轮巡察 (only round "${own}")`, [{ path: 'query.roundId', message: 'outside your scope' }]);
  return own ?? asked;
}
const units = (c: Ctx) => Q.visibleUnits(c.deps.pool, me(c), c.params.roundId!);

function withActor(c: Ctx, actor: 'by' | 'recordedBy' | undefined): unknown {
  return actor && c.body && typeof c.body === 'object' && !Array.isArray(c.body) ? { ...(c.body as object), [actor]: me(c).sub } : c.body;
}

/** Evidence files named in a progress report must have been uploaded for this very item. */
async function evidenceLines(c: Ctx, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { roundId, unitId, itemId } = c.params;
  const { rows } = await c.deps.pool.query<{ evidence_id: string; file_name: string; sha256: string }>(
    'SELECT evidence_id, file_name, sha256 FROM evidence_files WHERE evidence_id = ANY($1::uuid[]) AND round_id = $2 AND unit_id = $3 AND item_id = $4',
    [ids, roundId, unitId, itemId],
  );
  const issues = ids.flatMap((id, i) => (rows.some((r) => r.evidence_id === id) ? [] : [{ path: `body.evidenceFileIds.${i}`, message: `没有此附件 no evidence file "${id}" for this item` }]));
  if (issues.length) throw new ApiError('validation', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
  return ids.map((id) => {
    const r = rows.find((x) => x.evidence_id === id)!;
    return `附件 evidence-file:${id} ${r.file_name} sha256:${r.sha256.slice(0, 16)}`;
  });
}

/**
 * Every write goes to Temporal: a quick probe first (cached briefly) so an unreachable server is a
 * prompt 503, not a request hanging in retries; a step sent to a workflow that has already
 * finished (a closed item, a reported clue) is a 409 conflict rather than "not found".
 */
const probeOk = new WeakMap<XunchaClient, number>();
async function toWorkflow<T>(c: Ctx, workflowId: string, fn: () => Promise<T>): Promise<T> {
  const xc = c.deps.xc;
  if ((probeOk.get(xc) ?? 0) < Date.now() - 2000) {
    await xc.client.connection.withDeadline(Date.now() + 3000, () => xc.client.workflowService.getSystemInfo({}));
    probeOk.set(xc, Date.now());
  }
  try {
    return await fn();
  } catch (err) {
    const e = err as Error & { issues?: { path: string; message: string }[] };
    if (e.name === 'ValidationError' && e.issues?.some((i) => i.path === 'id' && i.message === 'not found')) {
      const d = await xc.client.workflow.getHandle(workflowId).describe().catch(() => undefined);
      if (d && d.status.name !== 'RUNNING') {
        throw new ApiError('conflict', `${e.message.replace(/: not found$/, '')}: 该事项已办结 "${workflowId}" is already ${d.status.name.toLowerCase()}`, [{ path: '(state)', message: 'already finished' }]);
      }
    }
    throw err;
  }
}
const unitWf = (c: Ctx) => unitWorkflowId(c.params.roundId!, c.params.unitId!);
const itemWf = (c: Ctx) => itemWorkflowId(c.params.roundId!, c.params.unitId!, c.params.itemId!);

// ---- the write routes generated from the client's step tables
const UNIT_STEP_ROUTES: { path: string; step: UnitStep; roles: Role[]; hidden?: boolean; summary: string }[] = [
  { path: 'info-request/reply', step: 'replyInfoRequest', roles: ['office', 'disciplineCommission'], summary: '情况通报回复' },
  { path: 'tasks/complete', step: 'completeTask', roles: ['office', 'inspectionGroup', 'unitHead'], summary: '完成待办' },
  { path: 'talks', step: 'recordTalk', roles: GROUP, hidden: true, summary: '个别谈话记录' },
  { path: 'file-checks', step: 'recordFileCheck', roles: GROUP, summary: '查阅资料记录' },
  { path: 'questionnaires', step: 'recordQuestionnaire', roles: GROUP, summary: '问卷调查' },
  { path: 'petitions', step: 'recordPetition', roles: GROUP, hidden: true, summary: '信访举报登记' },
  { path: 'problems', step: 'recordProblem', roles: GROUP, summary: '问题底稿' },
  { path: 'fix-on-the-spot', step: 'fixOnTheSpot', roles: GROUP, summary: '立行立改' },
  { path: 'clues', step: 'transferClue', roles: GROUP, hidden: true, summary: '问题线索移交' },
  { path: 'report', step: 'submitReport', roles: GROUP, summary: '提交巡察报告' },
  { path: 'report/review', step: 'reviewReport', roles: ['office'], summary: '审核巡察报告' },
  { path: 'feedback', step: 'holdFeedback', roles: ['office', 'inspectionGroup'], summary: '反馈会' },
  { path: 'plan', step: 'fileRectificationPlan', roles: ['unitHead', 'office'], summary: '报送整改方案' },
  { path: 'rectification-report', step: 'submitRectificationReport', roles: ['unitHead', 'office'], summary: '报送整改情况报告' },
  { path: 'self-examination', step: 'submitSelfExamination', roles: ['unitHead'], summary: '回头看自查报告' },
  { path: 'self-examination/review', step: 'reviewSelfExamination', roles: ['office', 'supervisionGroup'], summary: '审核自查报告' },
  { path: 'findings', step: 'recordFindings', roles: ['supervisionGroup', 'office'], summary: '回头看/察访发现' },
  { path: 'spot-checks', step: 'planSpotCheck', roles: ['supervisionGroup', 'office'], hidden: true, summary: '突击察访计划' },
  { path: 'results', step: 'publishResults', roles: ['office'], summary: '公开巡察整改结果' },
];
const ITEM_STEP_ROUTES: { path: string; step: ItemStep; roles: Role[]; summary: string }[] = [
  { path: 'claim', step: 'claimItem', roles: ['office'], summary: '领办' },
  { path: 'reconcile', step: 'reconcileItem', roles: ['office'], summary: '对账销号（销号或退回）' },
];
const actorOf = (schema: z.ZodType): 'by' | 'recordedBy' | undefined => {
  const shape = (schema as unknown as { shape?: Record<string, unknown>; def?: { in?: { shape?: Record<string, unknown> }; schema?: { shape?: Record<string, unknown> } } });
  const keys = Object.keys(shape.shape ?? shape.def?.in?.shape ?? shape.def?.schema?.shape ?? {});
  return keys.includes('recordedBy') ? 'recordedBy' : keys.includes('by') ? 'by' : undefined;
};

const ProgressBody = L.ReportProgressInput.extend({
  evidenceFileIds: z
    .array(z.uuid({ message: 'must be an evidence id returned by the upload' }))
    .max(20)
    .refine((ids) => new Set(ids).size === ids.length, { message: '附件重复 duplicate evidence id' })
    .optional(),
});
const CloseBody = z.strictObject({ by: Slug, evidence: z.array(z.string().trim().min(1).max(500)).min(1).max(50), note: z.string().trim().min(1).max(2000).optional() });

/** A list across rounds (?roundId= narrows it; a round-scoped token sees its round only). */
function crossRoundList(id: string, path: string, summary: string, access: Role[], q: (db: Q.Db, roundId: string | null) => Promise<unknown[]>, hiddenFromUnit = false): RouteDef {
  return {
    id,
    method: 'GET',
    path,
    summary,
    access,
    scope: 'none',
    hiddenFromUnit,
    query: z.strictObject({ roundId: Slug.optional() }),
    response: list(Row),
    handler: async (c) => ({ items: await read(c, (db) => q(db, roundFilter(c))) }),
  };
}
/** A list within one round, cut to the units the caller may see. */
function roundList(id: string, path: string, summary: string, access: Role[], q: (db: Q.Db, roundId: string, units: string[] | null) => Promise<unknown[]>, hiddenFromUnit = false): RouteDef {
  return {
    id,
    method: 'GET',
    path: `/api/rounds/:roundId/${path}`,
    summary,
    access,
    scope: 'round',
    hiddenFromUnit,
    params: RoundP,
    response: list(Row),
    handler: async (c) => {
      const u = await units(c);
      return { items: await read(c, (db) => q(db, c.params.roundId!, u)) };
    },
  };
}

export function buildRoutes(deps: ApiDeps): RouteDef[] {
  const routes: RouteDef[] = [
    // ---- auth and discovery
    {
      id: 'loginLink',
      method: 'POST',
      path: '/api/auth/login-link',
      summary: '发送一次性登录链接 (e-mail a one-time login link)',
      access: 'public',
      scope: 'none',
      body: z.strictObject({ email: z.email({ message: '须为有效的电子邮箱 must be an e-mail address' }).max(254) }),
      response: z.object({ message: z.string() }),
      status: 202,
      async handler(c) {
        const { email } = c.body as { email: string };
        // Answer at once and the same way for every address; send in the background.
        const p = sendLoginLinks(c.deps.pool, c.deps.mailer, c.deps.config, email).catch((e: Error) => c.req.log.error({ err: e.message }, 'login link not sent'));
        c.deps.pending?.add(p);
        void p.finally(() => c.deps.pending?.delete(p));
        return { message: '如该邮箱已在巡察系统登记，登录链接已发送，请查收邮件（15分钟内有效）。' };
      },
    },
    {
      id: 'redeemLoginLink',
      method: 'GET',
      path: '/api/auth/redeem',
      summary: '用登录链接换取会话令牌 (redeem a login link once; a browser is redirected to the console with #token=)',
      access: 'public',
      scope: 'none',
      query: z.strictObject({ t: z.string().min(20).max(200) }),
      response: z.object({ token: z.string(), me: Me }),
      async handler(c) {
        const r = await redeemLoginLink(c.deps.pool, c.deps.config, (c.query as { t: string }).t);
        if (!r) throw new ApiError('unauthenticated', '登录链接无效、已使用或已过期，请重新申请 (login link invalid, used or expired)');
        // A person clicking the e-mailed link lands in the console, the session in the URL fragment
        // (never sent to a server or written to a log); programs asking for JSON get it as JSON.
        const accept = c.req.headers.accept ?? '';
        if (accept.includes('text/html') && !accept.includes('application/json')) {
          return c.reply.redirect(`${c.deps.config.API_PUBLIC_URL.replace(/\/$/, '')}/#token=${r.token}`, 302);
        }
        return { token: r.token, me: meOf(r.claims) };
      },
    },
    {
      id: 'me',
      method: 'GET',
      path: '/api/me',
      summary: '当前登录人 (who am I)',
      access: 'any',
      scope: 'none',
      response: Me,
      handler: async (c) => meOf(me(c)),
    },
    // ---- reads
    {
      id: 'listRounds',
      method: 'GET',
      path: '/api/rounds',
      summary: '我可见的巡察轮次及整改率',
      access: 'any',
      scope: 'none',
      response: list(RoundRow),
      async handler(c) {
        const claims = me(c);
        const roundId = claims.scope.roundId ?? null;
        const u = claims.role === 'unitHead' ? [claims.scope.unitId ?? ''] : claims.role === 'inspectionGroup' && roundId ? await Q.groupUnits(c.deps.pool, claims, roundId) : null;
        return { items: await read(c, (db) => Q.listRounds(db, roundId, u)) };
      },
    },
    {
      id: 'getRound',
      method: 'GET',
      path: '/api/rounds/:roundId',
      summary: '轮次详情：单位、阶段、联系人、时间',
      access: 'any',
      scope: 'round',
      params: RoundP,
      response: z.object({ round_id: z.string(), name: z.string(), units: Rows, contacts: Rows }).loose(),
      async handler(c) {
        const u = await units(c);
        const r = await read(c, (db) => Q.roundDetail(db, c.params.roundId!, u, me(c).role !== 'unitHead'));
        if (!r) throw notFound(`roundId: 没有此轮巡察 no round "${c.params.roundId}"`);
        return r;
      },
    },
    {
      id: 'roundStatistics',
      method: 'GET',
      path: '/api/rounds/:roundId/statistics',
      summary: '统计：各单位整改率、红黄绿、逾期、问责、问题类别、按月趋势',
      access: 'any',
      scope: 'round',
      params: RoundP,
      response: Statistics,
      async handler(c) {
        const u = await units(c);
        return read(c, (db) => Q.statistics(db, c.params.roundId!, u));
      },
    },
    {
      id: 'getUnit',
      method: 'GET',
      path: '/api/rounds/:roundId/units/:unitId',
      summary: '单位详情：阶段、整改方案、报告、待办',
      access: 'any',
      scope: 'unit',
      params: UnitP,
      response: z.object({ unit_id: z.string(), phase: z.string(), tasks: Rows }).loose(),
      async handler(c) {
        const r = await read(c, (db) => Q.unitDetail(db, c.params.roundId!, c.params.unitId!, me(c).role === 'unitHead'));
        if (!r) throw notFound(`unitId: 本轮没有此单位 no unit "${c.params.unitId}" in this round`);
        return r;
      },
    },
    {
      id: 'listItems',
      method: 'GET',
      path: '/api/rounds/:roundId/items',
      summary: '整改台账（一单两账）',
      access: 'any',
      scope: 'round',
      params: RoundP,
      query: z.strictObject({ unitId: Slug.optional(), colour: Colour.optional(), overdue: BoolQ.optional(), status: z.enum(['open', 'closed']).optional() }),
      response: list(ItemRow),
      async handler(c) {
        const u = await units(c);
        const q = c.query as Q.ItemFilter;
        if (u && q.unitId && !u.includes(q.unitId)) {
          if (me(c).role === 'unitHead') throw notFound(`unitId: 没有此单位 no unit "${q.unitId}"`);
          throw new ApiError('forbidden', `unitId: 不在您的巡察范围 unit "${q.unitId}" is outside your scope`, [{ path: 'query.unitId', message: 'outside your scope' }]);
        }
        return { items: await read(c, (db) => Q.listItems(db, c.params.roundId!, u, q)) };
      },
    },
    {
      id: 'getItem',
      method: 'GET',
      path: '/api/rounds/:roundId/units/:unitId/items/:itemId',
      summary: '整改事项：进展、对账、佐证材料',
      access: 'any',
      scope: 'unit',
      params: ItemP,
      response: ItemRow.extend({ progress: Rows, reconciliations: Rows, evidenceFiles: Rows }),
      async handler(c) {
        const r = await read(c, (db) => Q.itemDetail(db, c.params.roundId!, c.params.unitId!, c.params.itemId!));
        if (!r) throw notFound(`itemId: 没有此整改事项 no item "${c.params.itemId}"`);
        return r;
      },
    },
    {
      id: 'listPetitions',
      method: 'GET',
      path: '/api/rounds/:roundId/petitions',
      summary: '信访举报（巡察组可见举报人）',
      access: GROUP,
      scope: 'round',
      hiddenFromUnit: true,
      params: RoundP,
      response: list(Row),
      async handler(c) {
        const u = await units(c);
        const informants = me(c).role === 'inspectionGroup';
        return { items: await read(c, (db) => Q.petitions(db, c.params.roundId!, u, informants), informants) };
      },
    },
    roundList('listTalks', 'talks', '个别谈话', GROUP, Q.talks, true),
    roundList('listProblems', 'problems', '问题底稿', ['office', 'leadingGroup', 'inspectionGroup', 'disciplineCommission'], Q.problems),
    roundList('listNotices', 'notices', '通知（打印版：/api/notices/:noticeId/print）', ['office', 'unitHead'], Q.notices),
    crossRoundList('listClues', '/api/clues', '移交线索及反馈期限', ['office', 'disciplineCommission'], Q.clues, true),
    crossRoundList('listEscalations', '/api/escalations', '逾期升级（约谈、通报、问责…）', ['office', 'leadingGroup', 'disciplineCommission'], Q.escalations),
    crossRoundList('listLookBacks', '/api/look-backs', '回头看', ['office', 'supervisionGroup'], Q.lookBacks),
    crossRoundList('listSpotChecks', '/api/spot-checks', '突击察访计划', ['office', 'supervisionGroup'], Q.spotChecks, true),
    {
      id: 'myTasks',
      method: 'GET',
      path: '/api/tasks',
      summary: '我的待办（含逾期标记）',
      access: 'any',
      scope: 'none',
      response: list(z.object({ task_id: z.string(), kind: z.string(), due_at: z.string(), overdue: z.boolean() }).loose()),
      handler: async (c) => ({ items: await read(c, (db) => Q.myTasks(db, me(c))) }),
    },
    {
      id: 'audit',
      method: 'GET',
      path: '/api/audit',
      summary: '审计日志',
      access: ['office'],
      scope: 'none',
      hiddenFromUnit: true,
      query: z.strictObject({ roundId: Slug, since: Instant.optional() }),
      response: list(Row),
      handler: async (c) => ({ items: await read(c, (db) => Q.audit(db, roundFilter(c)!, (c.query.since as string | undefined) ?? null)) }),
    },
    {
      id: 'groupProposal',
      method: 'GET',
      path: '/api/groups/proposal',
      summary: '已组建/建议的巡察组',
      access: ['office', 'leadingGroup'],
      scope: 'none',
      query: z.strictObject({ roundId: Slug }),
      response: list(Row),
      handler: async (c) => ({ items: await read(c, (db) => Q.groups(db, roundFilter(c)!)) }),
    },
    {
      id: 'proposeGroups',
      method: 'POST',
      path: '/api/groups/propose',
      summary: '从组长库、人才库建议巡察组（含回避理由）',
      access: ['office'],
      scope: 'none',
      body: z.strictObject({
        units: z.array(FormationUnit).min(1).max(500),
        groupSize: z.number().int().min(1).max(12).optional(),
        focus: z.array(Expertise).optional(),
        crossCounty: z.boolean().optional(),
      }),
      response: z.object({ groups: Rows, exclusions: Rows, unmet: Rows }),
      async handler(c) {
        const pool = await loadPool(c.deps.pool);
        if (pool.length === 0) throw new ApiError('conflict', '组长库、人才库为空，请先导入 (the leader and talent pools are empty)');
        return proposeGroups({ ...(c.body as object), pool } as never);
      },
    },
    {
      id: 'groupPool',
      method: 'GET',
      path: '/api/groups/pool',
      summary: '组长库、人才库人选（调整巡察组时选用；不含申报关系）',
      access: ['office'],
      scope: 'none',
      hiddenFromUnit: true,
      response: list(z.object({ personId: z.string(), name: z.string(), pool: z.enum(['leader', 'talent']), expertise: z.array(z.string()), homeCounty: z.string(), available: z.boolean() })),
      handler: async (c) => ({
        items: (await loadPool(c.deps.pool)).map(({ personId, name, pool, expertise, homeCounty, available }) => ({ personId, name, pool, expertise, homeCounty, available })),
      }),
    },
    {
      id: 'swapGroupMember',
      method: 'POST',
      path: '/api/groups/swap',
      summary: '调整巡察组人选：换入者须通过同样的回避规定',
      access: ['office'],
      scope: 'none',
      hiddenFromUnit: true,
      body: z.strictObject({
        units: z.array(FormationUnit).min(1).max(500),
        crossCounty: z.boolean().optional(),
        proposal: z.object({ groups: z.array(z.object({ unitId: Slug, leader: Pick.optional(), members: z.array(Pick) })).min(1), exclusions: Rows, unmet: Rows }),
        unitId: Slug,
        outPersonId: Slug,
        inPersonId: Slug,
      }),
      response: z.object({ groups: Rows, exclusions: Rows, unmet: Rows }),
      async handler(c) {
        const b = c.body as { units: z.input<typeof FormationUnit>[]; crossCounty?: boolean; proposal: Parameters<typeof swapMember>[0]; unitId: string; outPersonId: string; inPersonId: string };
        const pool = await loadPool(c.deps.pool);
        if (pool.length === 0) throw new ApiError('conflict', '组长库、人才库为空，请先导入 (the leader and talent pools are empty)');
        try {
          return swapMember(b.proposal, { units: b.units, pool, crossCounty: b.crossCounty }, b.unitId, b.outPersonId, b.inPersonId);
        } catch (e) {
          // The rule that refused the swap, named on the body's field.
          const err = e as Error & { issues?: { path: string; message: string }[] };
          if (err.name !== 'ValidationError' || !err.issues) throw e;
          const issues = err.issues.map((i) => ({ path: `body.${i.path}`, message: i.message }));
          throw new ApiError('validation', `不能换入 — ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
        }
      },
    },
    {
      id: 'getEvidence',
      method: 'GET',
      path: '/api/evidence/:evidenceId',
      summary: '下载佐证材料',
      access: 'any',
      scope: 'none',
      params: z.strictObject({ evidenceId: z.uuid({ message: 'must be an evidence id' }) }),
      response: z.instanceof(Buffer),
      produces: 'application/octet-stream',
      async handler(c) {
        const { rows } = await read(c, (db) => db.query('SELECT round_id, unit_id, file_name, content_type, content FROM evidence_files WHERE evidence_id = $1', [c.params.evidenceId]));
        const f = rows[0] as { round_id: string; unit_id: string; file_name: string; content_type: string; content: Buffer } | undefined;
        const claims = me(c);
        const visible = f && (!claims.scope.roundId || claims.scope.roundId === f.round_id) && ((await Q.visibleUnits(c.deps.pool, claims, f.round_id)) ?? [f.unit_id]).includes(f.unit_id);
        if (!f || !visible) throw notFound(`evidenceId: 没有此附件 no evidence file "${c.params.evidenceId}"`);
        c.reply.header('content-type', f.content_type).header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.file_name)}`);
        return f.content;
      },
    },
    // ---- writes
    {
      id: 'startRound',
      method: 'POST',
      path: '/api/rounds',
      summary: '部署一轮巡察 (set up a round)',
      access: ['office'],
      scope: 'none',
      write: true,
      // The set-up and the inspection groups accepted in the wizard (checked against the pools).
      body: RoundRequest,
      response: z.object({ workflowId: z.string(), alreadyStarted: z.boolean(), groups: z.number().int() }),
      status: 201,
      handler: (c) => toWorkflow(c, roundWorkflowId(String((c.body as { roundId: string }).roundId)), () => createRound(c.deps, c.body, me(c).sub)),
    },
    ...UNIT_STEP_ROUTES.map(
      (s): RouteDef => ({
        id: s.step,
        method: 'POST',
        path: `/api/rounds/:roundId/units/:unitId/${s.path}`,
        summary: s.summary,
        access: s.roles,
        scope: 'unit',
        hiddenFromUnit: s.hidden,
        write: true,
        params: UnitP,
        body: UNIT_STEPS[s.step][1],
        actor: actorOf(UNIT_STEPS[s.step][1]),
        response: Accepted,
        handler: async (c) => ({ accepted: true, result: await toWorkflow(c, unitWf(c), () => c.deps.xc.unitStep(c.params.roundId!, c.params.unitId!, s.step, withActor(c, actorOf(UNIT_STEPS[s.step][1])))) }),
      }),
    ),
    {
      id: 'reportProgress',
      method: 'POST',
      path: '/api/rounds/:roundId/units/:unitId/items/:itemId/progress',
      summary: '报送整改进展（可引用已上传的佐证材料）',
      access: ['unitHead', 'office'],
      scope: 'unit',
      write: true,
      params: ItemP,
      body: ProgressBody,
      actor: 'by',
      response: Accepted,
      async handler(c) {
        const { evidenceFileIds = [], ...rest } = withActor(c, 'by') as z.infer<typeof ProgressBody>;
        const files = await evidenceLines(c, evidenceFileIds);
        const input = { ...rest, evidence: [...(rest.evidence ?? []), ...files] };
        return { accepted: true, result: await toWorkflow(c, itemWf(c), () => c.deps.xc.itemStep(c.params.roundId!, c.params.unitId!, c.params.itemId!, 'reportProgress', input)) };
      },
    },
    ...ITEM_STEP_ROUTES.map(
      (s): RouteDef => ({
        id: s.step,
        method: 'POST',
        path: `/api/rounds/:roundId/units/:unitId/items/:itemId/${s.path}`,
        summary: s.summary,
        access: s.roles,
        scope: 'unit',
        write: true,
        params: ItemP,
        body: ITEM_STEPS[s.step][1],
        actor: actorOf(ITEM_STEPS[s.step][1]),
        response: Accepted,
        handler: async (c) => ({
          accepted: true,
          result: await toWorkflow(c, itemWf(c), () => c.deps.xc.itemStep(c.params.roundId!, c.params.unitId!, c.params.itemId!, s.step, withActor(c, actorOf(ITEM_STEPS[s.step][1])))),
        }),
      }),
    ),
    {
      id: 'closeItem',
      method: 'POST',
      path: '/api/rounds/:roundId/units/:unitId/items/:itemId/close',
      summary: '销号（对账销号的快捷方式）',
      access: ['office'],
      scope: 'unit',
      write: true,
      params: ItemP,
      body: CloseBody,
      actor: 'by',
      response: Accepted,
      async handler(c) {
        const b = withActor(c, 'by') as z.infer<typeof CloseBody>;
        return { accepted: true, result: await toWorkflow(c, itemWf(c), () => c.deps.xc.closeItem(c.params.roundId!, c.params.unitId!, c.params.itemId!, b)) };
      },
    },
    {
      id: 'uploadEvidence',
      method: 'POST',
      path: '/api/rounds/:roundId/units/:unitId/items/:itemId/evidence',
      summary: `上传佐证材料（multipart 字段 file；PDF/JPEG/PNG/TXT/DOCX/XLSX，≤${EVIDENCE_MAX_BYTES / 1024 / 1024} MB）`,
      access: ['unitHead', 'office'],
      scope: 'unit',
      write: true,
      multipart: true,
      params: ItemP,
      response: EvidenceMeta,
      status: 201,
      async handler(c) {
        const { roundId, unitId, itemId } = c.params as { roundId: string; unitId: string; itemId: string };
        const bad = (path: string, message: string) => new ApiError('validation', `${path}: ${message}`, [{ path, message }]);
        if (!c.req.isMultipart()) throw bad('body', '须为 multipart/form-data 上传，字段名 file (must be a multipart upload with a "file" field)');
        const file = await c.req.file({ limits: { fileSize: EVIDENCE_MAX_BYTES, files: 1 } });
        if (!file || file.fieldname !== 'file') throw bad('body.file', '缺少文件字段 file (missing "file" field)');
        const content = await file.toBuffer().catch((e: Error & { code?: string }) => {
          if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw bad('body.file', `文件过大，上限 ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB (file too large)`);
          throw e;
        });
        if (file.file.truncated) throw bad('body.file', `文件过大，上限 ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB (file too large)`);
        if (content.length === 0) throw bad('body.file', '文件为空 (empty file)');
        if (!(EVIDENCE_TYPES as readonly string[]).includes(file.mimetype)) throw bad('body.file', `不支持的文件类型 ${file.mimetype} (allowed: ${EVIDENCE_TYPES.join(', ')})`);
        if (!contentMatches(file.mimetype, content)) throw bad('body.file', `文件内容与类型 ${file.mimetype} 不符 (content does not match its declared type)`);
        const fileName = z.string().trim().min(1).max(200).safeParse(file.filename);
        if (!fileName.success) throw bad('body.file.filename', '文件名须为1-200个字符 (file name must have 1-200 characters)');
        const item = await c.deps.pool.query('SELECT 1 FROM rectification_items WHERE round_id = $1 AND unit_id = $2 AND item_id = $3', [roundId, unitId, itemId]);
        if (item.rowCount === 0) throw notFound(`itemId: 没有此整改事项 no item "${itemId}"`);
        const evidenceId = randomUUID();
        const sha256 = createHash('sha256').update(content).digest('hex');
        const by = me(c).sub;
        await withTransaction(c.deps.pool, async (db) => {
          await db.query(
            `INSERT INTO evidence_files (evidence_id, round_id, unit_id, item_id, file_name, content_type, size_bytes, sha256, content, uploaded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [evidenceId, roundId, unitId, itemId, fileName.data, file.mimetype, content.length, sha256, content, by],
          );
          await db.query(
            `INSERT INTO audit_log (event_key, event_type, round_id, unit_id, entity, entity_id, actor, occurred_at, details)
             VALUES ($1, 'evidence.uploaded', $2, $3, 'item', $4, $5, now(), $6)`,
            [`evidence:${evidenceId}`, roundId, unitId, itemId, by, JSON.stringify({ evidenceId, fileName: fileName.data, contentType: file.mimetype, sizeBytes: content.length, sha256 })],
          );
        });
        return { evidenceId, fileName: fileName.data, contentType: file.mimetype, sizeBytes: content.length, sha256 };
      },
    },
    {
      id: 'sendCommonIssueLetter',
      method: 'POST',
      path: '/api/rounds/:roundId/letters',
      summary: '共性问题函告',
      access: ['office'],
      scope: 'round',
      write: true,
      params: RoundP,
      body: L.SendCommonIssueLetterInput,
      actor: 'by',
      response: Accepted,
      handler: async (c) => ({ accepted: true, result: await toWorkflow(c, roundWorkflowId(c.params.roundId!), () => c.deps.xc.sendCommonIssueLetter(c.params.roundId!, withActor(c, 'by'))) }),
    },
    {
      id: 'answerLetter',
      method: 'POST',
      path: '/api/rounds/:roundId/letters/:letterId/answer',
      summary: '函告答复',
      access: ['office'],
      scope: 'round',
      write: true,
      params: RoundP.extend({ letterId: Slug }),
      body: L.AnswerLetterInput,
      actor: 'by',
      response: Accepted,
      handler: async (c) => ({
        accepted: true,
        result: await toWorkflow(c, letterWorkflowId(c.params.roundId!, c.params.letterId!), () => c.deps.xc.answerLetter(c.params.roundId!, c.params.letterId!, withActor(c, 'by'))),
      }),
    },
    {
      id: 'reportClueOutcome',
      method: 'POST',
      path: '/api/rounds/:roundId/units/:unitId/clues/:clueId/outcome',
      summary: '线索处置情况反馈',
      access: ['disciplineCommission', 'office'],
      scope: 'unit',
      hiddenFromUnit: true,
      write: true,
      params: UnitP.extend({ clueId: Slug }),
      body: L.ReportClueOutcomeInput,
      actor: 'by',
      response: Accepted,
      handler: async (c) => ({
        accepted: true,
        result: await toWorkflow(c, clueWorkflowId(c.params.roundId!, c.params.unitId!, c.params.clueId!), () =>
          c.deps.xc.reportClueOutcome(c.params.roundId!, c.params.unitId!, c.params.clueId!, withActor(c, 'by')),
        ),
      }),
    },
    {
      id: 'completeInboxTask',
      method: 'POST',
      path: '/api/tasks/:taskId/complete',
      summary: '办理待办（按待办所指的流程步骤）',
      access: 'any',
      scope: 'none',
      write: true,
      params: z.strictObject({ taskId: z.string().min(1).max(300) }),
      body: z.record(z.string().max(64), z.unknown()).refine((b) => JSON.stringify(b).length <= 200_000, { message: 'too large' }),
      actor: 'by',
      response: Accepted,
      async handler(c) {
        const claims = me(c);
        const t = await Q.taskForCompletion(c.deps.pool, c.params.taskId!);
        const now = Date.now();
        const mine =
          t &&
          (!t.confidential_until || Date.parse(t.confidential_until) <= now) &&
          (claims.role === 'office' ? !claims.scope.roundId || claims.scope.roundId === t.round_id : t.assignee_id === claims.sub) &&
          (claims.role !== 'unitHead' || (t.round_id === claims.scope.roundId && t.unit_id === claims.scope.unitId));
        if (!mine) throw notFound(`taskId: 没有您的此项待办 no task "${c.params.taskId}" of yours`);
        const inbox = new TaskInbox(c.deps.pool, c.deps.xc);
        return { accepted: true, result: await toWorkflow(c, t.workflow_id, () => inbox.complete(t.task_id, withActor(c, 'by') as Record<string, unknown>)) };
      },
    },
  ];

  const ex = deps.exports;
  if (ex?.buildLedgerWorkbook) {
    const build = ex.buildLedgerWorkbook;
    routes.push({
      id: 'ledgerXlsx',
      method: 'GET',
      path: '/api/rounds/:roundId/ledger.xlsx',
      summary: '导出整改台账 Excel',
      access: ['office', 'leadingGroup', 'inspectionGroup', 'unitHead'],
      scope: 'round',
      params: RoundP,
      query: z.strictObject({ unitId: Slug.optional() }),
      response: z.instanceof(Buffer),
      produces: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      async handler(c) {
        // The whole round for the office; one unit (asked for, or the only one visible) otherwise.
        const visible = await units(c);
        const asked = c.query.unitId as string | undefined;
        const unitId = asked ?? (visible?.length === 1 ? visible[0] : undefined);
        if (visible && (!unitId || !visible.includes(unitId))) {
          if (me(c).role === 'unitHead') throw notFound(`unitId: 没有此单位 no unit "${asked}"`);
          throw new ApiError('forbidden', 'unitId: 请选择您负责的单位导出 (choose one of your units: ?unitId=)', [{ path: 'query.unitId', message: 'outside your scope' }]);
        }
        const buf = await build(c.deps.pool, c.params.roundId!, unitId ? { unitId } : {});
        c.reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="ledger-${c.params.roundId}.xlsx"`);
        return buf;
      },
    });
  }
  if (ex?.renderNoticePrint) {
    const render = ex.renderNoticePrint;
    routes.push({
      id: 'printNotice',
      method: 'GET',
      path: '/api/notices/:noticeId/print',
      summary: '通知打印版',
      access: ['office', 'unitHead'],
      scope: 'none',
      params: z.strictObject({ noticeId: z.string().regex(/^\d{1,18}$/, 'must be a notice number') }),
      response: z.string(),
      produces: 'text/html; charset=utf-8',
      async handler(c) {
        // The same rules as the notices list: a unit head only what was addressed to its unit's
        // people, never a spot-check plan before the visit, a clue, a referral or an information request.
        const claims = me(c);
        const units = claims.role === 'unitHead' ? [claims.scope.unitId ?? ''] : null;
        const n = await read(c, (db) => Q.visibleNotice(db, c.params.noticeId!, { roundId: claims.scope.roundId, units }));
        if (!n || (claims.role === 'unitHead' && !claims.scope.roundId)) throw notFound(`noticeId: 没有此通知 no notice "${c.params.noticeId}"`);
        c.reply.header('content-type', 'text/html; charset=utf-8');
        return render(c.deps.pool, c.params.noticeId!);
      },
    });
  }
  return routes;
}

export function meOf(c: Claims): z.infer<typeof Me> {
  return { personId: c.sub, name: c.name, role: c.role, roleLabel: ROLE_LABELS[c.role], scope: c.scope, expiresAt: new Date(c.exp * 1000).toISOString() };
}

export { ALL as ALL_ROLES };
