// A notice as a printable page (打印版): a self-contained A4 HTML document in the style of an
// official document — red heading (红头), document number (文号), title, recipient, body, signature
// and date — with no external resources. The body is rendered again from the notice's template in
// src/domain/templates.ts with the facts stored beside it (notices.context, migration 008); older
// rows without them are rebuilt from the ledger (item title and deadline) and say so.
// The API serves it at GET /api/notices/:noticeId/print after its own visibility checks.
import type { Pool } from 'pg';
import { z } from 'zod';
import { ApiError } from '../api/errors';
import { NoticeTemplate } from '../domain/policy';
import { escapeHtml, fmtDate, noticeBody, NOTICE_SIGNATURE, type NoticeContext } from '../domain/templates';
import { noticeNames } from '../ledger/notices';

/** Notices that are for internal eyes only (spot-check plans, clues, referrals, information requests). */
export const INTERNAL_TEMPLATES: ReadonlySet<string> = new Set(['spot-check-plan', 'clue-transfer', 'clue-reminder', 'clue-overdue', 'discipline-referral', 'info-request']);

const Stored = z.object({
  itemTitle: z.string().optional(),
  deadline: z.string().optional(),
  data: z.record(z.string(), z.string()).optional(),
  link: z.string().optional(),
});

interface NoticeRecord {
  notice_id: string;
  round_id: string | null;
  unit_id: string | null;
  item_id: string | null;
  template: string;
  subject: string;
  created_at: Date;
  sent_at: Date | null;
  context: unknown;
  recipient_name: string | null;
  item_title: string | null;
  item_deadline: Date | null;
}

export async function renderNoticePrint(pool: Pool, noticeId: string): Promise<string> {
  const { rows } = await pool.query<NoticeRecord>(
    `SELECT n.notice_id::text, n.round_id, n.unit_id, n.item_id, n.template, n.subject, n.created_at, n.sent_at, n.context,
            p.name AS recipient_name, i.title AS item_title, i.deadline AS item_deadline
       FROM notices n
       LEFT JOIN people p ON p.person_id = n.recipient_person_id
       LEFT JOIN rectification_items i ON i.round_id = n.round_id AND i.unit_id = n.unit_id AND i.item_id = n.item_id
      WHERE n.notice_id = $1`,
    [noticeId],
  );
  const n = rows[0];
  if (!n) throw new ApiError('not_found', `noticeId: 没有此通知 no notice "${noticeId}"`);
  const template = NoticeTemplate.parse(n.template);
  const stored = Stored.safeParse(n.context ?? undefined);
  const rebuilt = !stored.success || n.context === null;
  const facts = stored.success && n.context !== null ? stored.data : { itemTitle: n.item_title ?? undefined, deadline: n.item_deadline?.toISOString() };
  const names = n.round_id ? await noticeNames(pool, n.round_id, n.unit_id ?? undefined) : { roundName: '', unitName: '' };
  const ctx: NoticeContext = { recipientName: n.recipient_name ?? '', ...names, ...facts, link: facts.link ?? '' };
  const body = noticeBody(template, ctx);
  const issued = n.sent_at ?? n.created_at;
  const docNo = `巡办通〔${new Date(issued.getTime() + 8 * 3600_000).getUTCFullYear()}〕${n.notice_id}号`;
  const e = escapeHtml;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(n.subject)}</title>
<style>
  @page { size: A4; margin: 37mm 26mm 35mm 28mm; }
  html { background: #fff; }
  body { margin: 0 auto; max-width: 156mm; color: #000; font-family: "FangSong", "STFangsong", "仿宋", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 28pt; }
  .mark { font-family: "SimHei", "STHeiti", "黑体", sans-serif; font-size: 14pt; }
  .red-head { color: #c00000; text-align: center; font-family: "SimSun", "STSong", "宋体", "Noto Serif CJK SC", serif; font-size: 26pt; line-height: 40pt; font-weight: bold; letter-spacing: 2pt; margin: 8mm 0 6mm; }
  .doc-no { text-align: center; }
  hr.red { border: 0; border-top: 2pt solid #c00000; margin: 2mm 0 10mm; }
  h1 { text-align: center; font-family: "SimSun", "STSong", "宋体", serif; font-size: 20pt; line-height: 32pt; font-weight: bold; margin: 0 0 8mm; }
  p { margin: 0; }
  .body p { text-indent: 2em; }
  .sign { text-align: right; margin-top: 14mm; }
  .entry { margin-top: 10mm; font-size: 12pt; line-height: 20pt; color: #333; word-break: break-all; }
  .note { font-size: 10.5pt; color: #666; }
  @media print { .note { display: none; } }
</style>
</head>
<body>
${INTERNAL_TEMPLATES.has(template) ? '<p class="mark">内部资料 注意保密</p>\n' : ''}<div class="red-head">${e(NOTICE_SIGNATURE)}</div>
<p class="doc-no">${e(docNo)}</p>
<hr class="red">
<h1>${e(n.subject)}</h1>
<p class="recipient">${e(ctx.recipientName)}同志：</p>
<div class="body">
${body.lines.map((l) => `<p>${e(l)}</p>`).join('\n')}
</div>
<p class="sign">${e(NOTICE_SIGNATURE)}</p>
<p class="sign date">${e(fmtDate(issued.toISOString()))}</p>
${ctx.link ? `<p class="entry">办理入口：${e(ctx.link)}</p>\n` : ''}${rebuilt ? '<p class="note">（本通知据台账重新生成：发送时的模板数据未留存，个别内容可能不全。）</p>\n' : ''}</body>
</html>
`;
}
