import {
  allHandlersFinished,
  condition,
  continueAsNew,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { letterWorkflowId, unitWorkflowId } from '../domain/ids';
import { letterChangedSignal, roundStatusQuery, sendCommonIssueLetterUpdate, unitChangedSignal } from '../domain/messages';
import type { RoundWorkflowInput } from '../domain/round';
import { PhaseKey, RoundIdKey, UnitIdKey } from '../domain/search';
import type { RoundStatus } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { Effects, runOrContinue } from './common';
import { letterWorkflow } from './letter';
import { ledger, nowIso } from './proxies';
import { L } from './schemas';
import { unitWorkflow } from './unit';

export interface RoundInput extends RoundWorkflowInput {
  state?: RoundState;
}
interface RoundState {
  status: RoundStatus;
  done: string[];
  bulletinNext?: string;
  /** The newest unitChanged seq seen per unit. */
  seqs?: Record<string, number>;
}

/**
 * An inspection round (轮次): owns its units (each a child workflow that outlives a continue-as-new
 * of the round), sends common-issue letters and the monthly bulletin, and completes when every unit
 * has closed (only long-term items may remain, and they live on in their own workflows).
 */
export async function roundWorkflow(input: RoundInput): Promise<RoundStatus> {
  const wfId = workflowInfo().workflowId;
  const { roundId, policy } = input;
  // Behaviour changes since this patch are decided here, in the run's first workflow task (see item.ts).
  const atStart = patched('round-patches-at-start');
  const fx = new Effects(atStart);
  const st: RoundState = input.state ?? {
    status: {
      roundId,
      phase: 'running',
      units: input.units.map((u) => ({ unitId: u.unitId, phase: 'preparation', items: 0, closed: 0, overdue: 0, longTermOpen: 0 })),
      letters: [],
      bulletins: [],
    },
    done: [],
  };
  const status = st.status;

  setHandler(roundStatusQuery, () => status);
  setHandler(unitChangedSignal, ({ seq, ...u }) => {
    // Signals sent in one task of the unit may arrive out of order: keep the newest summary only.
    if (seq !== undefined) {
      st.seqs ??= {};
      if (seq <= (st.seqs[u.unitId] ?? 0)) return;
      st.seqs[u.unitId] = seq;
    }
    const i = status.units.findIndex((x) => x.unitId === u.unitId);
    if (i >= 0) status.units[i] = u;
  });
  setHandler(letterChangedSignal, (l) => {
    const x = status.letters.find((y) => y.letterId === l.letterId);
    if (x) Object.assign(x, l);
  });
  setHandler(
    sendCommonIssueLetterUpdate,
    async (raw) => {
      const letter = parseOrThrow(L.SendCommonIssueLetterInput, raw, 'sendCommonIssueLetter');
      status.letters.push({ letterId: letter.letterId, state: 'open', overdue: false });
      const unitNames = [...new Set(letter.problems.map((p) => p.unitId))]
        .map((id) => input.units.find((u) => u.unitId === id)!.name)
        .join('、');
      await fx.run(() =>
        startChild(letterWorkflow, {
          workflowId: letterWorkflowId(roundId, letter.letterId),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          args: [{ roundId, roundWorkflowId: wfId, letter, unitNames, timeline: policy.letterTimeline }],
        }),
      );
      return { letterId: letter.letterId };
    },
    {
      validator: (raw) => {
        const letter = parseOrThrow(L.SendCommonIssueLetterInput, raw, 'sendCommonIssueLetter');
        const fail = (path: string, message: string) => {
          throw new ValidationError(`sendCommonIssueLetter: ${path}: ${message}`, [{ path, message }]);
        };
        if (status.letters.some((l) => l.letterId === letter.letterId)) fail('letterId', `"${letter.letterId}" was already sent`);
        letter.problems.forEach((p, i) => {
          if (!input.units.some((u) => u.unitId === p.unitId)) fail(`problems.${i}.unitId`, `"${p.unitId}" is not a unit of this round`);
        });
        if (new Set(letter.problems.map((p) => p.unitId)).size < 2) fail('problems', 'a common issue is one seen in at least two units');
        if (Date.parse(letter.deadline) <= Date.now()) fail('deadline', 'must be in the future');
      },
    },
  );

  // 微督报 (003): on a fixed day each month, a digest to the office and the leading group.
  async function bulletins(): Promise<void> {
    for (;;) {
      st.bulletinNext ??= await fx.run(() => ledger.nextMonthlyMorning({ from: nowIso(), day: policy.bulletinDay }));
      await condition(() => status.phase === 'completed', fx.timeout(st.bulletinNext));
      if (status.phase === 'completed') return;
      const sentFor = st.bulletinNext;
      await fx.run(async () => {
        const digest = await ledger.roundDigest({ roundId, asOf: sentFor });
        await fx.notify({
          key: `${wfId}:bulletin:${digest.month}`,
          template: 'monthly-bulletin',
          roundId,
          to: ['office', 'leadingGroup'],
          data: { month: digest.month, asOf: digest.asOf, lines: digest.lines },
        });
        await fx.record({ type: 'round.bulletin', eventKey: `${wfId}:bulletin:${digest.month}`, at: nowIso(), actor: 'system', roundId, month: digest.month });
        if (!status.bulletins.includes(digest.month)) status.bulletins.push(digest.month);
        st.bulletinNext = await ledger.nextMonthlyMorning({ from: sentFor, day: policy.bulletinDay });
      });
    }
  }

  async function lifecycle(): Promise<void> {
    if (!st.done.includes('started')) {
      await fx.run(async () => {
        upsertSearchAttributes([
          { key: RoundIdKey, value: roundId },
          { key: PhaseKey, value: 'running' },
        ]);
        const { state: _s, ...round } = input;
        await fx.record({ type: 'round.started', eventKey: `${wfId}:started`, at: nowIso(), actor: input.startedBy, round });
        const startUnit = (unit: (typeof input.units)[number]) =>
          startChild(unitWorkflow, {
            workflowId: unitWorkflowId(roundId, unit.unitId),
            // Units outlive a continue-as-new of the round: they report back by signal, not by result.
            parentClosePolicy: ParentClosePolicy.ABANDON,
            args: [{ roundId, unit, policy }],
            typedSearchAttributes: [
              { key: RoundIdKey, value: roundId },
              { key: UnitIdKey, value: unit.unitId },
            ],
          });
        // Since the patch, every unit's start command goes out in one workflow task instead of one task each.
        if (atStart || patched('parallel-unit-starts')) await Promise.all(input.units.map(startUnit));
        else for (const unit of input.units) await startUnit(unit);
      });
      st.done.push('started');
    }
    void bulletins();
    await condition(() => status.units.every((u) => u.phase === 'closed') && allHandlersFinished());
    status.phase = 'completed';
    upsertSearchAttributes([{ key: PhaseKey, value: 'completed' }]);
    await fx.record({ type: 'round.completed', eventKey: `${wfId}:completed`, at: nowIso(), actor: 'system', roundId });
  }

  await runOrContinue(fx, policy.historyLimit, allHandlersFinished, lifecycle(), () => continueAsNew<typeof roundWorkflow>({ ...input, state: st }));
  await condition(() => fx.busy === 0 && allHandlersFinished());
  return status;
}
