import type { NoticeTemplate } from './policy';

/** What every notice needs to say: whom, which item, by when, and where to act. */
export interface NoticeContext {
  recipientName: string;
  roundName: string;
  unitName: string;
  itemTitle?: string;
  deadline?: string; // ISO
  link: string;
}
export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

const fmtDate = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(iso));

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Body {
  subject: string;
  lines: string[];
}

const BODIES: Record<NoticeTemplate, (c: NoticeContext) => Body> = {
  'reminder-green': (c) => ({
    subject: `【整改提醒·绿色】${c.unitName}：“${c.itemTitle}”将于${fmtDate(c.deadline!)}到期`,
    lines: [
      `${c.roundName}反馈的整改事项“${c.itemTitle}”整改时限为${fmtDate(c.deadline!)}。`,
      '请对照整改方案抓紧推进，按时报送整改进展和佐证材料。',
    ],
  }),
  'reminder-yellow': (c) => ({
    subject: `【整改提醒·黄色】${c.unitName}：“${c.itemTitle}”距整改时限不足10天`,
    lines: [
      `${c.roundName}反馈的整改事项“${c.itemTitle}”将于${fmtDate(c.deadline!)}到期，尚未完成整改。`,
      '请分管领导督促落实，确保按期整改到位。',
    ],
  }),
  'reminder-red': (c) => ({
    subject: `【整改预警·红色】${c.unitName}：“${c.itemTitle}”已逾期未完成`,
    lines: [
      `${c.roundName}反馈的整改事项“${c.itemTitle}”整改时限${fmtDate(c.deadline!)}已过，仍未完成整改。`,
      '请单位主要负责人切实履行整改第一责任人责任，立即组织整改并说明逾期原因。',
    ],
  }),
  'escalation-discipline': (c) => ({
    subject: `【整改逾期移送】${c.unitName}：“${c.itemTitle}”逾期未整改`,
    lines: [
      `${c.roundName}反馈的整改事项“${c.itemTitle}”已超过整改时限（${fmtDate(c.deadline!)}）仍未完成。`,
      '现按规定报送纪委监委，请依规依纪研究处理。',
    ],
  }),
};

export function renderNotice(template: NoticeTemplate, ctx: NoticeContext): RenderedNotice {
  const { subject, lines } = BODIES[template](ctx);
  const footer = `办理入口：${ctx.link}`;
  const text = [`${ctx.recipientName}同志：`, '', ...lines, '', footer, '', '巡察工作领导小组办公室'].join('\n');
  const html = [
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body style="font-family:sans-serif">',
    `<p>${escapeHtml(ctx.recipientName)}同志：</p>`,
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p><a href="${escapeHtml(ctx.link)}">进入巡察整改系统办理</a></p>`,
    '<p>巡察工作领导小组办公室</p></body></html>',
  ].join('\n');
  return { subject, text, html };
}
