import { allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { NoticeRequest } from '../activities';
import type { ItemKind, ReopenItemInput } from '../domain/lifecycle';
import { claimItemUpdate, itemChangedSignal, itemStatusQuery, reconcileItemUpdate, reopenItemSignal, reportProgressUpdate } from '../domain/messages';
import type { Person } from '../domain/people';
import type { NoticeTemplate, RoundPolicy, TimelineStep } from '../domain/policy';
import type { Colour, ItemRef, ItemStatus, ItemSummary, TaskSummary } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { Effects, newTimeline, runOrContinue, runTimeline, StepTurns, type TimelineState } from './common';
import { nowIso } from './proxies';
import { I } from './schemas';
import { TaskBook } from './tasks';

export type ItemPolicy = Pick<RoundPolicy, 'itemTimeline' | 'reopenTimeline' | 'longTermCheckIn' | 'reviewWithin' | 'historyLimit'>;

/** The fields of the round policy an item uses, and no others. */
export function itemPolicy(p: ItemPolicy): ItemPolicy {
  return { itemTimeline: p.itemTimeline, reopenTimeline: p.reopenTimeline, longTermCheckIn: p.longTermCheckIn, reviewWithin: p.reviewWithin, historyLimit: p.historyLimit };
}

export interface ItemInput extends ItemRef {
  kind: ItemKind;
  measures: string;
  responsible: Person;
  unitWorkflowId: string;
  policy: ItemPolicy;
  /** Start as an item reopened by a look-back, spot check or petition. */
  reopen?: ReopenItemInput;
  /** Which run of this item's life: 1, then one more for each reopening after it was closed. */
  generation?: number;
  /** Carried over by continue-as-new. */
  state?: ItemState;
}

interface ItemState {
  status: ItemStatus;
  tl: TimelineState;
  tasks: TaskSummary[];
  checkIn?: { next: string; n: number };
  seq: { progress: number; reconcile: number };
  /** Summaries sent to the unit so far. */
  told?: number;
}

const COLOUR_OF: Partial<Record<NoticeTemplate, Colour>> = {
  'reminder-green': 'green',
  'reminder-yellow': 'yellow',
  'reminder-red': 'red',
  urge: 'red',
  interview: 'red',
  'discipline-referral': 'red',
};
const RANK: Record<Colour, number> = { none: 0, green: 1, yellow: 2, red: 3 };
const REMINDERS: NoticeTemplate[] = ['reminder-green', 'reminder-yellow', 'reminder-red'];

/**
 * A rectification item (整改事项) lives in its own workflow: it outlives its unit's phase (a
 * long-term item outlives the round), and its reminders and escalations are its own timers.
 * Closed only by the office (对账销号); a look-back can start it again (reopen).
 */
export async function itemWorkflow(input: ItemInput): Promise<ItemStatus> {
  const generation = input.generation ?? 1;
  // Every ledger and notice key of a later run is its own: the earlier run's keys are spent.
  const wfId = generation === 1 ? workflowInfo().workflowId : `${workflowInfo().workflowId}#${generation}`;
  // Every behaviour change since this patch is decided here, in the run's first workflow task. A patch
  // first asked mid-run, just after a local activity, may have recorded its marker one workflow task
  // later than replay reaches that line (the chaos suite caught it: the run no longer replayed); the
  // older mid-run patches below are still asked, mid-run, by runs begun before this one.
  const atStart = patched('item-patches-at-start');
  // Since this patch (also decided at the start): fewer round trips through the server per step. The
  // unit is told only of what it counts (state, overdue, deadline), not of every colour and progress
  // report; notices and that signal go out in the background, so a step is one workflow task and an
  // Update returns once its ledger rows are written, not once its e-mail is accepted.
  const fewerTrips = patched('item-fewer-round-trips');
  const fx = new Effects(atStart, fewerTrips);
  // Since this patch (decided at the start): steps that reach the item together run one after
  // another (see StepTurns), so two reports of "done" open one reconcile task, not two.
  const steps = new StepTurns(atStart && patched('item-steps-in-turn'));
  const { roundId, unitId, itemId, policy } = input;
  const st: ItemState = input.state ?? {
    status: {
      roundId,
      unitId,
      itemId,
      problemId: input.problemId,
      title: input.title,
      deadline: input.deadline,
      kind: input.kind,
      state: 'open',
      progress: 'not-done',
      colour: 'none',
      overdue: false,
      firedSteps: [],
      history: [],
      deadlineVersion: 1,
      returned: 0,
      reopened: 0,
      progressReports: 0,
      checkIns: 0,
    },
    tl: newTimeline(undefined, input.deadline, policy.itemTimeline),
    tasks: [],
    seq: { progress: 0, reconcile: 0 },
  };
  const status = st.status;
  const tasks = new TaskBook(fx, st.tasks, { roundId, unitId, itemId });
  const isOpen = () => status.state === 'open';
  const summary = (): ItemSummary =>
    fewerTrips
      ? { itemId, kind: status.kind, state: status.state, deadline: status.deadline, overdue: status.overdue }
      : { itemId, kind: status.kind, state: status.state, progress: status.progress, deadline: status.deadline, overdue: status.overdue, colour: status.colour };
  // Since the patch, a summary equal to the last one sent (e.g. 催办 right after the red reminder) is not sent again.
  // The unit enters a new item as open and not overdue when the plan is filed: an issued item has nothing to tell it.
  let lastTold = fewerTrips && !input.state && !input.reopen ? JSON.stringify(summary()) : '';
  const tellUnit = () => {
    const s = summary();
    const key = JSON.stringify(s);
    if (key === lastTold && (atStart || patched('dedupe-unit-signals'))) return Promise.resolve();
    lastTold = key;
    st.told = (st.told ?? 0) + 1;
    // A reopened item's later run counts on from its generation's base, above every earlier run's.
    return fx.soon(fx.tell(input.unitWorkflowId, itemChangedSignal, { ...s, seq: generation * 1_000_000 + st.told }));
  };
  const notify = (req: NoticeRequest) => fx.soon(fx.notify(req));
  const base = { roundId, unitId, itemId };

  setHandler(itemStatusQuery, () => ({ ...status, firedSteps: [...st.tl.fired] }));
  // 约谈 and 问责 tasks raised by the ladder are completed here.
  tasks.handleCompletion(['interview', 'accountability']);

  const notOpen = (what: string) => new ValidationError(`${what}: item "${itemId}" is closed`, [{ path: 'itemId', message: 'closed' }]);

  steps.handle(
    reportProgressUpdate,
    async (raw) => {
      const req = parseOrThrow(I.ReportProgressInput, raw, 'reportProgress');
      const seq = ++st.seq.progress;
      status.progress = req.status;
      status.progressReports++;
      await fx.record({ type: 'item.progress', eventKey: `${wfId}:progress:${seq}`, at: nowIso(), actor: req.by, ...base, generation, seq, ...req });
      // A long-term item's periodic report is due; a report of "done" goes to the office to reconcile.
      await tasks.close('long-term-check-in', req.by, req.note);
      if (req.status === 'done' && !tasks.find('reconcile-item')) {
        await tasks.add({
          taskId: `${wfId}:reconcile:${seq}`,
          kind: 'reconcile-item',
          assigneeRole: 'office',
          subject: `对账销号：${status.title}`,
          dueAt: await fx.addDuration(nowIso(), policy.reviewWithin),
          updateName: 'reconcileItem',
        });
      }
      await tellUnit();
      return { ...status, firedSteps: [...st.tl.fired] };
    },
    (raw) => {
      parseOrThrow(I.ReportProgressInput, raw, 'reportProgress');
      if (!isOpen()) throw notOpen('reportProgress');
    },
  );

  setHandler(
    claimItemUpdate,
    async (raw) => {
      const { leader } = parseOrThrow(I.ClaimItemInput, raw, 'claimItem');
      status.claimedBy = leader.personId;
      await fx.record({ type: 'item.claimed', eventKey: `${wfId}:claimed:${leader.personId}`, at: nowIso(), actor: leader.personId, ...base, leader });
      return { ...status, firedSteps: [...st.tl.fired] };
    },
    {
      validator: (raw) => {
        const { leader } = parseOrThrow(I.ClaimItemInput, raw, 'claimItem');
        if (!isOpen()) throw notOpen('claimItem');
        if (status.claimedBy && status.claimedBy !== leader.personId) {
          throw new ValidationError(`claimItem: leader: item "${itemId}" is already claimed by ${status.claimedBy}`, [{ path: 'leader', message: 'already claimed' }]);
        }
      },
    },
  );

  steps.handle(
    reconcileItemUpdate,
    async (raw) => {
      const req = parseOrThrow(I.ReconcileItemInput, raw, 'reconcileItem');
      const seq = ++st.seq.reconcile;
      const at = nowIso();
      if (req.decision === 'close') {
        // State changes before the first await, so a racing second decision is refused.
        status.state = 'closed';
        status.overdue = false;
        status.closedAt = at;
        status.closedBy = req.by;
      } else {
        status.progress = 'not-done';
        status.deadline = req.newDeadline!;
        status.returned++;
        status.overdue = false;
        status.colour = 'none';
        st.tl = newTimeline(st.tl, status.deadline, policy.itemTimeline);
        status.deadlineVersion = st.tl.version;
      }
      await fx.record({ type: 'item.reconciled', eventKey: `${wfId}:reconcile:${seq}`, at, actor: req.by, ...base, generation, seq, ...req });
      await tasks.close('reconcile-item', req.by, req.decision === 'close' ? '销号' : `退回：${req.reason}`);
      if (req.decision === 'close') {
        await tasks.closeAll(req.by, '事项已销号');
      } else {
        await notify({
          key: `${wfId}:returned:${seq}`,
          template: 'item-returned',
          ...base,
          to: ['responsible', 'unitHead'],
          itemTitle: status.title,
          deadline: status.deadline,
          data: { reason: req.reason! },
        });
      }
      await tellUnit();
      return { ...status, firedSteps: [...st.tl.fired] };
    },
    (raw) => {
      const req = parseOrThrow(I.ReconcileItemInput, raw, 'reconcileItem');
      if (!isOpen()) throw notOpen('reconcileItem');
      if (req.decision === 'return' && Date.parse(req.newDeadline!) <= Date.now()) {
        throw new ValidationError('reconcileItem: newDeadline: must be in the future', [{ path: 'newDeadline', message: 'must be in the future' }]);
      }
    },
  );

  async function applyReopen(r: ReopenItemInput): Promise<void> {
    status.state = 'open';
    status.progress = 'not-done';
    status.overdue = false;
    status.colour = 'none';
    status.deadline = r.deadline;
    status.reopened++;
    delete status.closedAt;
    delete status.closedBy;
    // Relapse or fake rectification: a shorter deadline and a ladder that starts at 约谈.
    st.tl = newTimeline(st.tl, r.deadline, policy.reopenTimeline);
    status.deadlineVersion = st.tl.version;
    await fx.record({ type: 'item.reopened', eventKey: `${wfId}:reopened:${r.checkId}`, at: nowIso(), actor: r.by, ...base, deadline: r.deadline, verdict: r.verdict, note: r.note, checkId: r.checkId });
    await notify({
      key: `${wfId}:reopened:${r.checkId}`,
      template: 'item-reopened',
      ...base,
      to: ['unitHead', 'responsible'],
      itemTitle: status.title,
      deadline: r.deadline,
      data: { verdict: r.verdict === 'fake' ? '虚假整改' : '问题反弹' },
    });
    await tellUnit();
  }
  const pendingReopens: ReopenItemInput[] = [];
  setHandler(reopenItemSignal, (r) => void pendingReopens.push(r));

  async function fireStep(step: TimelineStep, tl: TimelineState): Promise<void> {
    const key = `${wfId}:v${tl.version}:${step.key}`;
    const colour = COLOUR_OF[step.template] ?? 'none';
    if (RANK[colour] > RANK[status.colour]) status.colour = colour;
    status.history.push(`v${tl.version}:${step.key}`);
    await notify({ key, template: step.template, ...base, to: step.to, itemTitle: status.title, deadline: tl.due });
    const task = step.task;
    const taskInput = (t: NonNullable<TimelineStep['task']>, dueAt: string) => ({
      taskId: `${key}:task`,
      kind: t.kind,
      assigneeRole: t.assignee,
      subject: `${t.kind === 'interview' ? '约谈' : '问责'}：${status.title}`,
      dueAt,
      updateName: 'completeTask',
    });
    const escalationRow = () => fx.record({ type: 'escalation', eventKey: `${key}:escalation`, at: nowIso(), actor: 'system', ...base, escalationKey: key, step: step.key, detail: { deadline: tl.due } });
    const stepRow = () => fx.record({ type: 'item.step', eventKey: `${key}:step`, at: nowIso(), actor: 'system', ...base, step: step.key, colour: status.colour });
    const escalates = !REMINDERS.includes(step.template);
    if (fewerTrips) {
      // The step's rows as local activities side by side, in the workflow task its timer fired in.
      await Promise.all([
        task && (async () => tasks.add(taskInput(task, await fx.addDuration(nowIso(), task.dueIn))))(),
        escalates && escalationRow(),
        stepRow(),
      ]);
    } else {
      // Runs begun before the patch: the older sequence, one await after another (the saved histories replay it).
      if (task) await tasks.add(taskInput(task, await fx.addDuration(nowIso(), task.dueIn)));
      if (escalates) await escalationRow();
      await stepRow();
    }
    await tellUnit();
  }

  // The deadline timeline: reminders before, the escalation ladder after; replaced when the item is returned or reopened.
  async function timelines(): Promise<void> {
    for (;;) {
      const tl = st.tl;
      if (status.kind !== 'long-term' || status.reopened > 0) {
        await Promise.all([
          runTimeline(fx, () => st.tl, () => !isOpen(), (step, tl) =>
            // A step that waited for an Update (see StepTurns) fires only if the item is still open on this timeline.
            steps.run(async () => (isOpen() && st.tl === tl ? fireStep(step, tl) : false)),
          ),
          (async () => {
            if (fx.waits(tl.due)) await condition(() => !isOpen() || st.tl !== tl, fx.timeout(tl.due));
            if (isOpen() && st.tl === tl && !status.overdue) {
              status.overdue = true;
              await fx.record({ type: 'item.overdue', eventKey: `${wfId}:v${tl.version}:overdue`, at: nowIso(), actor: 'system', ...base, overdue: true });
              await tellUnit();
            }
          })(),
        ]);
      }
      await condition(() => st.tl !== tl);
    }
  }

  // 需长期坚持: a periodic check-in until the office ends the item.
  async function checkIns(): Promise<void> {
    if (status.kind !== 'long-term') return;
    st.checkIn ??= { next: await fx.addDuration(nowIso(), policy.longTermCheckIn), n: 0 };
    const c = st.checkIn;
    while (isOpen()) {
      await condition(() => !isOpen(), fx.timeout(c.next));
      if (!isOpen()) return;
      // In turn with the Updates (see StepTurns): an item closed meanwhile gets no check-in task.
      const asked = await steps.run(async () => {
        if (!isOpen()) return false;
        const n = c.n + 1;
        const dueAt = await fx.addDuration(nowIso(), '15 working-days');
        await notify({ key: `${wfId}:checkin:${n}`, template: 'long-term-check-in', ...base, to: ['responsible'], itemTitle: status.title, deadline: dueAt });
        await tasks.add({
          taskId: `${wfId}:checkin:${n}:task`,
          kind: 'long-term-check-in',
          assigneeRole: 'responsible',
          subject: `长期整改事项定期报告：${status.title}`,
          dueAt,
          updateName: 'reportProgress',
          notify: false,
        });
        c.n = n;
        status.checkIns = n;
        return true;
      });
      if (!asked) return;
      c.next = await fx.addDuration(c.next, policy.longTermCheckIn);
      status.nextCheckIn = c.next;
    }
  }

  async function reopens(): Promise<void> {
    for (;;) {
      await condition(() => pendingReopens.length > 0);
      await applyReopen(pendingReopens.shift()!);
    }
  }

  // Since the patch, a new item's ladder is scheduled in its first workflow task, beside its issued row
  // (two local activities at once), instead of in the next task, after the unit has had its signal.
  const ladderFirst = !input.state && !input.reopen && (atStart || patched('item-ladder-first'));
  if (ladderFirst) void timelines();
  if (!input.state) {
    if (input.reopen) {
      await applyReopen(input.reopen);
    } else {
      await fx.record({
        type: 'item.issued',
        eventKey: `${wfId}:issued`,
        at: nowIso(),
        actor: 'system',
        roundId,
        unitId,
        itemId,
        problemId: input.problemId,
        title: input.title,
        deadline: input.deadline,
        kind: input.kind,
        measures: input.measures,
        responsible: input.responsible,
        workflowId: workflowInfo().workflowId,
      });
      await tellUnit();
    }
  }

  if (!ladderFirst) void timelines();
  void checkIns();
  void reopens();
  const done = () => !isOpen() && pendingReopens.length === 0 && fx.busy === 0 && allHandlersFinished();
  // Long-lived items hand their state to a fresh run before the history grows large.
  await runOrContinue(fx, policy.historyLimit, allHandlersFinished, condition(done), () =>
    continueAsNew<typeof itemWorkflow>({ ...input, reopen: undefined, state: st }),
  );
  return { ...status, firedSteps: [...st.tl.fired] };
}
