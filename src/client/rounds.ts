// Setting up a round, the one code path behind POST /api/rounds (the console's wizard) and
// `xuncha round create`: the request is checked with zod, then the accepted inspection groups
// against the pools and the avoidance rules (回避), and only then is anything changed — the round
// workflow started and the groups written to the ledger (inspection_groups, group_members).
import type { Pool } from 'pg';
import { checkAcceptedGroups } from '../domain/groups';
import { RoundRequest, setupOf } from '../domain/round-request';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { acceptGroups, loadPool } from '../ledger/pools';
import type { XunchaClient } from './xuncha-client';

export interface RoundCreated {
  workflowId: string;
  alreadyStarted: boolean;
  /** Groups written to the ledger (0 when none were sent, or the round already had its groups). */
  groups: number;
}

/** Everything a round request must pass before anything is changed; returns the parsed request. */
export async function checkRoundRequest(pool: Pool | undefined, raw: unknown): Promise<RoundRequest> {
  const request = parseOrThrow(RoundRequest, raw, 'round');
  if (!request.groups?.length) return request;
  if (!pool) throw new Error('checking inspection groups needs the ledger');
  const members = await loadPool(pool);
  const issues = checkAcceptedGroups(request.groups, request.units, members, request.kind === 'cross');
  if (issues.length) throw new ValidationError(`round: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  return request;
}

/** Check, start the round (idempotent), then persist its accepted groups once. */
export async function createRound(deps: { pool: Pool; xc: XunchaClient }, raw: unknown, startedBy: string): Promise<RoundCreated> {
  const request = await checkRoundRequest(deps.pool, raw);
  const started = await deps.xc.startRound(setupOf(request), startedBy);
  let groups = 0;
  if (request.groups?.length) {
    // A retried request writes the groups it could not write before; a repeated one with other
    // groups does not overwrite what the office accepted for a running round.
    const { rowCount } = await deps.pool.query('SELECT 1 FROM inspection_groups WHERE round_id = $1 LIMIT 1', [request.roundId]);
    if (!started.alreadyStarted || rowCount === 0) {
      await acceptGroups(deps.pool, request.roundId, { groups: request.groups.map(({ unitId, leader, members }) => ({ unitId, leader, members })), exclusions: [], unmet: [] }, startedBy);
      groups = request.groups.length;
    }
  }
  return { ...started, groups };
}
