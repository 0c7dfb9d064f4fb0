import type { RecordProblemInput } from './problem';
import type { RoundWorkflowInput } from './round';
import type { Colour, ItemRef, UnitPhase } from './status';

/**
 * What the workflows write to the ledger. Every event carries a deterministic `eventKey`, so an
 * activity that runs twice writes one row, and `at` in workflow time (business time, not the
 * clock of whatever worker ran it).
 */
interface Base {
  eventKey: string;
  at: string;
  actor: string;
}
export type LedgerEvent =
  | (Base & { type: 'round.started'; round: RoundWorkflowInput })
  | (Base & { type: 'round.completed'; roundId: string })
  | (Base & { type: 'unit.phase'; roundId: string; unitId: string; phase: UnitPhase })
  | (Base & { type: 'problem.recorded'; roundId: string; unitId: string; problem: RecordProblemInput })
  | (Base & ItemRef & { type: 'item.issued'; workflowId: string })
  | (Base & { type: 'item.step'; roundId: string; unitId: string; itemId: string; step: string; colour: Colour })
  | (Base & {
      type: 'item.closed';
      roundId: string;
      unitId: string;
      itemId: string;
      evidence: string[];
      note?: string;
    });
export type LedgerEventType = LedgerEvent['type'];
