import { setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { unitWorkflowId } from '../domain/ids';
import { roundStatusQuery, unitPhaseChangedSignal } from '../domain/messages';
import type { RoundWorkflowInput } from '../domain/round';
import type { RoundStatus } from '../domain/status';
import { ledger, nowIso } from './proxies';
import { unitWorkflow } from './unit';

/** An inspection round (轮次): owns its units, each a child workflow, and completes when they do. */
export async function roundWorkflow(input: RoundWorkflowInput): Promise<RoundStatus> {
  const wfId = workflowInfo().workflowId;
  const status: RoundStatus = {
    roundId: input.roundId,
    phase: 'running',
    units: input.units.map((u) => ({ unitId: u.unitId, phase: 'preparation' })),
  };
  setHandler(roundStatusQuery, () => status);
  setHandler(unitPhaseChangedSignal, ({ unitId, phase }) => {
    const u = status.units.find((x) => x.unitId === unitId);
    if (u) u.phase = phase;
  });

  await ledger.recordEvent({ type: 'round.started', eventKey: `${wfId}:started`, at: nowIso(), actor: input.startedBy, round: input });

  const children = await Promise.all(
    input.units.map((unit) =>
      startChild(unitWorkflow, {
        workflowId: unitWorkflowId(input.roundId, unit.unitId),
        args: [{ roundId: input.roundId, unit, policy: input.policy }],
      }),
    ),
  );
  const finals = await Promise.all(children.map((c) => c.result()));
  for (const f of finals) {
    const u = status.units.find((x) => x.unitId === f.unitId);
    if (u) u.phase = f.phase;
  }

  status.phase = 'completed';
  await ledger.recordEvent({ type: 'round.completed', eventKey: `${wfId}:completed`, at: nowIso(), actor: 'system', roundId: input.roundId });
  return status;
}
