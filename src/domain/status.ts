import type { ProblemCategory } from './problem';

export type RoundPhase = 'running' | 'completed';
/** 准备 → 进驻 → 反馈 → 整改 → 完成 */
export type UnitPhase = 'preparation' | 'stationing' | 'feedback' | 'rectification' | 'completed';
export const UNIT_PHASE_LABELS: Record<UnitPhase, string> = {
  preparation: '准备',
  stationing: '进驻',
  feedback: '反馈',
  rectification: '整改',
  completed: '完成',
};

/** green/yellow before the deadline, red once overdue (江津 three-colour practice). */
export type Colour = 'none' | 'green' | 'yellow' | 'red';

export interface ProblemSummary {
  problemId: string;
  category: ProblemCategory;
  title: string;
  recordedAt: string;
}

/** What identifies a rectification item and what it is about. */
export interface ItemRef {
  roundId: string;
  unitId: string;
  itemId: string;
  problemId: string;
  title: string;
  deadline: string;
}

export interface ItemStatus extends ItemRef {
  state: 'open' | 'closed';
  colour: Colour;
  firedSteps: string[];
  closedAt?: string;
  closedBy?: string;
}

export interface UnitStatus {
  roundId: string;
  unitId: string;
  phase: UnitPhase;
  stationingEndsAt?: string;
  feedbackAt?: string;
  problems: ProblemSummary[];
  items: { itemId: string; deadline: string; state: 'open' | 'closed' }[];
}

export interface RoundStatus {
  roundId: string;
  phase: RoundPhase;
  units: { unitId: string; phase: UnitPhase }[];
}
