// `xuncha`: the office's and operators' command line. The same checks and code paths as the API:
// a round file passes the API's schema (RoundRequest) and group checks and is started by
// createRound; reads come from the Postgres ledger through the API's queries; tokens are signed
// with the API's signToken. Exit codes scripts can rely on:
//   0 ok · 1 invalid input (validation, refused) · 2 usage · 3 unavailable (Postgres/Temporal) · 4 not found
import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { loadConfig, DEV_API_TOKEN_SECRET, type Config } from '../config';
import { COLOUR_LABELS, ESCALATION_STEP_LABELS, UNIT_PHASE_LABELS } from '../domain/status';
import { SECTOR_LABELS } from '../domain/round';
import { formatIssues } from '../domain/validation';
import { RoundRequest } from '../domain/round-request';
import { formatFileIssue, InputFileError, parseInputFile, type InputFile } from './input-file';
import type { XunchaClient } from './xuncha-client';

export const EXIT = { ok: 0, invalid: 1, usage: 2, unavailable: 3, notFound: 4 } as const;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Binary output (an export to stdout). */
  write?(data: Buffer): void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
const usage = (m: string) => new CliError(EXIT.usage, `用法错误 (usage): ${m}`);
const invalid = (field: string, m: string) => new CliError(EXIT.invalid, `输入有误 — ${field}: ${m}`);
const notFound = (field: string, m: string) => new CliError(EXIT.notFound, `未找到 (not found) — ${field}: ${m}`);

/** Heavy modules (Temporal, pg, exceljs) are loaded only by the commands that need them. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <T>(id: string): T => require(id) as T;

// ---- arguments
interface Spec {
  usage: string;
  summary: string;
  positionals: string[];
  flags: Record<string, 'bool' | 'string'>;
  required?: string[];
}
interface Parsed {
  pos: string[];
  flags: Record<string, string | boolean | undefined>;
}
function parseArgs(args: string[], spec: Spec): Parsed | 'help' {
  const flags: Parsed['flags'] = {};
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') return 'help';
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const kind = spec.flags[name];
      if (!kind) throw usage(`未知选项 unknown flag --${name}\n${spec.usage}`);
      if (kind === 'bool') {
        if (inline !== undefined) throw usage(`--${name} 不带参数 takes no value`);
        flags[name] = true;
      } else {
        const v = inline ?? args[++i];
        if (v === undefined || (inline === undefined && v.startsWith('--'))) throw usage(`--${name} 缺少参数值 needs a value\n${spec.usage}`);
        flags[name] = v;
      }
    } else pos.push(a);
  }
  if (pos.length < spec.positionals.length) throw usage(`缺少参数 missing <${spec.positionals[pos.length]}>\n${spec.usage}`);
  if (pos.length > spec.positionals.length) throw usage(`多余的参数 unexpected argument "${pos[spec.positionals.length]}"\n${spec.usage}`);
  for (const r of spec.required ?? []) if (flags[r] === undefined) throw usage(`缺少选项 missing --${r}\n${spec.usage}`);
  return { pos, flags };
}

// ---- connections (made only when a command needs them; failures are exit 3 with what and where)
interface Ctx {
  io: Required<Pick<CliIo, 'out' | 'err'>> & CliIo;
  config: Config;
  cwd: string;
  closers: (() => Promise<unknown>)[];
  pool?: Pool;
  xc?: XunchaClient;
}
const redactUrl = (u: string) => u.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');

async function ledger(ctx: Ctx): Promise<Pool> {
  if (ctx.pool) return ctx.pool;
  const { Pool: PgPool } = load<typeof import('pg')>('pg');
  const pool = new PgPool({ connectionString: ctx.config.DATABASE_URL, max: 2, connectionTimeoutMillis: 5000, application_name: 'xuncha-cli' });
  pool.on('error', () => undefined);
  ctx.closers.push(() => pool.end());
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    throw new CliError(EXIT.unavailable, `服务暂不可用 — 台账数据库无法连接 (PostgreSQL at ${redactUrl(ctx.config.DATABASE_URL)} is unreachable: ${(e as Error).message})；请检查 DATABASE_URL 或稍后重试`);
  }
  ctx.pool = pool;
  return pool;
}
async function temporal(ctx: Ctx): Promise<XunchaClient> {
  if (ctx.xc) return ctx.xc;
  const { XunchaClient } = load<typeof import('./xuncha-client')>('./xuncha-client');
  try {
    const xc = await XunchaClient.connect(ctx.config, { connectTimeoutMs: 5000 });
    ctx.closers.push(() => xc.client.connection.close());
    await xc.client.connection.withDeadline(Date.now() + 5000, () => xc.client.workflowService.getSystemInfo({}));
    ctx.xc = xc;
    return xc;
  } catch (e) {
    throw new CliError(EXIT.unavailable, `服务暂不可用 — Temporal 工作流服务无法连接 (Temporal at ${ctx.config.TEMPORAL_ADDRESS} is unreachable: ${(e as Error).message.split('\n')[0]})；请检查 TEMPORAL_ADDRESS 或稍后重试`);
  }
}

// ---- output
/** Display width: CJK and full-width characters take two columns. */
const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - width(s)));
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));
/** A date as the office writes it, China time: 2026-12-01. */
const ymd = (v: unknown) => (v ? new Date(new Date(String(v)).getTime() + 8 * 3600_000).toISOString().slice(0, 10) : '');
const label = (m: Readonly<Record<string, string>>, k: unknown) => (k ? (m[String(k)] ?? String(k)) : '');
const json = (ctx: Ctx, v: unknown) => ctx.io.out(JSON.stringify(v, null, 2));

// ---- input files
function readInput(ctx: Ctx, file: string): InputFile {
  const full = path.resolve(ctx.cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound('file', `找不到文件 ${file}`);
    throw invalid('file', `无法读取文件 ${file} (${(e as Error).message})`);
  }
  return parseInputFile(file, text);
}
/** A ValidationError's issues placed in the file they came from. */
function placeIssues(input: InputFile, e: unknown): never {
  const err = e as Error & { issues?: { path: string; message: string }[] };
  if (err?.name === 'ValidationError' && err.issues?.length) {
    const issues = input.issues(err.issues).sort((a, b) => a.line - b.line || a.col - b.col);
    throw new InputFileError(issues);
  }
  throw e;
}

// ---- commands
type Handler = (ctx: Ctx, a: Parsed) => Promise<number>;
interface Command extends Spec {
  run: Handler;
}

const roundCreate: Handler = async (ctx, a) => {
  const input = readInput(ctx, a.pos[0]!);
  // The API's schema first: nothing is connected to for a file that cannot be right.
  const parsed = RoundRequest.safeParse(input.data);
  if (!parsed.success) placeIssues(input, { name: 'ValidationError', issues: formatIssues(parsed.error.issues) });
  const { checkRoundRequest, createRound } = load<typeof import('./rounds')>('./rounds');
  const needsLedger = !!parsed.data.groups?.length;
  const pool = needsLedger || !a.flags['dry-run'] ? await ledger(ctx) : undefined;
  const by = str(a.flags.by) || 'cli';
  if (a.flags['dry-run']) {
    const r = await checkRoundRequest(pool, input.data).catch((e) => placeIssues(input, e));
    const summary = { valid: true, dryRun: true, roundId: r.roundId, name: r.name, units: r.units.length, groups: r.groups?.length ?? 0 };
    if (a.flags.json) json(ctx, summary);
    else ctx.io.out(`校验通过 (valid, dry run — nothing changed): ${r.roundId}「${r.name}」，被巡察单位 ${r.units.length} 个，巡察组 ${summary.groups} 个`);
    return EXIT.ok;
  }
  // Groups are checked against the pools before Temporal is even connected to.
  if (needsLedger) await checkRoundRequest(pool, input.data).catch((e) => placeIssues(input, e));
  const xc = await temporal(ctx);
  const created = await createRound({ pool: pool!, xc }, input.data, by).catch((e) => placeIssues(input, e));
  const out = { roundId: parsed.data.roundId, ...created };
  if (a.flags.json) json(ctx, out);
  else ctx.io.out(`${created.alreadyStarted ? '该轮巡察已在运行 (already started)' : '已部署巡察轮次 (round started)'}: ${out.roundId} → ${created.workflowId}；写入巡察组 ${created.groups} 个`);
  return EXIT.ok;
};

const roundStatus: Handler = async (ctx, a) => {
  const roundId = a.pos[0]!;
  const Q = load<typeof import('../api/queries')>('../api/queries');
  const pool = await ledger(ctx);
  const detail = (await Q.roundDetail(pool, roundId, null, true)) as Record<string, unknown> | undefined;
  if (!detail) throw notFound('roundId', `没有此轮巡察 no round "${roundId}"`);
  const stats = await Q.statistics(pool, roundId, null);
  if (a.flags.json) return json(ctx, { round: detail, statistics: stats }), EXIT.ok;
  const r = stats.round;
  ctx.io.out(
    [
      `轮次：${str(detail.round_id)}「${str(detail.name)}」  阶段：${str(detail.phase)}  开始：${ymd(detail.started_at)}`,
      `被巡察单位 ${r.units} 个；整改事项 ${r.items} 项，已销号 ${r.itemsClosed} 项，逾期 ${r.itemsOverdue} 项，升级 ${r.escalations} 次；整改率 ${r.ratePercent.toFixed(2)}%`,
      '',
      table(
        ['单位编号', '单位', '领域', '阶段', '事项', '已销号', '逾期', '升级', '整改率', '红/黄/绿'],
        stats.units.map((u) => [u.unitId, u.unitName, label(SECTOR_LABELS, u.sector), label(UNIT_PHASE_LABELS, u.phase), String(u.items), String(u.itemsClosed), String(u.itemsOverdue), String(u.escalations), `${u.ratePercent.toFixed(2)}%`, `${u.colours.red ?? 0}/${u.colours.yellow ?? 0}/${u.colours.green ?? 0}`]),
      ),
    ].join('\n'),
  );
  return EXIT.ok;
};

async function knownRound(pool: Pool, roundId: string | undefined): Promise<void> {
  if (roundId === undefined) return;
  const { rowCount } = await pool.query('SELECT 1 FROM rounds WHERE round_id = $1', [roundId]);
  if (!rowCount) throw notFound('--round', `没有此轮巡察 no round "${roundId}"`);
}

const overdue: Handler = async (ctx, a) => {
  const Q = load<typeof import('../api/queries')>('../api/queries');
  const pool = await ledger(ctx);
  const only = a.flags.round as string | undefined;
  await knownRound(pool, only);
  const rounds = only ? [only] : (await Q.listRounds(pool, null, null)).map((r) => String(r.round_id));
  const items = (await Promise.all(rounds.map((r) => Q.listItems(pool, r, null, { overdue: true, status: 'open' })))).flat();
  if (a.flags.json) return json(ctx, { items }), EXIT.ok;
  const days = (d: unknown) => String(Math.max(0, Math.floor((Date.now() - Date.parse(String(d))) / 86_400_000)));
  ctx.io.out(
    items.length === 0
      ? '没有逾期未完成的整改事项 (no overdue items)'
      : `逾期未完成的整改事项 ${items.length} 项\n` +
          table(
            ['轮次', '单位', '事项', '问题表现', '整改时限', '亮灯', '责任人', '逾期天数'],
            items.map((i) => [str(i.round_id), str(i.unit_id), str(i.item_id), str(i.title), ymd(i.deadline), label(COLOUR_LABELS, i.colour), str(i.responsible_name), days(i.deadline)]),
          ),
  );
  return EXIT.ok;
};

const escalations: Handler = async (ctx, a) => {
  const Q = load<typeof import('../api/queries')>('../api/queries');
  const pool = await ledger(ctx);
  const only = a.flags.round as string | undefined;
  await knownRound(pool, only);
  const items = await Q.escalations(pool, only ?? null);
  if (a.flags.json) return json(ctx, { items }), EXIT.ok;
  ctx.io.out(
    items.length === 0
      ? '没有升级事项 (no escalations)'
      : `升级事项 ${items.length} 项\n` +
          table(
            ['轮次', '单位', '事项', '升级步骤', '提出时间', '状态', '处理'],
            items.map((e) => [str(e.round_id), str(e.unit_id), str(e.item_id), label(ESCALATION_STEP_LABELS, e.step), ymd(e.raised_at), str(e.state), str(e.decision)]),
          ),
  );
  return EXIT.ok;
};

const exportLedger: Handler = async (ctx, a) => {
  const roundId = a.pos[0]!;
  const format = String(a.flags.format);
  if (!['xlsx', 'csv', 'json'].includes(format)) throw invalid('--format', `须为 xlsx、csv 或 json (must be xlsx, csv or json), got "${format}"`);
  const pool = await ledger(ctx);
  await knownRound(pool, roundId).catch(() => {
    throw notFound('roundId', `没有此轮巡察 no round "${roundId}"`);
  });
  const X = load<typeof import('../exports/ledger-xlsx')>('../exports/ledger-xlsx');
  const unitId = a.flags.unit as string | undefined;
  let data: Buffer;
  if (format === 'xlsx') data = await X.buildLedgerWorkbook(pool, roundId, unitId ? { unitId } : {});
  else {
    const t = await X.ledgerTable(pool, roundId, unitId ? { unitId } : {});
    data =
      format === 'csv'
        ? Buffer.from(`\ufeff${[t.headers, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`, 'utf8')
        : Buffer.from(`${JSON.stringify({ title: t.title, summary: t.summary, items: t.rows.map((r) => Object.fromEntries(t.headers.map((h, i) => [h, r[i]]))) }, null, 2)}\n`, 'utf8');
  }
  const out = (a.flags.out as string | undefined) ?? (format === 'xlsx' ? `ledger-${roundId}.xlsx` : undefined);
  if (out) {
    fs.writeFileSync(path.resolve(ctx.cwd, out), data);
    ctx.io.err(`已导出整改台账 (exported): ${out}`);
  } else if (ctx.io.write) ctx.io.write(data);
  else ctx.io.out(data.toString('utf8'));
  return EXIT.ok;
};
/** RFC 4180: quote a cell holding a comma, a quote or a line break; a leading = + - @ is neutralised for Excel. */
function csvCell(v: string | number): string {
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const TTL = /^(\d{1,6})(s|m|h|d)$/;
const token: Handler = async (ctx, a) => {
  const { Role, Scope, signToken } = load<typeof import('../api/auth')>('../api/auth');
  const role = Role.safeParse(a.flags.role);
  if (!role.success) throw invalid('--role', `须为 ${Role.options.join('|')} (unknown role "${str(a.flags.role)}")`);
  const scope = Scope.safeParse({ roundId: a.flags.round, unitId: a.flags.unit, groupId: a.flags.group });
  if (!scope.success) throw invalid(`--${formatIssues(scope.error.issues)[0]!.path.replace('Id', '')}`, formatIssues(scope.error.issues)[0]!.message);
  if ((role.data === 'unitHead' || role.data === 'inspectionGroup') && !scope.data.roundId) throw invalid('--round', `${role.data} 令牌须限定轮次 (a ${role.data} token needs --round)`);
  if (role.data === 'unitHead' && !scope.data.unitId) throw invalid('--unit', '被巡察单位主要负责人令牌须限定单位 (a unitHead token needs --unit)');
  if (scope.data.unitId && !scope.data.roundId) throw invalid('--round', '限定单位时须同时限定轮次 (--unit needs --round)');
  const ttl = TTL.exec(String(a.flags.ttl ?? '8h'));
  const seconds = ttl ? Number(ttl[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[ttl[2] as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!ttl || seconds < 60 || seconds > 30 * 86_400) throw invalid('--ttl', `须为 1m 至 30d 的时长，如 8h (must be like 8h, 1m to 30d), got "${str(a.flags.ttl)}"`);
  const claims = { sub: String(a.flags.person), name: String(a.flags.name ?? a.flags.person), role: role.data, scope: scope.data };
  let t: string;
  try {
    t = signToken(claims, ctx.config.API_TOKEN_SECRET, seconds);
  } catch (e) {
    const issue = formatIssues((e as import('zod').ZodError).issues ?? [])[0];
    throw invalid(issue?.path === 'sub' ? '--person' : `--${issue?.path ?? 'person'}`, issue?.message ?? (e as Error).message);
  }
  if (ctx.config.API_TOKEN_SECRET === DEV_API_TOKEN_SECRET) ctx.io.err('警告 (warning): API_TOKEN_SECRET 未设置，令牌用开发密钥签名，仅供开发使用 (signed with the development secret)');
  if (a.flags.json) json(ctx, { token: t, role: role.data, scope: scope.data, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() });
  else ctx.io.out(t);
  return EXIT.ok;
};

// ---- the earlier commands, kept for the demo and operators' scripts
const legacyStatus: Handler = async (ctx, a) => {
  const roundId = a.pos[0]!;
  const xc = await temporal(ctx);
  const round = await xc.roundStatus(roundId).catch((e: Error) => {
    if (e.name === 'WorkflowNotFoundError') throw notFound('roundId', `没有此轮巡察流程 no round workflow "${roundId}"`);
    throw e;
  });
  const units = await Promise.all(round.units.map((u) => xc.unitStatus(roundId, u.unitId).catch(() => u)));
  json(ctx, { ...round, units });
  return EXIT.ok;
};
const recordProblem: Handler = async (ctx, a) => {
  const [roundId, unitId, file] = a.pos as [string, string, string];
  const input = readInput(ctx, file);
  const xc = await temporal(ctx);
  json(ctx, await xc.recordProblem(roundId, unitId, input.data).catch((e) => placeIssues(input, e)));
  return EXIT.ok;
};
const closeItem: Handler = async (ctx, a) => {
  const [roundId, unitId, itemId] = a.pos as [string, string, string];
  const xc = await temporal(ctx);
  const evidence = a.flags.evidence as string | undefined;
  json(ctx, await xc.closeItem(roundId, unitId, itemId, { closedBy: a.flags.by, evidence: evidence ? [evidence] : undefined }));
  return EXIT.ok;
};

const COMMANDS: Record<string, Command> = {
  'round create': {
    usage: 'xuncha round create <file.yaml|file.json> [--dry-run] [--json] [--by <personId>]',
    summary: '按文件部署一轮巡察（先校验；--dry-run 只校验，不作任何改动）',
    positionals: ['file'],
    flags: { 'dry-run': 'bool', json: 'bool', by: 'string' },
    run: roundCreate,
  },
  'round status': {
    usage: 'xuncha round status <roundId> [--json]',
    summary: '轮次状态：各单位阶段、整改率、逾期、升级（读台账）',
    positionals: ['roundId'],
    flags: { json: 'bool' },
    run: roundStatus,
  },
  overdue: {
    usage: 'xuncha overdue [--round <roundId>] [--json]',
    summary: '逾期未完成的整改事项',
    positionals: [],
    flags: { round: 'string', json: 'bool' },
    run: overdue,
  },
  escalations: {
    usage: 'xuncha escalations [--round <roundId>] [--json]',
    summary: '升级事项（亮红灯、催办、约谈、移送问责…）',
    positionals: [],
    flags: { round: 'string', json: 'bool' },
    run: escalations,
  },
  export: {
    usage: 'xuncha export <roundId> --format xlsx|csv|json [--out <file>] [--unit <unitId>]',
    summary: '导出整改台账（xlsx 默认写入 ledger-<roundId>.xlsx；csv 带 BOM，Excel 可直接打开）',
    positionals: ['roundId'],
    flags: { format: 'string', out: 'string', unit: 'string' },
    required: ['format'],
    run: exportLedger,
  },
  token: {
    usage: 'xuncha token --role <role> --person <personId> [--name <姓名>] [--round <roundId> [--unit <unitId>] | --group <groupId>] [--ttl 8h] [--json]',
    summary: '签发 API 令牌（API_TOKEN_SECRET 签名）',
    positionals: [],
    flags: { role: 'string', person: 'string', name: 'string', round: 'string', unit: 'string', group: 'string', ttl: 'string', json: 'bool' },
    required: ['role', 'person'],
    run: token,
  },
  'start-round': {
    usage: 'xuncha start-round <round.json|round.yaml> [--by <personId>]',
    summary: '（旧命令）同 round create --json',
    positionals: ['file'],
    flags: { by: 'string' },
    run: (ctx, a) => roundCreate(ctx, { ...a, flags: { ...a.flags, json: true } }),
  },
  status: {
    usage: 'xuncha status <roundId>',
    summary: '流程实时状态（查询工作流，JSON）',
    positionals: ['roundId'],
    flags: {},
    run: legacyStatus,
  },
  'record-problem': {
    usage: 'xuncha record-problem <roundId> <unitId> <problem.json|problem.yaml>',
    summary: '登记问题底稿',
    positionals: ['roundId', 'unitId', 'file'],
    flags: {},
    run: recordProblem,
  },
  'close-item': {
    usage: 'xuncha close-item <roundId> <unitId> <itemId> --by <personId> --evidence <text>',
    summary: '对账销号',
    positionals: ['roundId', 'unitId', 'itemId'],
    flags: { by: 'string', evidence: 'string' },
    required: ['by', 'evidence'],
    run: closeItem,
  },
};

export const USAGE = [
  '用法 / usage: xuncha <command> [options]   (xuncha <command> --help)',
  '',
  ...Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`),
  '',
  '退出码 exit codes: 0 成功 ok · 1 输入有误 invalid input · 2 用法错误 usage · 3 服务不可用 unavailable · 4 未找到 not found',
].join('\n');

function commandOf(argv: string[]): [Command, string[]] | undefined {
  const two = `${argv[0]} ${argv[1]}`;
  if (COMMANDS[two]) return [COMMANDS[two], argv.slice(2)];
  const one = argv[0] && !argv[0].includes(' ') ? COMMANDS[argv[0]] : undefined;
  return one ? [one, argv.slice(1)] : undefined;
}

/** The whole CLI as a function: what `main` runs, and what tests call in-process. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const ctx: Ctx = { io: io as Ctx['io'], config: undefined as unknown as Config, cwd: io.cwd ?? process.cwd(), closers: [] };
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      (argv.length ? io.out : io.err)(USAGE);
      return argv.length ? EXIT.ok : EXIT.usage;
    }
    const found = commandOf(argv);
    if (!found) {
      const sub = argv[0] === 'round' ? `round ${argv[1] ?? ''}`.trim() : argv[0];
      throw usage(`未知命令 unknown command "${sub}"\n${USAGE}`);
    }
    const [cmd, rest] = found;
    const args = parseArgs(rest, cmd);
    if (args === 'help') {
      io.out(`${cmd.usage}\n  ${cmd.summary}`);
      return EXIT.ok;
    }
    try {
      ctx.config = loadConfig(io.env ?? process.env);
    } catch (e) {
      throw new CliError(EXIT.invalid, `配置有误 — ${(e as Error).message}`);
    }
    return await cmd.run(ctx, args);
  } catch (e) {
    const code = reportError(io, e);
    return code;
  } finally {
    for (const close of ctx.closers.reverse()) await close().catch(() => undefined);
  }
}

function reportError(io: CliIo, e: unknown): number {
  if (e instanceof CliError) {
    io.err(e.message);
    return e.code;
  }
  if (e instanceof InputFileError) {
    io.err(`输入有误 (invalid input) — ${e.issues.length} 处:\n${e.issues.map(formatFileIssue).join('\n')}`);
    return EXIT.invalid;
  }
  const err = e as Error & { issues?: { path: string; message: string }[]; code?: unknown };
  if (err?.name === 'ValidationError') {
    const notFoundWf = err.issues?.some((i) => i.path === 'id' && i.message === 'not found');
    io.err(`${notFoundWf ? '未找到 (not found)' : '输入有误 (invalid input)'} — ${err.message}`);
    return notFoundWf ? EXIT.notFound : EXIT.invalid;
  }
  // Servers that went away mid-command.
  const text = `${err?.name ?? ''} ${err?.message ?? String(e)}`;
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated|14 UNAVAILABLE|ServiceError|TransportError/.test(text)) {
    io.err(`服务暂不可用 (unavailable) — ${err?.message ?? String(e)}`);
    return EXIT.unavailable;
  }
  io.err(`失败 (failed) — ${err?.message ?? String(e)}`);
  return EXIT.invalid;
}

export async function main(argv: string[]): Promise<number> {
  return runCli(argv, {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    write: (b) => process.stdout.write(b),
  });
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Should a library keep the event loop alive, leave anyway once the output is written.
    setTimeout(() => process.exit(code), 200).unref();
  });
}
