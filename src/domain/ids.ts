// Business workflow ids: starts are idempotent and the Temporal UI reads like the office's ledger.
export const roundWorkflowId = (roundId: string) => `round/${roundId}`;
export const unitWorkflowId = (roundId: string, unitId: string) => `round/${roundId}/unit/${unitId}`;
export const itemWorkflowId = (roundId: string, unitId: string, itemId: string) =>
  `round/${roundId}/unit/${unitId}/item/${itemId}`;

export const clueWorkflowId = (roundId: string, unitId: string, clueId: string) => `round/${roundId}/unit/${unitId}/clue/${clueId}`;
export const letterWorkflowId = (roundId: string, letterId: string) => `round/${roundId}/letter/${letterId}`;

/** Task queues: workflows on one, notices on their own so sending can be rate-limited and scaled apart. */
export const WORKFLOW_TASK_QUEUE = 'xuncha-rounds';
export const NOTICE_TASK_QUEUE = 'xuncha-notices';
