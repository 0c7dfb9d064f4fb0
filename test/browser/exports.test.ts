// The unit head's 整改方案 form, and 导出台账, in Debian's Chromium: the office's button downloads a
// workbook that exceljs opens with the round's items (the closed one marked 已销号, the rate in the
// heading); the unit head's button exports its own unit's rows.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { eventually } from '../support/helpers';
import { DAY, problem, roundInRectification } from '../support/lifecycle';
import { browserSuite, SHOTS, shot, visible } from './support';

const s = browserSuite();
const TITLES = { p1: '公务卡报销不规范', p2: '会议记录不全' };

/** Click `testid`, keep the download and read every row of every sheet as "a|b|c". */
async function exported(page: Page, testid: string, name: string): Promise<string[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const file = path.join(SHOTS, '..', name);
  await download.saveAs(file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const text = (v: unknown): string =>
    v && typeof v === 'object' && 'richText' in v ? (v as { richText: { text: string }[] }).richText.map((t) => t.text).join('') : v instanceof Date ? v.toISOString() : String(v ?? '');
  const rows: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map(text).join('|'))));
  return rows;
}

test('the unit head files the plan in the console; the ledger export downloads from the button and opens with exceljs holding the right rows', async () => {
  const r = await roundInRectification(s, { prefix: 'xls', problems: [problem('p1', TITLES.p1), problem('p2', TITLES.p2, 'party-building')] });
  const day = (days: number) => new Date(Date.parse(r.feedbackAt) + days * DAY + 8 * 3600_000).toISOString().slice(0, 10);

  // 整改方案 through the form: a missing measure is shown beside its field, then the plan is filed.
  const head = await s.newPage();
  await s.tokenLogin(head, { sub: r.round.units[0]!.head.personId, name: '张局长', role: 'unitHead', scope: { roundId: r.roundId, unitId: r.unitId } }, 'plan-form');
  await head.getByTestId('field-items.0.problemId').fill('p1');
  await head.getByTestId('field-items.0.deadline').fill(day(60));
  await head.getByTestId('field-items.0.responsible.email').fill(r.emails.head);
  await head.getByRole('button', { name: '增加一项' }).click();
  await head.getByTestId('field-items.1.problemId').fill('p2');
  await head.getByTestId('field-items.1.deadline').fill(day(90));
  await head.getByTestId('field-items.1.measures').fill('完善会议记录制度，专人负责。');
  await head.getByTestId('submit-plan').click();
  await visible(head, 'err-items.0.measures');
  expect(await head.getByTestId('err-items.0.measures').textContent()).toMatch(/^必填（Too small/);
  await shot(head, '21-head-plan-field-error');
  expect((await s.h.pool.query('SELECT 1 FROM rectification_plans WHERE round_id = $1', [r.roundId])).rowCount).toBe(0);
  await head.getByTestId('field-items.0.measures').fill('印发公务卡管理办法，逐笔清理。');
  await head.getByTestId('submit-plan').click();
  await visible(head, 'plan-ok');
  await eventually(async () => (await s.h.pool.query('SELECT count(*)::int AS n FROM rectification_items WHERE round_id = $1', [r.roundId])).rows[0].n === 2);
  const deadlines = (await s.h.pool.query(`SELECT item_id, deadline FROM rectification_items WHERE round_id = $1 ORDER BY item_id`, [r.roundId])).rows;
  expect(deadlines.map((d: { deadline: Date }) => new Date(d.deadline.getTime() + 8 * 3600_000).toISOString().slice(0, 10))).toEqual([day(60), day(90)]);
  await head.reload();
  await visible(head, 'unit-items');
  expect(await head.getByTestId('problem-list').textContent()).toContain('印发公务卡管理办法，逐笔清理。');
  await shot(head, '22-head-plan-filed');

  await s.xc.closeItem(r.roundId, r.unitId, 'p1', { by: 'office-wang', evidence: ['公务卡管理办法已印发'] });
  await eventually(async () => (await s.h.pool.query(`SELECT 1 FROM rectification_items WHERE round_id = $1 AND item_id = 'p1' AND state = 'closed'`, [r.roundId])).rowCount === 1);

  const office = await s.newPage();
  await s.tokenLogin(office, { sub: `office-${r.roundId}`, name: '巡察办王主任', role: 'office', scope: {} }, 'rounds-page');
  await office.goto(`${s.base}/rounds/${r.roundId}`);
  await visible(office, 'dashboard');
  const rows = await exported(office, 'export-ledger', `ledger-${r.roundId}.xlsx`);
  const p1 = rows.filter((x) => x.includes(TITLES.p1));
  const p2 = rows.filter((x) => x.includes(TITLES.p2));
  expect(p1).toHaveLength(1);
  expect(p2).toHaveLength(1);
  expect(p1[0]).toContain('已销号');
  expect(p2[0]).not.toContain('已销号');
  expect(p1[0]).toContain('县财政局|市直单位|财务管理制度不规范|公务卡报销不规范');
  expect(rows.some((x) => x.includes('整改事项 2 项，已销号 1 项，整改率 50.00%'))).toBe(true);
  await shot(office, '23-office-export');

  // 打印 a notice to the unit head from the dashboard: the printable page opens and prints to an A4 PDF.
  const { rows: n } = await s.h.pool.query(`SELECT notice_id::text AS id, subject FROM notices WHERE round_id = $1 AND recipient_role = 'unitHead' AND template = 'announcement'`, [r.roundId]);
  const [popup] = await Promise.all([office.waitForEvent('popup'), office.getByTestId(`print-notice-${n[0].id}`).click()]);
  await popup.waitForLoadState();
  expect(await popup.locator('h1').textContent()).toBe(n[0].subject);
  expect(await popup.locator('.red-head').textContent()).toBe('巡察工作领导小组办公室');
  expect(await popup.locator('.recipient').textContent()).toBe('张局长同志：');
  const pdf = await popup.pdf({ format: 'A4', preferCSSPageSize: true });
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  // One A4 page (595 x 842 points).
  expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
  expect(pdf.toString('latin1')).toMatch(/\/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]/);
  fs.writeFileSync(path.join(SHOTS, '..', `notice-${n[0].id}.pdf`), pdf);
  await shot(popup, '25-notice-print');

  // The unit head exports its own unit's ledger from the ledger page.
  await head.reload();
  await visible(head, 'unit-items');
  const own = await exported(head, 'unit-export', `ledger-${r.unitId}.xlsx`);
  expect(own.filter((x) => x.includes(TITLES.p1) || x.includes(TITLES.p2))).toHaveLength(2);
  await shot(head, '24-head-ledger-export');
});
