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
    },
    units: [
      {
        unitId: 'county-finance-bureau',
        name: '县财政局',
        sector: 'municipal',
        head: person('demo-finance-head', '张伟', '县财政局局长'),
        partySecretary: person('demo-finance-secretary', '赵静', '县财政局党组书记'),
        leaderInCharge: person('demo-vice-governor', '刘强', '副县长'),
      },
    ],
    policy: {
      stationing: '30 seconds',
      rectificationPeriod: '4 minutes',
      itemTimeline: [
        { key: 'green', offset: '-210 seconds', template: 'reminder-green', to: ['responsible'] },
        { key: 'yellow', offset: '-90 seconds', template: 'reminder-yellow', to: ['responsible', 'leaderInCharge'] },
        { key: 'red', offset: '0 seconds', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
        { key: 'escalation', offset: '0 seconds', template: 'escalation-discipline', to: ['disciplineCommission'] },
      ],
    },
  };
}

export const DEMO_PROBLEMS = [
  {
    problemId: 'official-card',
    category: 'finance' as const,
    title: '购买办公用品、列支招待费未使用公务卡结算',
    facts: '2025年度12笔办公用品采购和招待费支出以现金结算，未执行公务卡强制结算目录。',
    evidence: ['问题底稿 2026-001：会计凭证第35号至第47号'],
    recordedBy: 'demo-inspector',
  },
  {
    problemId: 'meeting-minutes',
    category: 'party-building' as const,
    title: '党组会议记录不完整',
    facts: '2025年党组会议记录中有4次未记录议题讨论情况。',
    evidence: ['问题底稿 2026-002：党组会议记录本'],
    recordedBy: 'demo-inspector',
  },
];
