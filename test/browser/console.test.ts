// The web console in Debian's Chromium (playwright-core), against the real API on a listening
// port, the real ledger, SMTP receiver, a time-skipping Temporal server and the real workers.
// The office sets up a round in the wizard; the round is driven to rectification; the unit head
// signs in by the e-mailed link and reports progress with an evidence file; the office closes the
// item and the dashboard's rate moves from 0.00% to 50.00%. Other roles' pages render.
// Screenshots of every page visited go to test-artifacts/screenshots/.
import { driveToRectification } from '../../src/client/drive';
import { savePool } from '../../src/ledger/pools';
import { eventually, uid, waitForMail } from '../support/helpers';
import { DAY, problem } from '../support/lifecycle';
import { browserSuite, shot, textAfterReloads, visible } from './support';

const s = browserSuite();
const rid = uid('web');
const unitA = `cz-${rid}`;
const unitB = `sl-${rid}`;
const HEAD = { personId: `head-${rid}`, name: '张局长', email: `head.${rid}@unit.example.cn` };
const LEADER = `0lead-${rid}`; // sorts first among equally matched leaders in the shared pool
const PETITION = '举报财政局公务卡整改弄虚作假';
const INFORMANT = '钱多多举报人';
const TITLES = { p1: '公务卡报销不规范', p2: '会议记录不全' };

beforeAll(async () => {
  await savePool(s.h.pool, [
    { personId: LEADER, name: '组长欧阳', pool: 'leader', expertise: ['discipline', 'organisation', 'finance'], homeCounty: '西县', relations: [{ unitId: unitB, relation: '子女在该单位任职' }] },
    { personId: `0talent-${rid}`, name: '成员司马', pool: 'talent', expertise: ['finance', 'audit'], homeCounty: '西县' },
    // Free for a swap into unit A (declared relations keep them out of unit B's group) …
    ...['甲', '乙', '丙', '丁', '戊'].map((n, i) => ({
      personId: `0law${i}-${rid}`,
      name: `法律${n}`,
      pool: 'talent' as const,
      expertise: ['law' as const],
      homeCounty: '西县',
      relations: [{ unitId: unitB, relation: '配偶在该单位任职' }],
    })),
    // … and one who once worked in unit A: swapping him in is refused.
    { personId: `0avoid-${rid}`, name: '成员上官', pool: 'talent', expertise: ['law'], homeCounty: '西县', currentUnitId: unitA, relations: [{ unitId: unitB, relation: '曾任职' }] },
  ]);
});

test('office wizard → unit head reports progress with evidence → office closes → the rate changes', async () => {
  const t0 = Date.now();
  // ---- the office signs in with a token and sets up the round in the wizard
  const office = await s.newPage();
  await office.goto(`${s.base}/login`);
  await shot(office, '01-login');
  await s.tokenLogin(office, { sub: `office-${rid}`, name: '巡察办王主任', role: 'office', scope: {} }, 'rounds-page');
  expect(await office.getByTestId('who').textContent()).toBe('巡察办王主任（巡察办）');
  await shot(office, '02-office-rounds');

  await office.getByTestId('new-round').click();
  await visible(office, 'wizard');
  await office.getByTestId('field-name').fill('县委第十轮巡察');
  await office.getByTestId('field-roundId').fill(rid);
  await office.getByTestId('field-contacts.office.email').fill(`office.${rid}@xuncha.example.cn`);
  await office.getByTestId('field-contacts.disciplineCommission.name').fill('纪委监委李书记');
  await office.getByTestId('field-contacts.disciplineCommission.personId').fill(`jiwei-${rid}`);
  await office.getByTestId('field-contacts.disciplineCommission.email').fill(`jiwei.${rid}@jiwei.example.cn`);
  expect(await office.getByTestId('wizard-dates').textContent()).toMatch(/^预计进驻：\d{4}年\d+月\d+日 至 \d{4}年\d+月\d+日/);
  await shot(office, '03-wizard-step1');
  await office.getByTestId('wizard-next').click();
  // Two units in two sectors; the first head's e-mail is wrong on purpose.
  await office.getByTestId('field-units.0.name').fill('县财政局');
  await office.getByTestId('field-units.0.unitId').fill(unitA);
  await office.getByTestId('field-units.0.head.name').fill(HEAD.name);
  await office.getByTestId('field-units.0.head.personId').fill(HEAD.personId);
  await office.getByTestId('field-units.0.head.email').fill('zhang-at-example');
  await office.getByTestId('add-unit').click();
  await office.getByTestId('field-units.1.sector').selectOption('soe');
  await office.getByTestId('field-units.1.name').fill('县水利投资集团');
  await office.getByTestId('field-units.1.unitId').fill(unitB);
  await office.getByTestId('field-units.1.head.name').fill('钱董事长');
  await office.getByTestId('field-units.1.head.personId').fill(`headb-${rid}`);
  await office.getByTestId('field-units.1.head.email').fill(`headb.${rid}@unit.example.cn`);
  expect(await office.getByTestId('sector-municipal').locator('legend').textContent()).toBe('市直单位');
  expect(await office.getByTestId('sector-soe').locator('legend').textContent()).toBe('国有企业');
  await shot(office, '04-wizard-step2-units-by-sector');
  await office.getByTestId('wizard-next').click();
  await office.getByTestId('propose-groups').click();
  const groupA = office.getByTestId(`group-${unitA}`);
  await groupA.waitFor();
  expect(await groupA.textContent()).toContain('组长：组长欧阳 — 组长库人选，具备纪检监察、组织人事、财务专长，匹配县财政局（市直单位）');
  // Swap a member: someone who once worked in the unit is refused with the rule; a free person is taken.
  const firstSwap = groupA.locator('select[data-testid^="swap-in-"]').first();
  const outId = (await firstSwap.getAttribute('data-testid'))!.replace('swap-in-', '');
  const options = await firstSwap.locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
  const lawyer = options.find((v) => v.startsWith('0law'))!;
  expect(options).toContain(`0avoid-${rid}`);
  await firstSwap.selectOption(`0avoid-${rid}`);
  await office.getByTestId(`swap-${outId}`).click();
  await visible(office, `swap-error-${outId}`);
  expect(await office.getByTestId(`swap-error-${outId}`).textContent()).toContain('现在或曾在县财政局任职，按回避规定排除');
  await firstSwap.selectOption(lawyer);
  await office.getByTestId(`swap-${outId}`).click();
  await eventually(async () => (await groupA.textContent())?.includes('巡察办调整人选'));
  expect(await groupA.locator(`[data-testid="swap-in-${outId}"]`).count()).toBe(0);
  expect(await groupA.locator(`[data-testid="swap-in-${lawyer}"]`).count()).toBe(1);
  await office.getByTestId('field-units.0.group.leader.email').fill(`ouyang.${rid}@xuncha.example.cn`);
  await office.getByTestId('field-units.0.group.phone').fill('0571-88880001');
  await office.getByTestId('field-units.0.group.email').fill(`xuncha1.${rid}@xuncha.example.cn`);
  await office.getByTestId('field-units.0.group.mailbox').fill('县政府大院东门巡察信箱');
  await office.getByTestId(`group-${unitB}`).getByLabel('采纳此组并在巡察公告中公布').uncheck();
  await shot(office, '05-wizard-step3-groups');
  await office.getByTestId('wizard-next').click();
  await shot(office, '06-wizard-step4-review');
  await office.getByTestId('start-round').click();
  // Refused: the API's issue is shown beside the field, on the step that has it; nothing started.
  const emailError = office.getByTestId('err-units.0.head.email');
  await emailError.waitFor();
  expect(await emailError.textContent()).toBe('电子邮箱格式不正确（Invalid email address）');
  expect(await office.getByTestId('wizard-error').textContent()).toContain('units.0.head.email');
  expect((await s.h.pool.query('SELECT 1 FROM rounds WHERE round_id = $1', [rid])).rowCount).toBe(0);
  await shot(office, '07-wizard-field-error');
  await office.getByTestId('field-units.0.head.email').fill(HEAD.email);
  await office.getByTestId('wizard-step-4').click();
  await office.getByTestId('start-round').click();
  await visible(office, 'dashboard');
  expect(office.url()).toBe(`${s.base}/rounds/${rid}`);
  // The group accepted for unit A (with the swapped-in member) is in the ledger; unit B's, not accepted, is not.
  const members = (await s.h.pool.query('SELECT group_id, person_id, role FROM group_members WHERE round_id = $1 ORDER BY role, person_id', [rid])).rows;
  expect(new Set(members.map((m) => m.group_id))).toEqual(new Set([`group-${unitA}`]));
  expect(members.filter((m) => m.role === 'leader')).toHaveLength(1);
  expect(members.map((m) => m.person_id)).toContain(lawyer);
  expect(members.map((m) => m.person_id)).not.toContain(outId);
  expect((await s.h.pool.query('SELECT unit_ids, state FROM inspection_groups WHERE round_id = $1', [rid])).rows).toEqual([{ unit_ids: [unitA], state: 'accepted' }]);

  // ---- the inspection itself is not this test's subject: drive unit A to rectification
  await driveToRectification(s.xc, s.clock, {
    roundId: rid,
    unitId: unitA,
    preparationMs: 8 * DAY,
    stationingMs: 31 * DAY,
    problems: [problem('p1', TITLES.p1), problem('p2', TITLES.p2, 'party-building')],
    plan: (feedbackAt) =>
      (['p1', 'p2'] as const).map((problemId) => ({
        problemId,
        measures: '建立制度，逐项整改。',
        responsible: HEAD,
        deadline: new Date(Date.parse(feedbackAt) + 60 * DAY).toISOString(),
        kind: 'time-limited' as const,
      })),
  });
  await eventually(async () => (await s.h.pool.query('SELECT count(*)::int AS n FROM rectification_items WHERE round_id = $1', [rid])).rows[0].n === 2);
  // An informant alleges false rectification: the unit must never see it.
  await s.xc.unitStep(rid, unitA, 'recordPetition', {
    petitionId: 'pt1',
    by: 'inspector-chen',
    receivedVia: 'phone',
    content: PETITION,
    informant: { name: INFORMANT, phone: '13900001111' },
    allegesFalseRectificationOf: ['p2'],
  });

  const dash = `${s.base}/rounds/${rid}`;
  expect(await textAfterReloads(office, dash, 'rate-round', '0.00%')).toBe('0.00%');
  expect(await office.getByTestId(`rate-${unitA}`).textContent()).toBe('0.00%');
  expect(await office.getByTestId('items-total').textContent()).toBe('2');
  await office.getByTestId('chart-categories').locator('svg').waitFor();
  expect(await office.getByTestId('chart-categories').textContent()).toContain('财务管理制度不规范');
  // The office sees every notice, including the requests to other offices about the unit.
  expect(await office.getByTestId('notices').textContent()).toContain('【巡察前情况通报】');
  await shot(office, '08-dashboard-before');

  // ---- the unit head asks for a login link and follows it from the e-mail
  const head = await s.newPage();
  await head.goto(`${s.base}/`);
  await head.getByLabel('电子邮箱').fill(HEAD.email);
  await head.getByTestId('send-link').click();
  await visible(head, 'link-sent');
  await shot(head, '09-head-login-link-sent');
  const mail = await waitForMail(HEAD.email, '【巡察系统】登录链接');
  const link = /(http:\/\/\S+\/api\/auth\/redeem\?t=[\w-]+)/.exec(mail.text)![1]!;
  expect(link.startsWith(s.base)).toBe(true);
  await head.goto(link);
  await visible(head, 'unit-ledger');
  expect(head.url()).toBe(`${s.base}/ledger`);
  expect(await head.getByTestId('who').textContent()).toBe('张局长（被巡察单位主要负责人）');
  await visible(head, 'unit-items');
  await head.waitForLoadState('networkidle');
  expect(await head.getByTestId('unit-items').locator('tbody tr').count()).toBe(2);
  expect(await head.getByTestId('problem-list').locator('tbody tr').count()).toBe(2);
  expect(await head.getByTestId('notices').textContent()).toContain('报送县财政局巡察整改方案');
  const seenByHead: string[] = [await head.content()];
  await shot(head, '10-head-ledger');

  await head.getByTestId('item-link-p1').click();
  await visible(head, 'progress-form');
  await head.getByTestId('field-status').selectOption('mostly-done');
  await head.getByTestId('field-note').fill('已制定公务卡管理办法，逐笔清理报销凭证。');
  await head.getByTestId('evidence-file').setInputFiles({ name: '公务卡管理办法.txt', mimeType: 'text/plain', buffer: Buffer.from('公务卡管理办法（试行）已印发。') });
  await head.getByTestId('submit-progress').click();
  await visible(head, 'progress-ok');
  const history = await eventually(async () => {
    await head.reload();
    const t = await head.getByTestId('progress-history').textContent({ timeout: 5000 }).catch(() => '');
    return t?.includes('已制定公务卡管理办法') && t;
  });
  expect(history).toContain('基本完成');
  expect(history).toContain('公务卡管理办法.txt');
  expect(await head.getByTestId('evidence-files').textContent()).toContain('公务卡管理办法.txt');
  const stored = await s.h.pool.query('SELECT content FROM evidence_files WHERE round_id = $1 AND unit_id = $2 AND item_id = $3', [rid, unitA, 'p1']);
  expect(stored.rows.map((r: { content: Buffer }) => r.content.toString())).toEqual(['公务卡管理办法（试行）已印发。']);
  seenByHead.push(await head.content());
  await shot(head, '11-head-item-progress');

  // The unit head's other pages: tasks, the round's dashboard (their unit only), another unit's item.
  await head.getByTestId('nav-tasks').click();
  await visible(head, 'tasks-page');
  await head.waitForLoadState('networkidle');
  seenByHead.push(await head.content());
  await shot(head, '12-head-tasks');
  await head.goto(`${s.base}/rounds/${rid}`);
  await visible(head, 'dashboard');
  expect(await head.getByTestId('unit-rates').locator('tbody tr').count()).toBe(1);
  seenByHead.push(await head.content());
  await shot(head, '13-head-round-view');
  for (const html of seenByHead) {
    for (const secret of [PETITION, INFORMANT, '信访', unitB, '县水利投资集团', '钱董事长', '巡察前情况通报']) expect(html).not.toContain(secret);
  }
  // Typing the other unit's address gets "not found" (only the id the head typed is echoed back).
  await head.goto(`${s.base}/rounds/${rid}/units/${unitB}/items/p1`);
  await visible(head, 'error');
  expect(await head.getByTestId('error').textContent()).toMatch(/^未找到/);
  const refused = await head.content();
  for (const secret of [PETITION, INFORMANT, '县水利投资集团', '钱董事长', TITLES.p1]) expect(refused).not.toContain(secret);
  await shot(head, '14-head-other-unit-refused');

  // ---- the office closes the item on its page; the dashboard's rate moves
  await office.goto(dash);
  await office.getByTestId('item-link-p1').click();
  await visible(office, 'reconcile-form');
  expect(await office.getByTestId('progress-history').textContent()).toContain('已制定公务卡管理办法');
  await office.getByTestId('field-evidence').fill('公务卡管理办法已印发\n报销凭证已逐笔核对');
  await shot(office, '15-office-item-reconcile');
  await office.getByTestId('submit-reconcile').click();
  await visible(office, 'reconcile-ok');
  expect(await textAfterReloads(office, office.url(), 'item-state', '已销号')).toBe('已销号');
  await shot(office, '16-office-item-closed');
  expect(await textAfterReloads(office, dash, 'rate-round', '50.00%')).toBe('50.00%');
  expect(await office.getByTestId(`rate-${unitA}`).textContent()).toBe('50.00%');
  expect(await office.getByTestId('items-closed').textContent()).toBe('1');
  await shot(office, '17-dashboard-after');

  // ---- the office's inbox
  await office.getByTestId('nav-tasks').click();
  await visible(office, 'tasks-page');
  await office.waitForLoadState('networkidle');
  await shot(office, '18-office-tasks');
  console.log(`[browser] scenario ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}, 300_000);

test('the discipline commission sees transferred clues with report-back deadlines; the supervision group its checks', async () => {
  const jiwei = await s.newPage();
  await s.tokenLogin(jiwei, { sub: `jiwei-${rid}`, name: '纪委监委李书记', role: 'disciplineCommission', scope: {} }, 'clues-page');
  expect(await jiwei.getByRole('heading', { name: '问责升级（待决定）' }).count()).toBe(1);
  await shot(jiwei, '19-jiwei-clues');
  const ducha = await s.newPage();
  await s.tokenLogin(ducha, { sub: `ducha-${rid}`, name: '督查组孙组长', role: 'supervisionGroup', scope: {} }, 'checks-page');
  await shot(ducha, '20-ducha-checks');
  // A bad token is refused with the API's reason, and the console stays on the login page.
  await ducha.getByTestId('logout').click();
  await ducha.getByLabel('会话令牌').fill('not.a.token');
  await ducha.getByTestId('token-login').click();
  expect(await ducha.getByTestId('login-error').textContent()).toContain('令牌');
  expect(await ducha.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('xuncha.token'))).toBeNull();
});

test('the console is served at / with its assets; client routes fall back to the page, /api/* never does', async () => {
  const get = (p: string) => fetch(`${s.base}${p}`);
  for (const p of ['/', '/rounds/x/units/y/items/z', '/login?t=abc']) {
    const res = await get(p);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<script src="/app.js" defer></script>');
  }
  const js = await get('/app.js');
  expect(js.headers.get('content-type')).toContain('javascript');
  expect(await js.text()).toContain('巡察工作平台');
  expect((await get('/app.css')).headers.get('content-type')).toContain('text/css');
  const api = await get('/api/no-such-thing');
  expect(api.status).toBe(404);
  expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
});
