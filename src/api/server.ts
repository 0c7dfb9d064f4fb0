// The HTTP API: one Fastify instance whose routes, authorisation and OpenAPI document all come
// from the route table (routes.ts). Every request and response passes a zod schema; every
// refusal has the same JSON shape and changes nothing.
import path from 'node:path';
import fs from 'node:fs';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ROLE_LABELS, TokenError, verifyToken, type Claims } from './auth';
import { ApiError, ErrorBody, fromZod, toApiError } from './errors';
import { groupUnits } from './queries';
import { buildRoutes, type ApiDeps, type Ctx, type RouteDef } from './routes';

export type { ApiDeps } from './routes';

function authenticate(req: FastifyRequest, secret: string): Claims {
  const h = req.headers.authorization;
  if (!h) throw new ApiError('unauthenticated', '请先登录：缺少 Authorization: Bearer 令牌 (missing bearer token)');
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) throw new ApiError('unauthenticated', 'Authorization 头须为 "Bearer <令牌>" (malformed Authorization header)');
  try {
    return verifyToken(m[1]!, secret);
  } catch (e) {
    if (e instanceof TokenError) throw new ApiError('unauthenticated', e.message);
    throw e;
  }
}

/** Role, then scope: a unit head is told "not found" where even existence is confidential. */
export async function authorize(r: RouteDef, claims: Claims, params: Record<string, string>, deps: ApiDeps): Promise<void> {
  const hide = claims.role === 'unitHead';
  const deny = (what: string): never => {
    if (hide) throw new ApiError('not_found', what);
    throw new ApiError('forbidden', `${ROLE_LABELS[claims.role]}无权访问 — ${what}`);
  };
  if (r.access !== 'any' && r.access !== 'public' && !r.access.includes(claims.role)) {
    if (hide && r.hiddenFromUnit) throw new ApiError('not_found', `${r.path}`);
    throw new ApiError('forbidden', `${ROLE_LABELS[claims.role]}不能${r.summary} (role ${claims.role} may not call ${r.id})`);
  }
  if (r.scope === 'none') return;
  const s = claims.scope;
  const roundId = params.roundId!;
  if ((s.roundId && s.roundId !== roundId) || ((claims.role === 'unitHead' || claims.role === 'inspectionGroup') && !s.roundId)) {
    deny(`roundId: 不在您的范围 round "${roundId}" is outside your scope`);
  }
  if (r.scope === 'unit') {
    const unitId = params.unitId!;
    const outside = `unitId: 不在您的范围 unit "${unitId}" is outside your scope`;
    if ((claims.role === 'unitHead' || s.unitId) && s.unitId !== unitId) deny(outside);
    if (claims.role === 'inspectionGroup' && !(await groupUnits(deps.pool, claims, roundId)).includes(unitId)) deny(outside);
  }
}

function parse<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw fromZod(r.error, where);
  return r.data;
}

/** The actor named in a body is the signed-in person: filled in when absent, refused when different. */
function withActor(r: RouteDef, claims: Claims | undefined, raw: unknown): unknown {
  if (!r.actor || !claims || !raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const given = (raw as Record<string, unknown>)[r.actor];
  if (given !== undefined && given !== claims.sub) {
    const path = `body.${r.actor}`;
    throw new ApiError('validation', `${path}: 须为当前登录人 "${claims.sub}" (must be the signed-in person)`, [{ path, message: 'must be the signed-in person' }]);
  }
  return { ...(raw as object), [r.actor]: claims.sub };
}

// ---- OpenAPI 3.1, generated from the same table
const jsonSchema = (s: z.ZodType, io: 'input' | 'output') => {
  const j = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete j.$schema;
  return j;
};
export function openApiDocument(routes: RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorSchema = jsonSchema(ErrorBody, 'output');
  for (const r of routes) {
    const p = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) parameters.push({ name, in: where, required: where === 'path' || !!js.required?.includes(name), schema: s });
    }
    let requestBody: unknown;
    if (r.multipart) {
      requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } } } };
    } else if (r.body) {
      const js = jsonSchema(r.body, 'input') as { required?: string[] };
      if (r.actor && js.required) js.required = js.required.filter((k) => k !== r.actor);
      requestBody = { required: true, content: { 'application/json': { schema: js } } };
    }
    const ok = r.produces ? { content: { [r.produces.split(';')[0]!]: { schema: { type: 'string', format: 'binary' } } } } : { content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } };
    const err = (d: string) => ({ description: d, content: { 'application/json': { schema: errorSchema } } });
    paths[p] ??= {};
    paths[p][r.method.toLowerCase()] = {
      operationId: r.id,
      summary: r.summary,
      ...(r.access === 'public' ? { security: [] } : {}),
      'x-roles': r.access === 'any' ? Object.keys(ROLE_LABELS) : r.access === 'public' ? [] : r.access,
      'x-scope': r.scope,
      ...(r.hiddenFromUnit ? { 'x-hidden-from-unit': true } : {}),
      ...(r.actor ? { 'x-actor-from-token': r.actor } : {}),
      parameters,
      ...(requestBody ? { requestBody } : {}),
      responses: {
        [String(r.status ?? 200)]: { description: 'OK', ...ok },
        '400': err('输入有误 validation'),
        ...(r.access === 'public' ? {} : { '401': err('未登录 unauthenticated'), '403': err('无权 forbidden') }),
        '404': err('未找到 not found'),
        ...(r.write ? { '409': err('冲突 conflict') } : {}),
        '503': err('服务暂不可用 Postgres or Temporal unreachable'),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Xuncha 巡察 API', version: '1.0.0', description: '巡察与整改工作 HTTP API。错误统一为 { error: { code, message, issues? } }。' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

/** The web console registers itself at `/` once src/console/serve.ts exists. */
function consoleModule(): { registerConsole?: (app: FastifyInstance) => unknown } | undefined {
  const file = path.join(__dirname, '../console/serve');
  if (!['.ts', '.js'].some((ext) => fs.existsSync(file + ext))) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file);
}
/** The export modules (Excel ledger, printable notices), when present. */
export function exportModules(): ApiDeps['exports'] {
  const load = (name: string) => {
    const file = path.join(__dirname, '../exports', name);
    if (!['.ts', '.js'].some((ext) => fs.existsSync(file + ext))) return {};
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file);
  };
  return { buildLedgerWorkbook: load('ledger-xlsx').buildLedgerWorkbook, renderNoticePrint: load('notice-print').renderNoticePrint };
}

export function buildApi(deps: ApiDeps, opts: { logger?: boolean; console?: boolean } = {}): FastifyInstance {
  const app = Fastify({
    // Request logs never carry a token or a login link's secret (?t=).
    logger: opts.logger
      ? { serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.replace(/([?&]t=)[^&]*/g, '$1***') }) } }
      : false,
    bodyLimit: 2 * 1024 * 1024,
  });
  deps.pending ??= new Set();
  const routes = buildRoutes({ ...deps, exports: deps.exports ?? exportModules() });
  void app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1, fields: 5 } });

  app.setErrorHandler((err, req, reply) => {
    const e = toApiError(err);
    if (e.status >= 500) req.log.error({ err: (err as Error).message }, 'request failed');
    void reply.code(e.status).type('application/json; charset=utf-8').send(e.body());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new ApiError('not_found', `没有此接口 no route ${req.method} ${req.url.split('?')[0]}`);
    void reply.code(404).send(e.body());
  });

  const doc = openApiDocument(routes);
  app.get('/api/openapi.json', async () => doc);

  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.path,
      handler: async (req, reply) => {
        const claims = r.access === 'public' ? undefined : authenticate(req, deps.config.API_TOKEN_SECRET);
        const params = (r.params ? parse(r.params, req.params, 'params') : {}) as Record<string, string>;
        if (claims) await authorize(r, claims, params, deps);
        const query = r.query ? parse(r.query, req.query ?? {}, 'query') : {};
        let body: unknown;
        if (r.method === 'POST' && !r.multipart) {
          body = withActor(r, claims, req.body);
          if (r.body) parse(r.body, body, 'body');
        }
        const ctx: Ctx = { deps, claims, params, query: query as Record<string, unknown>, body, req, reply };
        const result = await r.handler(ctx);
        if (reply.sent) return reply; // answered directly (a redirect)
        const checked = r.response.safeParse(result);
        if (!checked.success) {
          req.log.error({ route: r.id, issues: checked.error.issues }, 'response does not match its schema');
          throw new ApiError('internal', `响应不符合接口定义 (response of ${r.id} does not match its schema)`);
        }
        reply.code(r.status ?? 200);
        return r.produces ? result : checked.data;
      },
    });
  }

  if (opts.console !== false) {
    const mod = consoleModule();
    // Called on the root instance: the console serves `/` and its assets; `/api/*` stays ours.
    if (mod?.registerConsole) void mod.registerConsole(app);
  }
  return app;
}

/** The route table as the tests and the OpenAPI document see it. */
export { buildRoutes };
