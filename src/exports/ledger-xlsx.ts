// 整改台账 as an Excel workbook (exceljs), laid out like an office's paper ledger: a title row, the
// round and the date it was drawn up, then one row per rectification item with its unit, problem,
// measures, person responsible, deadline, colour, progress and whether it has been closed (销号).
// The API serves it at GET /api/rounds/:roundId/ledger.xlsx; a unit's export holds its rows only.
import ExcelJS from 'exceljs';
import type { Pool } from 'pg';
import { ITEM_KIND_LABELS, PROGRESS_LABELS } from '../domain/lifecycle';
import { CATEGORY_LABELS } from '../domain/problem';
import { SECTOR_LABELS } from '../domain/round';
import { COLOUR_LABELS } from '../domain/status';

interface LedgerRow {
  unit_name: string;
  sector: string;
  item_id: string;
  category: string | null;
  title: string;
  measures: string;
  responsible_name: string | null;
  deadline: Date;
  kind: string;
  colour: string;
  progress: string | null;
  overdue: boolean;
  state: string;
  closed_at: Date | null;
  latest_note: string | null;
}

const label = (map: Readonly<Record<string, string>>, k: string | null) => (k ? (map[k] ?? k) : '');
/** A date as the ledger writes it (China time): 2026-12-01. */
const ymd = (d: Date | null) => (d ? new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10) : '');

const COLUMNS: { header: string; width: number; value: (r: LedgerRow) => string | number }[] = [
  { header: '序号', width: 6, value: () => 0 },
  { header: '被巡察单位', width: 18, value: (r) => r.unit_name },
  { header: '领域', width: 12, value: (r) => label(SECTOR_LABELS, r.sector) },
  { header: '问题类别', width: 18, value: (r) => label(CATEGORY_LABELS, r.category) },
  { header: '问题表现', width: 30, value: (r) => r.title },
  { header: '整改措施', width: 36, value: (r) => r.measures },
  { header: '责任人', width: 10, value: (r) => r.responsible_name ?? '' },
  { header: '整改时限', width: 12, value: (r) => ymd(r.deadline) },
  { header: '整改类型', width: 10, value: (r) => label(ITEM_KIND_LABELS, r.kind) },
  { header: '亮灯', width: 8, value: (r) => (r.state === 'closed' ? '' : label(COLOUR_LABELS, r.colour)) },
  { header: '完成情况', width: 10, value: (r) => label(PROGRESS_LABELS, r.progress) || '未报送' },
  { header: '最新进展', width: 36, value: (r) => r.latest_note ?? '' },
  { header: '整改状态', width: 10, value: (r) => (r.state === 'closed' ? '已销号' : r.overdue ? '逾期未完成' : '整改中') },
  { header: '销号时间', width: 12, value: (r) => ymd(r.closed_at) },
];

export interface LedgerTable {
  title: string;
  /** 制表日期, item count, closed count and rate, as the sheet's second line says it. */
  summary: string;
  headers: string[];
  rows: (string | number)[][];
}

/** The ledger's rows as the office's 台账 lays them out: the workbook, the CLI's CSV and JSON share it. */
export async function ledgerTable(pool: Pool, roundId: string, opts: { unitId?: string } = {}): Promise<LedgerTable> {
  const { rows: rounds } = await pool.query<{ name: string }>('SELECT name FROM rounds WHERE round_id = $1', [roundId]);
  const { rows } = await pool.query<LedgerRow>(
    `SELECT u.name AS unit_name, u.sector, i.item_id, p.category, i.title, i.measures, pe.name AS responsible_name, i.deadline, i.kind, i.colour,
            i.progress, i.overdue, i.state, i.closed_at,
            (SELECT pr.note FROM progress_reports pr WHERE pr.round_id = i.round_id AND pr.unit_id = i.unit_id AND pr.item_id = i.item_id
              ORDER BY pr.generation DESC, pr.seq DESC LIMIT 1) AS latest_note
       FROM rectification_items i
       JOIN units u ON u.unit_id = i.unit_id
       LEFT JOIN problems p ON p.round_id = i.round_id AND p.unit_id = i.unit_id AND p.problem_id = i.problem_id
       LEFT JOIN people pe ON pe.person_id = i.responsible_person_id
      WHERE i.round_id = $1 AND ($2::text IS NULL OR i.unit_id = $2)
      ORDER BY u.sector, u.name, i.deadline, i.item_id`,
    [roundId, opts.unitId ?? null],
  );
  const title = `${rounds[0]?.name ?? roundId}${opts.unitId && rows[0] ? ` · ${rows[0].unit_name}` : ''} 巡察整改台账`;
  const closed = rows.filter((r) => r.state === 'closed').length;
  const rate = rows.length ? Math.round((10_000 * closed) / rows.length) / 100 : 100;
  return {
    title,
    summary: `制表日期：${ymd(new Date())}　整改事项 ${rows.length} 项，已销号 ${closed} 项，整改率 ${rate.toFixed(2)}%`,
    headers: COLUMNS.map((c) => c.header),
    rows: rows.map((r, i) => COLUMNS.map((c, k) => (k === 0 ? i + 1 : c.value(r)))),
  };
}

export async function buildLedgerWorkbook(pool: Pool, roundId: string, opts: { unitId?: string } = {}): Promise<Buffer> {
  const t = await ledgerTable(pool, roundId, opts);
  const wb = new ExcelJS.Workbook();
  wb.creator = '巡察工作平台';
  const ws = wb.addWorksheet('整改台账', { pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = COLUMNS.map((c) => ({ width: c.width }));
  const last = COLUMNS.length;
  ws.mergeCells(1, 1, 1, last);
  Object.assign(ws.getCell(1, 1), { value: t.title, font: { size: 16, bold: true }, alignment: { horizontal: 'center' } });
  ws.mergeCells(2, 1, 2, last);
  Object.assign(ws.getCell(2, 1), { value: t.summary, alignment: { horizontal: 'right' } });
  const header = ws.addRow(t.headers);
  header.font = { bold: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF1F4' } };
  });
  t.rows.forEach((r) => ws.addRow(r));
  ws.views = [{ state: 'frozen', ySplit: 3 }];
  for (let n = 3; n <= ws.rowCount; n++) {
    ws.getRow(n).eachCell({ includeEmpty: true }, (cell) => {
      cell.border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
      cell.alignment = { vertical: 'top', wrapText: true };
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
