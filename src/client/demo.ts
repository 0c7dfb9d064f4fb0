import type { RecordProblemInput } from '../domain/problem';
import type { RoundSetupInput } from '../domain/round';

/**
 * The demo round `npm start` runs: real workflows on a compressed timetable (a per-round policy),
 * so that a reminder e-mail arrives within a couple of minutes instead of two months.
 */
export function demoRound(roundId: string): RoundSetupInput {
  const person = (personId: string, name: string, post: string) => ({ personId, name, post, email: `${personId}@demo.xuncha.local` });
  return {
    roundId,
    name: '县委第九轮巡察（演示）',
    kind: 'regular',
    contacts: {
      office: person('demo-office', '王芳', '县委巡察办主任'),
      disciplineCommission: person('demo-jiwei', '李明', '县纪委监委案件监督管理室主任'),
      leadingGroup: person('demo-leading-group', '陈刚', '县委巡察工作领导小组副组长'),
      organisationDept: person('demo-zuzhibu', '周敏', '县委组织部干部监督科科长'),
      supervisionGroup: person('demo-duchazu', '孙磊', '督查组组长'),
      petitionsOffice: person('demo-xinfang', '吴静', '县信访局副局长'),
      auditOffice: person('demo-shenji', '郑华', '县审计局副局长'),
    },
    units: [
      {
        unitId: 'county-finance-bureau',
        name: '县财政局',
        sector: 'municipal',
        head: person('demo-finance-head', '张伟', '县财政局局长'),
        partySecretary: person('demo-finance-secretary', '赵静', '县财政局党组书记'),
        leaderInCharge: person('demo-vice-governor', '刘强', '副县长'),
        group: {
          leader: person('demo-group-leader', '黄涛', '县委第一巡察组组长'),
          phone: '0571-88880001',
          email: 'xuncha1@demo.xuncha.local',
          mailbox: '县政府大院东门巡察信箱',
        },
      },
    ],
    policy: {
      preparation: '10 seconds',
      infoRequestReplyWithin: '1 hour',
      stationing: '20 seconds',
      reportWithin: '1 hour',
      reviewWithin: '1 hour',
      feedbackWithin: '1 hour',
      planWithin: '1 hour',
      rectificationReport: '10 minutes',
      itemTimeline: [
        { key: 'green', offset: '-150 seconds', template: 'reminder-green', to: ['responsible', 'claimer'] },
        { key: 'yellow', offset: '-60 seconds', template: 'reminder-yellow', to: ['responsible', 'leaderInCharge', 'claimer'] },
        { key: 'red', offset: '0 seconds', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
        { key: 'urge', offset: '0 seconds', template: 'urge', to: ['responsible', 'unitHead'] },
        { key: 'referral', offset: '60 seconds', template: 'discipline-referral', to: ['disciplineCommission'] },
      ],
      lookBackAfter: '10 minutes',
    },
  };
}

export const DEMO_PROBLEMS: RecordProblemInput[] = [
  {
    problemId: 'official-card',
    category: 'finance',
    title: '购买办公用品、列支招待费未使用公务卡结算',
    facts: '2025年度12笔办公用品采购和招待费支出以现金结算，未执行公务卡强制结算目录。',
    evidence: ['问题底稿 2026-001：会计凭证第35号至第47号'],
    recordedBy: 'demo-group-leader',
  },
  {
    problemId: 'meeting-minutes',
    category: 'party-building',
    title: '党组会议记录不完整',
    facts: '2025年党组会议记录中有4次未记录议题讨论情况。',
    evidence: ['问题底稿 2026-002：党组会议记录本'],
    recordedBy: 'demo-group-leader',
  },
];
