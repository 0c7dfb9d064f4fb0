import type { NoticeTemplate } from './policy';

/** What every notice needs to say: whom, which subject, by when, and where to act. */
export interface NoticeContext {
  recipientName: string;
  roundName: string;
  unitName: string;
  /** The item, clue, letter or task the notice is about. */
  itemTitle?: string;
  deadline?: string; // ISO
  link: string;
  /** Template-specific facts (group phone, rate, digest lines…), already rendered as text. */
  data?: Record<string, string>;
}
export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

export const fmtDate = (iso: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(iso));

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface NoticeBody {
  subject: string;
  lines: string[];
}
const d = (c: NoticeContext) => (c.deadline ? fmtDate(c.deadline) : '（未定）');
const x = (c: NoticeContext, k: string) => c.data?.[k] ?? '';

const BODIES: Record<NoticeTemplate, (c: NoticeContext) => NoticeBody> = {
  announcement: (c) => ({
    subject: `【巡察公告】${c.roundName}进驻${c.unitName}`,
    lines: [
      `根据县委巡察工作安排，${c.roundName}巡察组将对${c.unitName}党组织开展巡察。`,
      `巡察期间，巡察组受理反映${c.unitName}领导班子及其成员、下一级党组织领导班子主要负责人的来信来电来访。`,
      `联系电话：${x(c, 'phone')}；电子邮箱：${x(c, 'email')}；举报信箱：${x(c, 'mailbox')}。`,
      '请在单位显著位置张贴本公告。',
    ],
  }),
  'info-request': (c) => ({
    subject: `【巡察前情况通报】请于${d(c)}前提供${c.unitName}有关情况`,
    lines: [
      `${c.roundName}即将进驻${c.unitName}。`,
      `请贵单位于${d(c)}前，书面提供掌握的${c.unitName}领导班子及其成员有关情况（含问题线索、信访举报、审计发现等）。`,
    ],
  }),
  'task-assigned': (c) => ({
    subject: `【待办】${c.itemTitle}（${d(c)}前完成）`,
    lines: [`您有一项巡察工作待办：“${c.itemTitle}”，涉及${c.unitName}，请于${d(c)}前办理。`],
  }),
  'reminder-green': (c) => ({
    subject: `【整改提醒·绿色】${c.unitName}：“${c.itemTitle}”将于${d(c)}到期`,
    lines: [`${c.roundName}反馈的整改事项“${c.itemTitle}”整改时限为${d(c)}。`, '请对照整改方案抓紧推进，按时报送整改进展和佐证材料。'],
  }),
  'reminder-yellow': (c) => ({
    subject: `【整改提醒·黄色】${c.unitName}：“${c.itemTitle}”距整改时限不足10天`,
    lines: [`${c.roundName}反馈的整改事项“${c.itemTitle}”将于${d(c)}到期，尚未完成整改。`, '请分管领导督促落实，确保按期整改到位。'],
  }),
  'reminder-red': (c) => ({
    subject: `【整改预警·红色】${c.unitName}：“${c.itemTitle}”已逾期未完成`,
    lines: [
      `${c.roundName}反馈的整改事项“${c.itemTitle}”整改时限${d(c)}已过，仍未完成整改。`,
      '请单位主要负责人切实履行整改第一责任人责任，立即组织整改并说明逾期原因。',
    ],
  }),
  urge: (c) => ({
    subject: `【催办】${c.unitName}：“${c.itemTitle}”逾期未整改`,
    lines: [`整改事项“${c.itemTitle}”已超过整改时限（${d(c)}）。`, '请于3个工作日内报送整改进展及逾期原因说明。'],
  }),
  interview: (c) => ({
    subject: `【约谈通知】${c.unitName}整改不力，领导小组成员将约谈主要负责人`,
    lines: [
      `因整改事项“${c.itemTitle}”逾期未完成，巡察工作领导小组成员将约谈${c.unitName}主要负责人。`,
      '请做好准备，如实汇报整改情况。',
    ],
  }),
  'self-examination': (c) => ({
    subject: `【责令检查】${c.unitName}须就未完成整改任务作出深刻检查`,
    lines: [
      `至整改报告时限（${d(c)}），${c.unitName}仍有${x(c, 'unfinished')}项整改任务未完成。`,
      '根据规定，责令党组织向县委作出书面深刻检查。',
    ],
  }),
  'democratic-life-meeting': (c) => ({
    subject: `【责令召开专题民主生活会】${c.unitName}整改率${x(c, 'rate')}`,
    lines: [`至整改报告时限，${c.unitName}整改率仅为${x(c, 'rate')}，低于规定标准。`, '责令召开巡察整改专题民主生活会，深入查摆剖析。'],
  }),
  circular: (c) => ({
    subject: `【通报】${c.roundName}：${c.unitName}巡察整改不力情况`,
    lines: [`${c.unitName}至整改报告时限整改率为${x(c, 'rate')}（${x(c, 'closed')}/${x(c, 'total')}），整改不力，现予以全市通报。`],
  }),
  'discipline-referral': (c) => ({
    subject: `【问责移送】${c.unitName}：“${c.itemTitle}”整改不力`,
    lines: [
      `${c.roundName}反馈的整改事项“${c.itemTitle}”整改时限为${d(c)}，${x(c, 'why') || '逾期超过30日仍未完成'}。`,
      '现移送纪委监委，请依规依纪依法研究问责。',
    ],
  }),
  'clue-transfer': (c) => ({
    subject: `【问题线索移交】${c.roundName}·${c.unitName}`,
    lines: [
      `${c.roundName}在${c.unitName}发现问题线索一件（${c.itemTitle}），现按干部管理权限和职责分工移交贵单位办理。`,
      `请于${d(c)}前反馈办理情况。${x(c, 'supervised') ? '本线索为挂牌督办线索。' : ''}`,
    ],
  }),
  'clue-reminder': (c) => ({
    subject: `【线索办理提醒】“${c.itemTitle}”请于${d(c)}前反馈办理情况`,
    lines: [`${c.roundName}移交的问题线索“${c.itemTitle}”（${c.unitName}）反馈时限为${d(c)}，请按时反馈办理情况。`],
  }),
  'clue-overdue': (c) => ({
    subject: `【线索逾期未反馈】${c.unitName}：“${c.itemTitle}”`,
    lines: [`${c.roundName}移交的问题线索“${c.itemTitle}”已超过反馈时限（${d(c)}），承办单位仍未反馈办理情况，请督办。`],
  }),
  'common-issue-letter': (c) => ({
    subject: `【共性问题函告】${c.itemTitle}`,
    lines: [
      `${c.roundName}在${x(c, 'units')}等单位发现共性问题：“${c.itemTitle}”。`,
      `请贵单位牵头研究，从制度机制上加以改进，并于${d(c)}前书面反馈整改措施。`,
    ],
  }),
  'letter-reminder': (c) => ({
    subject: `【函告办理提醒】“${c.itemTitle}”请于${d(c)}前反馈`,
    lines: [`县委巡察办函告的共性问题“${c.itemTitle}”反馈时限为${d(c)}，请按时反馈整改措施。`],
  }),
  'letter-overdue': (c) => ({
    subject: `【函告逾期】“${c.itemTitle}”逾期未反馈`,
    lines: [`县委巡察办函告的共性问题“${c.itemTitle}”已超过反馈时限（${d(c)}），${x(c, 'department')}仍未反馈整改措施。`],
  }),
  'monthly-bulletin': (c) => ({
    subject: `【微督报】${c.roundName}整改进展（${x(c, 'month')}）`,
    lines: [`截至${x(c, 'asOf')}，${c.roundName}整改进展如下：`, ...(x(c, 'lines') ? x(c, 'lines').split('\n') : [])],
  }),
  'look-back': (c) => ({
    subject: `【回头看】${c.unitName}巡察整改情况回访检查`,
    lines: [`请督查组于${d(c)}前完成对${c.unitName}巡察整改情况的“回头看”，逐项核查整改是否真改实改。`],
  }),
  'spot-check-plan': (c) => ({
    subject: `【突击察访安排·内部】${x(c, 'target')}`,
    lines: [`察访对象：${x(c, 'target')}；察访时间：${x(c, 'visitAt')}。`, '不打招呼、不定路线、直奔一线、直插末端。本安排仅限督查组知悉，严禁事先透露。'],
  }),
  'item-reopened': (c) => ({
    subject: `【整改事项重新打开】${c.unitName}：“${c.itemTitle}”`,
    lines: [
      `经核查，整改事项“${c.itemTitle}”存在${x(c, 'verdict')}情况，现重新打开，整改时限为${d(c)}。`,
      '将按从严从重原则处理，并启动约谈程序。',
    ],
  }),
  'item-returned': (c) => ({
    subject: `【对账未通过】${c.unitName}：“${c.itemTitle}”退回重新整改`,
    lines: [`整改事项“${c.itemTitle}”经对账核查未予销号，退回原因：${x(c, 'reason')}。`, `请于${d(c)}前重新整改到位并报送佐证材料。`],
  }),
  'long-term-check-in': (c) => ({
    subject: `【长期整改事项报告】“${c.itemTitle}”请于${d(c)}前报送阶段性进展`,
    lines: [`需长期坚持的整改事项“${c.itemTitle}”请于${d(c)}前报送本季度整改进展和佐证材料。`],
  }),
  'results-published': (c) => ({
    subject: `【整改情况公开】${c.roundName}·${c.unitName}`,
    lines: [`${c.unitName}巡察整改情况已向社会公开。${x(c, 'withheld') ? `不予公开事项：${x(c, 'withheld')}。` : ''}`],
  }),
};

/** A notice's subject and body lines (the e-mail and the printed notice both say these). */
export function noticeBody(template: NoticeTemplate, ctx: NoticeContext): NoticeBody {
  return BODIES[template](ctx);
}
export const NOTICE_SIGNATURE = '巡察工作领导小组办公室';

export function renderNotice(template: NoticeTemplate, ctx: NoticeContext): RenderedNotice {
  const { subject, lines } = noticeBody(template, ctx);
  const footer = `办理入口：${ctx.link}`;
  const text = [`${ctx.recipientName}同志：`, '', ...lines, '', footer, '', NOTICE_SIGNATURE].join('\n');
  const html = [
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body style="font-family:sans-serif">',
    `<p>${escapeHtml(ctx.recipientName)}同志：</p>`,
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p><a href="${escapeHtml(ctx.link)}">进入巡察整改系统办理</a></p>`,
    `<p>${NOTICE_SIGNATURE}</p></body></html>`,
  ].join('\n');
  return { subject, text, html };
}
