// Business workflow ids: starts are idempotent and the Temporal UI reads like the office's ledger.
export const roundWorkflowId = (roundId: string) => `round/${roundId}`;
export const unitWorkflowId = (roundId: string, unitId: string) => `round/${roundId}/unit/${unitId}`;
export const itemWorkflowId = (roundId: string, unitId: string, itemId: string) =>
  `round/${roundId}/unit/${unitId}/item/${itemId}`;

export const clueWorkflowId = (roundId: string, unitId: string, clueId: string) => `round/${roundId}/unit/${unitId}/clue/${clueId}`;
export const letterWorkflowId = (roundId: string, letterId: string) => `round/${roundId}/letter/${letterId}`;

/**
 * Task queues: rounds, units, clues and letters on one; rectification items (整改事项) on their own, so
 * their worker keeps its own cache and the item churn never evicts the units and rounds; notices on
 * their own so sending can be rate-limited and scaled apart.
 */
export const WORKFLOW_TASK_QUEUE = 'xuncha-rounds';
export const ITEM_TASK_QUEUE = 'xuncha-items';
export const NOTICE_TASK_QUEUE = 'xuncha-notices';
