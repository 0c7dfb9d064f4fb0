// The `xuncha` CLI spawned as a child process against real servers: a time-skipping Temporal server
// with the real workers (in this process), the real Postgres ledger and SMTP receiver. Rounds from
// YAML and JSON (with groups persisted), line-precise errors, a dry run that changes nothing,
// status / overdue / escalations / export read back from the ledger, a token the API accepts, every
// exit code. The print-friendly notices and the groups accepted through POST /api/rounds are
// checked here too, on the same round and servers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import { signToken, type ClaimsInput } from '../../src/api/auth';
import { buildApi } from '../../src/api/server';
import { DEV_API_TOKEN_SECRET } from '../../src/config';
import { roundWorkflowId } from '../../src/domain/ids';
import { savePool } from '../../src/ledger/pools';
import { ledgerCounts, type ApiSuite } from '../api/support';
import { eventually, sampleRound, stripEmails, uid, unitOf } from '../support/helpers';
import { DAY, lifecycleSuite, problem, roundInRectification, rows } from '../support/lifecycle';
import { runBin } from './support';

const s = lifecycleSuite();
let app: FastifyInstance;
let env: NodeJS.ProcessEnv;
let dir: string;
let data: Awaited<ReturnType<typeof roundInRectification>>;
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runBin(args, { ...env, ...extra }, dir);
const write = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, name), text);
  return name;
};
/** A round file's content: the sample round with unit ids of its own, optionally with groups. */
function roundFile(roundId: string, groups?: unknown[]) {
  const r = stripEmails(sampleRound(roundId));
  return { ...r, policy: { planWithin: '15 working-days', rectificationReport: '2 months' }, ...(groups ? { groups } : {}) };
}
const counts = (roundId: string) => ledgerCounts({ h: s.h, roundId } as unknown as ApiSuite);
const workflowExists = (roundId: string) =>
  s.env.client.workflow
    .getHandle(roundWorkflowId(roundId))
    .describe()
    .then(
      () => true,
      () => false,
    );
const token = (claims: ClaimsInput) => signToken(claims, s.h.config.API_TOKEN_SECRET, 3600);

/** Pool people of this file: a leader and two members, and one who used to work in the unit. */
let poolIds: { leader: string; m1: string; m2: string; former: string };
async function seedPool(unitId: string) {
  const k = uid('p').slice(2);
  poolIds = { leader: `cl-lead-${k}`, m1: `cl-m1-${k}`, m2: `cl-m2-${k}`, former: `cl-former-${k}` };
  await savePool(s.h.pool, [
    { personId: poolIds.leader, name: '黄组长', pool: 'leader', expertise: ['discipline', 'finance'], homeCounty: '甲县' },
    { personId: poolIds.m1, name: '蔡财务', pool: 'talent', expertise: ['finance'], homeCounty: '甲县' },
    { personId: poolIds.m2, name: '唐审计', pool: 'talent', expertise: ['audit'], homeCounty: '乙县' },
    { personId: poolIds.former, name: '钱曾任', pool: 'talent', expertise: ['finance'], homeCounty: '甲县', formerUnitIds: [unitId] },
  ]);
}
const groupFor = (unitId: string, roundId: string, members = [poolIds.m1, poolIds.m2]) => ({
  unitId,
  leader: { personId: `group-${roundId}`, name: '巡察组黄组长' },
  members: members.map((personId) => ({ personId, name: personId, reasons: ['具备财务专长'] })),
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuncha-cli-'));
  env = { ...process.env, TEMPORAL_ADDRESS: s.env.address, DATABASE_URL: s.h.config.DATABASE_URL, API_TOKEN_SECRET: s.h.config.API_TOKEN_SECRET };
  app = buildApi({ pool: s.h.pool, xc: s.xc, config: s.h.config, mailer: s.h.mailer }, { console: false });
  await app.ready();
  // A round with one item 12 days overdue (红灯, 催办) and one not yet due, and a referral after 32 days.
  data = await roundInRectification(s, { prefix: 'clidata', problems: [problem('p1', '公务卡报销不规范'), problem('p2', '会议记录不全', 'party-building')], plan: [{ problemId: 'p1', days: 10 }, { problemId: 'p2', days: 200 }] });
  await s.clock.advance(42 * DAY);
  await eventually(async () => (await rows(s, `SELECT 1 FROM escalations WHERE round_id = $1 AND step = 'referral'`, [data.roundId])).length === 1, 30_000);
  await eventually(async () => (await rows(s, `SELECT 1 FROM rectification_items WHERE round_id = $1 AND overdue`, [data.roundId])).length === 1, 30_000);
  // The leader the sample round names for its unit is in the leader pool here, so a group can be accepted.
  await seedPool(data.unitId);
}, 300_000);
afterAll(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('xuncha round create', () => {
  test('the example round file passes --dry-run (the API schema and checks)', async () => {
    const r = await runBin(['round', 'create', '--dry-run', 'examples/round.yaml'], env, path.resolve(__dirname, '../..'));
    expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
    expect(r.stdout).toContain('校验通过');
    expect(r.stdout).toContain('county-2027-r10');
    expect(await workflowExists('county-2027-r10')).toBe(false);
  });

  test('from YAML: the round starts and the accepted group is in the ledger', async () => {
    const roundId = uid('cliyaml');
    const unitId = unitOf(roundId);
    await savePool(s.h.pool, [{ personId: `group-${roundId}`, name: '巡察组黄组长', pool: 'leader', expertise: ['finance'], homeCounty: '甲县' }]);
    const file = write(`${roundId}.yaml`, stringify(roundFile(roundId, [groupFor(unitId, roundId)])));
    const r = await cli(['round', 'create', file, '--json', '--by', 'office-cli']);
    expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(r.stdout)).toEqual({ roundId, workflowId: roundWorkflowId(roundId), alreadyStarted: false, groups: 1 });
    expect(await workflowExists(roundId)).toBe(true);
    await eventually(async () => (await rows(s, 'SELECT 1 FROM rounds WHERE round_id = $1', [roundId])).length === 1);
    const members = await rows(s, 'SELECT group_id, person_id, role FROM group_members WHERE round_id = $1 ORDER BY role, person_id', [roundId]);
    expect(members).toEqual([
      { group_id: `group-${unitId}`, person_id: `group-${roundId}`, role: 'leader' },
      ...[poolIds.m1, poolIds.m2].sort().map((p) => ({ group_id: `group-${unitId}`, person_id: p, role: 'member' })),
    ]);
    expect(await rows(s, 'SELECT unit_ids, state, accepted_by FROM inspection_groups WHERE round_id = $1', [roundId])).toEqual([{ unit_ids: [unitId], state: 'accepted', accepted_by: 'office-cli' }]);
    // Again: idempotent, nothing new.
    const again = await cli(['round', 'create', file, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyStarted: true, groups: 0 });
  });

  test('from JSON: the round starts', async () => {
    const roundId = uid('clijson');
    const file = write(`${roundId}.json`, JSON.stringify(roundFile(roundId), null, 2));
    const r = await cli(['round', 'create', file]);
    expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
    expect(r.stdout).toContain('已部署巡察轮次');
    expect(await workflowExists(roundId)).toBe(true);
    // The old command is the same path.
    const old = await cli(['start-round', file]);
    expect(old.code).toBe(0);
    expect(JSON.parse(old.stdout)).toMatchObject({ alreadyStarted: true });
  });

  test('errors name file:line:column, the field path and the rule', async () => {
    const yaml = [
      'roundId: Round_1', // 1:10
      'name: 县委巡察',
      'kind: regular',
      'contacts:',
      '  office: { personId: o-1, name: 王主任, email: not-an-email }', // 5:46
      '  disciplineCommission:',
      '    personId: j-1',
      '    name: 李书记',
      '    email: j@example.cn',
      'units:',
      '  - unitId: u-1', // 11:5 (the unit lacking its head)
      '    name: 县财政局',
      '    sector: bank', // 13:13
      '    colour: red', // 14:5 (unknown key)
      'policy:',
      '  planWithin: -5 days', // 16:15 (a plan due before the feedback)
      '',
    ].join('\n');
    const r = await cli(['round', 'create', write('planted.yaml', yaml)]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('planted.yaml:'));
    expect(lines.map((l) => l.split(': ').slice(0, 2).join(': '))).toEqual([
      'planted.yaml:1:10: roundId',
      'planted.yaml:5:46: contacts.office.email',
      'planted.yaml:11:5: units.0.head',
      'planted.yaml:13:13: units.0.sector',
      'planted.yaml:14:5: units.0.colour',
      'planted.yaml:16:15: policy.planWithin',
    ]);
    expect(r.stderr).toContain('须为正的时长');
    expect(r.stderr).toContain('must be a positive duration');
    // JSON on one line: columns count.
    const json = `{"roundId":"r-1","name":"x","contacts":{"office":{"personId":"o","name":"王","email":"o@example.cn"},"disciplineCommission":{"personId":"j","name":"李","email":"j@example.cn"}},"units":[{"unitId":"u-1","name":"甲","sector":"town","head":{"personId":"h","name":"张","email":"h@example.cn"}},{"unitId":"u-1","name":"乙","sector":"town","head":{"personId":"h2","name":"赵","email":"h2@example.cn"}}]}`;
    const j = await cli(['round', 'create', '--dry-run', write('dup.json', json)]);
    expect(j.code).toBe(1);
    expect(j.stderr).toContain(`dup.json:1:${json.indexOf('"u-1"', json.indexOf('乙') - 30) + 1}: units.1.unitId: 单位编号重复`);
    // A syntax error has its position too.
    const bad = await cli(['round', 'create', write('syntax.json', '{\n  "roundId": "r-1",\n  "name": "x",\n  "name": "y"\n}')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/syntax\.json:4:3: \(syntax\)/);
  });

  test('avoidance: a group member who worked in the unit is refused, naming the rule; nothing changes', async () => {
    const roundId = uid('cliavoid');
    const unitId = unitOf(roundId);
    await savePool(s.h.pool, [{ personId: `group-${roundId}`, name: '巡察组黄组长', pool: 'leader', expertise: ['finance'], homeCounty: '甲县' }]);
    await savePool(s.h.pool, [{ personId: `${poolIds.former}-x`, name: '钱曾任', pool: 'talent', expertise: ['finance'], homeCounty: '甲县', formerUnitIds: [unitId] }]);
    const before = await counts(roundId);
    const file = write(`${roundId}.yaml`, stringify(roundFile(roundId, [groupFor(unitId, roundId, [poolIds.m1, `${poolIds.former}-x`])])));
    for (const args of [['round', 'create', file], ['round', 'create', '--dry-run', file]]) {
      const r = await cli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`${roundId}\\.yaml:\\d+:\\d+: groups\\.0\\.members\\.1\\.personId: former-unit: 钱曾任现在或曾在县财政局任职`));
    }
    expect(await counts(roundId)).toEqual(before);
    expect(await workflowExists(roundId)).toBe(false);
  });

  test('--dry-run of a valid file with groups changes nothing', async () => {
    const roundId = uid('clidry');
    await savePool(s.h.pool, [{ personId: `group-${roundId}`, name: '巡察组黄组长', pool: 'leader', expertise: ['finance'], homeCounty: '甲县' }]);
    const before = await counts(roundId);
    const r = await cli(['round', 'create', '--dry-run', '--json', write(`${roundId}.yaml`, stringify(roundFile(roundId, [groupFor(unitOf(roundId), roundId)])))]);
    expect({ code: r.code, err: r.stderr }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, dryRun: true, roundId, name: '县委第九轮巡察', units: 1, groups: 1 });
    expect(await counts(roundId)).toEqual(before);
    expect(await rows(s, 'SELECT 1 FROM inspection_groups WHERE round_id = $1', [roundId])).toEqual([]);
    expect(await workflowExists(roundId)).toBe(false);
  });
});

describe('reads from the ledger', () => {
  test('round status: a table with Chinese headings, and JSON', async () => {
    const t = await cli(['round', 'status', data.roundId]);
    expect({ code: t.code, err: t.stderr }).toEqual({ code: 0, err: '' });
    expect(t.stdout).toContain('整改事项 2 项，已销号 0 项，逾期 1 项');
    expect(t.stdout).toMatch(/单位编号\s+单位\s+领域\s+阶段\s+事项\s+已销号\s+逾期/);
    expect(t.stdout).toMatch(new RegExp(`${data.unitId}\\s+县财政局\\s+市直单位\\s+\\S+\\s+2\\s+0\\s+1\\s+`));
    const j = JSON.parse((await cli(['round', 'status', data.roundId, '--json'])).stdout);
    expect(j.statistics.round).toMatchObject({ units: 1, items: 2, itemsClosed: 0, itemsOverdue: 1, ratePercent: 0 });
    expect(j.round.round_id).toBe(data.roundId);
  });

  test('overdue: only the overdue item', async () => {
    const t = await cli(['overdue', '--round', data.roundId]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('逾期未完成的整改事项 1 项');
    expect(t.stdout).toContain('公务卡报销不规范');
    expect(t.stdout).not.toContain('会议记录不全');
    const j = JSON.parse((await cli(['overdue', '--round', data.roundId, '--json'])).stdout);
    expect(j.items.map((i: { item_id: string; colour: string }) => [i.item_id, i.colour])).toEqual([['p1', 'red']]);
    // Across rounds it is there too.
    const all = JSON.parse((await cli(['overdue', '--json'])).stdout);
    expect(all.items.some((i: { round_id: string; item_id: string }) => i.round_id === data.roundId && i.item_id === 'p1')).toBe(true);
  });

  test('escalations: 催办, 约谈 and the referral of the overdue item', async () => {
    const j = JSON.parse((await cli(['escalations', '--round', data.roundId, '--json'])).stdout);
    expect(j.items.map((e: { step: string }) => e.step).sort()).toEqual(['interview', 'referral', 'urge']);
    const t = await cli(['escalations', '--round', data.roundId]);
    expect(t.stdout).toContain('升级事项 3 项');
    for (const label of ['催办', '约谈', '移送纪委监委问责']) expect(t.stdout).toContain(label);
  });

  test('export: xlsx opens with exceljs and holds the rows; csv has a BOM; json', async () => {
    const x = await cli(['export', data.roundId, '--format', 'xlsx', '--out', 'ledger.xlsx']);
    expect({ code: x.code, err: x.stderr.trim() }).toEqual({ code: 0, err: '已导出整改台账 (exported): ledger.xlsx' });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'ledger.xlsx'));
    const ws = wb.getWorksheet('整改台账')!;
    expect(String(ws.getCell(1, 1).value)).toBe('县委第九轮巡察 巡察整改台账');
    expect((ws.getRow(3).values as unknown[]).slice(1, 6)).toEqual(['序号', '被巡察单位', '领域', '问题类别', '问题表现']);
    const body = [4, 5].map((n) => (ws.getRow(n).values as unknown[]).slice(1));
    expect(body.map((r) => [r[1], r[4], r[12]])).toEqual([
      ['县财政局', '公务卡报销不规范', '逾期未完成'],
      ['县财政局', '会议记录不全', '整改中'],
    ]);
    expect(ws.rowCount).toBe(5);

    const c = await cli(['export', data.roundId, '--format', 'csv']);
    expect(c.code).toBe(0);
    expect([...c.raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = c.stdout.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(csv[0]!.split(',').slice(0, 5)).toEqual(['序号', '被巡察单位', '领域', '问题类别', '问题表现']);
    expect(csv.slice(1).map((l) => l.split(',')[4])).toEqual(['公务卡报销不规范', '会议记录不全']);

    const j = await cli(['export', data.roundId, '--format', 'json', '--out', 'ledger.json']);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, 'ledger.json'), 'utf8'));
    expect(parsed.items.map((i: Record<string, string>) => i['问题表现'])).toEqual(['公务卡报销不规范', '会议记录不全']);
  });

  test('the old status command queries the running round', async () => {
    const r = await cli(['status', data.roundId]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).units[0].unitId).toBe(data.unitId);
  });
});

describe('xuncha token', () => {
  test('a signed token the API accepts, with its scope', async () => {
    const r = await cli(['token', '--role', 'unitHead', '--person', `head-${data.roundId}`, '--name', '张局长', '--round', data.roundId, '--unit', data.unitId, '--ttl', '2h']);
    expect(r.code).toBe(0);
    // The tests sign with the development secret: the CLI says so on stderr, never on stdout.
    expect(r.stderr).toBe(s.h.config.API_TOKEN_SECRET === DEV_API_TOKEN_SECRET ? '警告 (warning): API_TOKEN_SECRET 未设置，令牌用开发密钥签名，仅供开发使用 (signed with the development secret)\n' : '');
    const res = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${r.stdout.trim()}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ personId: `head-${data.roundId}`, name: '张局长', role: 'unitHead', scope: { roundId: data.roundId, unitId: data.unitId } });
    const exp = Date.parse(res.json().expiresAt);
    expect(Math.abs(exp - Date.now() - 2 * 3600_000)).toBeLessThan(60_000);
    // Signed with another secret, the API refuses it.
    const other = await cli(['token', '--role', 'office', '--person', 'office-x'], { API_TOKEN_SECRET: 'another-secret-of-at-least-thirty-two-chars' });
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${other.stdout.trim()}` } })).statusCode).toBe(401);
  });
});

describe('exit codes', () => {
  test('0 ok, 1 invalid input, 2 usage, 3 unavailable, 4 not found — errors on stderr', async () => {
    const cases: [string[], number, RegExp, NodeJS.ProcessEnv?][] = [
      [['--help'], 0, /^$/],
      [['round', 'status', '--help'], 0, /^$/],
      [['token', '--role', 'chief', '--person', 'x'], 1, /--role: /],
      [['token', '--role', 'unitHead', '--person', 'x'], 1, /--round: /],
      [['token', '--role', 'office', '--person', 'Bad Id'], 1, /--person: /],
      [['token', '--role', 'office', '--person', 'x', '--ttl', '99y'], 1, /--ttl: /],
      [['export', data.roundId, '--format', 'pdf'], 1, /--format: /],
      [[], 2, /用法/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['round', 'delete', 'x'], 2, /unknown command "round delete"/],
      [['overdue', '--colour', 'red'], 2, /unknown flag --colour/],
      [['round', 'status'], 2, /missing <roundId>/],
      [['token', '--role', 'office'], 2, /missing --person/],
      [['export', data.roundId], 2, /missing --format/],
      [['round', 'status', data.roundId], 3, /PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nope_test is unreachable/, { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nope_test' }],
      [['round', 'create', 'examples-copy.yaml'], 3, /Temporal at 127\.0\.0\.1:1 is unreachable/, { TEMPORAL_ADDRESS: '127.0.0.1:1' }],
      [['round', 'status', 'no-such-round'], 4, /no round "no-such-round"/],
      [['overdue', '--round', 'no-such-round'], 4, /--round: /],
      [['export', 'no-such-round', '--format', 'csv'], 4, /no round/],
      [['round', 'create', 'missing.yaml'], 4, /找不到文件 missing\.yaml/],
    ];
    fs.copyFileSync(path.resolve(__dirname, '../../examples/round.yaml'), path.join(dir, 'examples-copy.yaml'));
    const got = [];
    for (const [args, , , extra] of cases) {
      const r = await cli(args, extra);
      got.push({ args: args.join(' '), code: r.code, stderrOk: true });
      const want = cases.find((c) => c[0] === args)!;
      if (!want[2].test(want[1] === 0 ? r.stderr : r.stderr)) got[got.length - 1]!.stderrOk = false;
      if (want[1] !== 0) expect(r.stderr).not.toContain('secret');
    }
    expect(got).toEqual(cases.map(([args, code]) => ({ args: args.join(' '), code, stderrOk: true })));
    expect(await workflowExists('county-2027-r10')).toBe(false);
  }, 120_000);
});

describe('print-friendly notices (GET /api/notices/:id/print)', () => {
  const print = (id: string, t?: string) => app.inject({ method: 'GET', url: `/api/notices/${id}/print`, headers: t ? { authorization: `Bearer ${t}` } : {} });
  const noticeOf = async (template: string) =>
    String((await rows(s, 'SELECT notice_id::text AS id FROM notices WHERE round_id = $1 AND template = $2 ORDER BY notice_id LIMIT 1', [data.roundId, template]))[0]!.id);
  const office = () => token({ sub: `office-${data.roundId}`, name: '王主任', role: 'office', scope: {} });
  const head = (unitId = data.unitId) => token({ sub: `head-${data.roundId}`, name: '张局长', role: 'unitHead', scope: { roundId: data.roundId, unitId } });

  test('the red notice to the unit head: an A4 page in the 红头 style with the right text, no external resources', async () => {
    const id = String((await rows(s, `SELECT notice_id::text AS id FROM notices WHERE round_id = $1 AND template = 'reminder-red' AND recipient_role = 'unitHead'`, [data.roundId]))[0]!.id);
    for (const t of [office(), head()]) {
      const res = await print(id, t);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const html = res.body;
      expect(html).toContain('@page { size: A4;');
      expect(html).toContain('<div class="red-head">巡察工作领导小组办公室</div>');
      expect(html).toMatch(new RegExp(`巡办通〔\\d{4}〕${id}号`));
      expect(html).toContain('<h1>【整改预警·红色】县财政局：“公务卡报销不规范”已逾期未完成</h1>');
      expect(html).toContain('<p class="recipient">张局长同志：</p>');
      expect(html).toContain('县委第九轮巡察反馈的整改事项“公务卡报销不规范”整改时限');
      expect(html).not.toMatch(/<(script|link|img|iframe)\b|src=|@import|url\(/i);
      expect(html).not.toContain('内部资料');
      expect(html).not.toContain('据台账重新生成');
    }
  });

  test('a notice recorded before its facts were kept (migration 008) is rebuilt from the ledger and says so', async () => {
    const red = await noticeOf('reminder-red');
    const sent = (await print(red, office())).body;
    const { rows } = await s.h.pool.query('SELECT context FROM notices WHERE notice_id = $1', [red]);
    await s.h.pool.query('UPDATE notices SET context = NULL WHERE notice_id = $1', [red]);
    try {
      const html = (await print(red, office())).body;
      expect(html).toContain('据台账重新生成');
      // The item's title and deadline come from the ledger: the body reads as it was sent.
      const body = (h: string) => h.slice(h.indexOf('<div class="body">'), h.indexOf('</div>', h.indexOf('<div class="body">')));
      expect(body(html)).toBe(body(sent));
      expect(body(html)).toContain('“公务卡报销不规范”整改时限');
    } finally {
      await s.h.pool.query('UPDATE notices SET context = $2 WHERE notice_id = $1', [red, rows[0].context]);
    }
  });

  test('a unit head never gets internal notices (referral, information request) or another unit\'s; other roles are refused', async () => {
    const referral = await noticeOf('discipline-referral');
    const info = await noticeOf('info-request');
    expect((await print(referral, office())).statusCode).toBe(200);
    expect((await print(referral, office())).body).toContain('内部资料 注意保密');
    for (const id of [referral, info]) expect((await print(id, head())).statusCode).toBe(404);
    const red = await noticeOf('reminder-red');
    expect((await print(red, head('other-unit'))).statusCode).toBe(404);
    expect((await print(red, token({ sub: `jiwei-${data.roundId}`, name: '李书记', role: 'disciplineCommission', scope: { roundId: data.roundId } }))).statusCode).toBe(403);
    expect((await print(red, token({ sub: `office-x`, name: '王', role: 'office', scope: { roundId: 'other-round' } }))).statusCode).toBe(404);
    expect((await print(red)).statusCode).toBe(401);
    expect((await print('99999999', office())).statusCode).toBe(404);
    expect((await print('abc', office())).statusCode).toBe(400);
  });

  test('escaped: a recipient name with markup is text on the page', async () => {
    const red = await noticeOf('reminder-red');
    const { rows: r } = await s.h.pool.query('SELECT recipient_person_id FROM notices WHERE notice_id = $1', [red]);
    const person = r[0].recipient_person_id as string;
    const { rows: before } = await s.h.pool.query('SELECT name FROM people WHERE person_id = $1', [person]);
    await s.h.pool.query('UPDATE people SET name = $2 WHERE person_id = $1', [person, '<b>张</b>&"局长"']);
    try {
      const html = (await print(red, office())).body;
      expect(html).toContain('&lt;b&gt;张&lt;/b&gt;&amp;&quot;局长&quot;同志：');
      expect(html).not.toContain('<b>张</b>');
    } finally {
      await s.h.pool.query('UPDATE people SET name = $2 WHERE person_id = $1', [person, before[0].name]);
    }
  });
});

describe('groups accepted in the wizard (POST /api/rounds)', () => {
  test('are persisted to inspection_groups and group_members; a refused group changes nothing', async () => {
    const roundId = uid('cliapi');
    const unitId = unitOf(roundId);
    await savePool(s.h.pool, [{ personId: `group-${roundId}`, name: '巡察组黄组长', pool: 'leader', expertise: ['finance'], homeCounty: '甲县' }]);
    const office = token({ sub: `office-${roundId}`, name: '王主任', role: 'office', scope: {} });
    const post = (body: unknown) => app.inject({ method: 'POST', url: '/api/rounds', headers: { authorization: `Bearer ${office}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const bad = await post(roundFile(roundId, [groupFor(unitId, roundId, [poolIds.m1, poolIds.leader])]));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues).toEqual([{ path: 'body.groups.0.members.1.personId', message: expect.stringContaining('is not in the talent pool') }]);
    expect(await workflowExists(roundId)).toBe(false);
    expect(await rows(s, 'SELECT 1 FROM group_members WHERE round_id = $1', [roundId])).toEqual([]);
    const res = await post(roundFile(roundId, [groupFor(unitId, roundId, [poolIds.m2])]));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ workflowId: roundWorkflowId(roundId), alreadyStarted: false, groups: 1 });
    expect(await rows(s, 'SELECT person_id, role FROM group_members WHERE round_id = $1 ORDER BY role', [roundId])).toEqual([
      { person_id: `group-${roundId}`, role: 'leader' },
      { person_id: poolIds.m2, role: 'member' },
    ]);
    const listed = await app.inject({ method: 'GET', url: `/api/groups/proposal?roundId=${roundId}`, headers: { authorization: `Bearer ${office}` } });
    expect(listed.json().items).toEqual([expect.objectContaining({ group_id: `group-${unitId}`, unit_ids: [unitId], state: 'accepted', accepted_by: `office-${roundId}` })]);
  });
});
