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
import { clueWorkflowId, ITEM_TASK_QUEUE, itemWorkflowId, roundWorkflowId } from '../domain/ids';
import type * as LT from '../domain/lifecycle';
import * as M from '../domain/messages';
import { rectificationRate } from '../domain/rate';
import type { UnitWorkflowInput } from '../domain/round';
import { OverdueItemsKey, PhaseKey, RoundIdKey, UnitIdKey } from '../domain/search';
import type { ItemSummary, TaskSummary, UnitPhase, UnitStatus } from '../domain/status';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { clueWorkflow } from './clue';
import { Effects, runOrContinue, StepTurns } from './common';
import { itemPolicy, itemWorkflow, type ItemInput } from './item';
import { nowIso } from './proxies';
import { L, P } from './schemas';
import { TaskBook } from './tasks';

const INFO_SOURCES: LT.InfoSource[] = ['disciplineCommission', 'organisationDept', 'petitionsOffice', 'auditOffice'];
const INFO_LABELS: Record<LT.InfoSource, string> = {
  disciplineCommission: '纪委监委',
  organisationDept: '组织部',
  petitionsOffice: '信访部门',
  auditOffice: '审计部门',
};
const NEXT_STAGE = { office: 'leadingGroup', leadingGroup: 'secretaryMeeting', secretaryMeeting: 'approved' } as const;
const STAGE_TASK = {
  office: ['review-report', 'office', '审核巡察报告'],
  leadingGroup: ['approve-report-leading-group', 'leadingGroup', '领导小组审议巡察报告'],
  secretaryMeeting: ['approve-report-secretary-meeting', 'leadingGroup', '书记专题会听取巡察报告'],
} as const;
const ORDER: UnitPhase[] = ['preparation', 'stationing', 'report', 'feedback', 'rectification', 'look-back', 'disclosure', 'closed'];
const atOrAfter = (p: UnitPhase, q: UnitPhase) => ORDER.indexOf(p) >= ORDER.indexOf(q);

export interface UnitInput extends UnitWorkflowInput {
  state?: UnitState;
}

interface UnitState {
  status: UnitStatus;
  startedAt: string;
  done: string[];
  tasks: TaskSummary[];
  ids: { talks: string[]; fileChecks: string[]; questionnaires: string[]; petitions: string[] };
  plan?: LT.PlanItem[];
  approvedAt?: string;
  selfExam?: 'demanded' | 'submitted' | 'accepted' | 'rejected';
  openChecks: { checkId: string; kind: 'look-back' | 'spot-check' | 'petition'; itemIds?: string[] }[];
  /** Runs of each item's workflow so far (a closed item reopened is a new run). */
  generations: Record<string, number>;
  spotPlans: { spotCheckId: string; visitAt: string; target: string }[];
  /** Summaries sent to the round so far (the seq of the next), and the newest item seq seen per item. */
  told?: number;
  itemSeqs?: Record<string, number>;
}

/** One inspected unit (被巡察单位) through its phases, as a child of its round. */
export async function unitWorkflow(input: UnitInput): Promise<UnitStatus> {
  const wfId = workflowInfo().workflowId;
  const { roundId, unit, policy } = input;
  const unitId = unit.unitId;
  // Behaviour changes since this patch are decided here, in the run's first workflow task (see item.ts);
  // runs begun before it still ask the older patches mid-run, where they first did.
  const atStart = patched('unit-patches-at-start');
  // Since this patch, items run on their own task queue and worker (ITEM_TASK_QUEUE): the 40,000 items
  // of a province-year churn through their own cache, not the one that keeps units and rounds from
  // replaying. Runs begun before it keep starting theirs on the unit's queue, where every workflow type
  // is still registered.
  const itemsOwnQueue = patched('items-own-queue');
  const fx = new Effects(atStart);
  // Since this patch (decided at the start): the report's, the plan's and the self-examination's steps,
  // and the workflow's own code that opens their tasks, run one after another (see StepTurns), so a
  // step that closes a task cannot arrive while the task is still being opened and leave it open.
  const steps = new StepTurns(atStart && patched('unit-steps-in-turn'));
  // Since this patch (decided at the start): the opening of a look-back, re-check or spot check and the
  // findings recorded on them, one after another. Findings that arrived while their check's task was
  // still being opened (its notice in flight) found no task to close and left it open for ever; two sets
  // of findings reopening one closed item at once started its new run once and sent the other's reopening
  // to the run that had ended, where it was lost.
  const checks = new StepTurns(atStart && patched('unit-checks-in-turn'));
  // Since the same patch: the plan and the rectification report are taken once the unit is in rectification,
  // not merely after the feedback meeting (their tasks are opened on the way there; one filed before its
  // task existed left the task open for ever). Runs begun before keep the older rule, which a step that
  // waited for its turn was checked against again (and is, on replay).
  const inRectification = () => !checks.inTurn || atOrAfter(status.phase, 'rectification');
  const st: UnitState = input.state ?? {
    status: {
      roundId,
      unitId,
      phase: 'preparation',
      reportStage: 'draft',
      reportRejections: [],
      infoReplies: [],
      counts: { talks: 0, fileChecks: 0, questionnaires: 0, petitions: 0 },
      problems: [],
      clues: [],
      items: [],
      openTasks: [],
      escalations: [],
      spotChecks: [],
      checks: [],
      published: false,
    },
    startedAt: nowIso(),
    done: [],
    tasks: [],
    ids: { talks: [], fileChecks: [], questionnaires: [], petitions: [] },
    openChecks: [],
    spotPlans: [],
    generations: {},
  };
  const status = st.status;
  const base = { roundId, unitId };
  const tasks = new TaskBook(fx, st.tasks, base);
  const at = () => nowIso();
  const once = async (key: string, fn: () => Promise<void>) => {
    if (st.done.includes(key)) return;
    // The whole block counts as work in flight: no continue-as-new half-way through it.
    await fx.run(fn);
    st.done.push(key);
  };
  const openProblems = () => status.problems.filter((p) => !p.fixedOnTheSpot);
  const overdueCount = () => status.items.filter((i) => i.state === 'open' && i.overdue).length;
  const settled = () => status.items.every((i) => i.state === 'closed' || i.kind === 'long-term') && (openProblems().length === 0 || !!st.plan);

  // The round keeps counts only: since the patch, a summary equal to the last one sent is not sent
  // again (every item step used to become a signal to the round, one workflow task each).
  let lastTold = '';
  const tellRound = () => {
    const summary = {
      unitId,
      phase: status.phase,
      items: status.items.length,
      closed: status.items.filter((i) => i.state === 'closed').length,
      overdue: overdueCount(),
      longTermOpen: status.items.filter((i) => i.state === 'open' && i.kind === 'long-term').length,
    };
    const key = JSON.stringify(summary);
    if (key === lastTold && (atStart || patched('dedupe-round-signals'))) return Promise.resolve();
    lastTold = key;
    st.told = (st.told ?? 0) + 1;
    return fx.tell(roundWorkflowId(roundId), M.unitChangedSignal, { ...summary, seq: st.told });
  };

  async function enterPhase(phase: UnitPhase, timestamps?: Record<string, string | undefined>): Promise<void> {
    status.phase = phase;
    upsertSearchAttributes([{ key: PhaseKey, value: phase }]);
    const ts = Object.fromEntries(Object.entries(timestamps ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;
    await fx.record({ type: 'unit.phase', eventKey: `${wfId}:phase:${phase}`, at: at(), actor: 'system', ...base, phase, timestamps: ts });
    await tellRound();
  }
  const escalate = (key: string, step: string, detail: Record<string, string | number>, itemId?: string) => {
    if (!status.escalations.includes(key)) status.escalations.push(key);
    return fx.record({ type: 'escalation', eventKey: `${wfId}:${key}:escalation`, at: at(), actor: 'system', ...base, escalationKey: `${wfId}:${key}`, itemId, step, detail });
  };

  let lastOverdue: number | undefined;

  // ---- queries and signals
  setHandler(M.unitStatusQuery, () => ({ ...status, openTasks: [...st.tasks], spotChecks: [...status.spotChecks] }));
  setHandler(M.itemChangedSignal, ({ seq, ...s }: ItemSummary & { seq?: number }) => {
    // Signals sent in one task of the item may arrive out of order: keep the newest summary only.
    if (seq !== undefined) {
      st.itemSeqs ??= {};
      if (seq <= (st.itemSeqs[s.itemId] ?? 0)) return;
      st.itemSeqs[s.itemId] = seq;
    }
    const i = status.items.findIndex((x) => x.itemId === s.itemId);
    if (i >= 0) status.items[i] = s;
    else status.items.push(s);
    // Since the patch, the search attribute is written only when the count changes (it was written
    // on every item's every change: one more event and visibility write each).
    const overdue = overdueCount();
    if (overdue !== lastOverdue || !(atStart || patched('dedupe-overdue-upserts'))) upsertSearchAttributes([{ key: OverdueItemsKey, value: overdue }]);
    lastOverdue = overdue;
    void tellRound();
  });
  setHandler(M.clueChangedSignal, (c) => {
    const x = status.clues.find((y) => y.clueId === c.clueId);
    if (x) Object.assign(x, { state: c.state, overdue: c.overdue });
  });

  // ---- human steps (each a workflow Update with a synchronous validator)
  const must = (ok: boolean, message: string, path = '(state)') => {
    if (!ok) throw new ValidationError(message, [{ path, message }]);
  };
  const inPhase = (what: string, ...phases: UnitPhase[]) =>
    must(phases.includes(status.phase), `${what}: not allowed while unit "${unitId}" is in ${status.phase} (allowed: ${phases.join(', ')})`);

  tasks.handleCompletion(['mobilisation-meeting', 'democratic-life-meeting', 'accountability', 'interview']);

  setHandler(
    M.replyInfoRequestUpdate,
    async (raw) => {
      const r = parseOrThrow(L.ReplyInfoRequestInput, raw, 'replyInfoRequest');
      status.infoReplies.push(r.source);
      const taskId = `${wfId}:info:${r.source}`;
      const i = st.tasks.findIndex((t) => t.taskId === taskId);
      if (i >= 0) st.tasks.splice(i, 1);
      await fx.closeTask({ ...base, taskId, by: r.by, outcome: r.summary });
      return { taskId };
    },
    {
      validator: (raw) => {
        const r = parseOrThrow(L.ReplyInfoRequestInput, raw, 'replyInfoRequest');
        must(st.tasks.some((t) => t.taskId === `${wfId}:info:${r.source}`), `replyInfoRequest: source: no open information request to ${r.source}`, 'source');
      },
    },
  );

  const stationingRecord = <S extends 'talks' | 'fileChecks' | 'questionnaires'>(kind: S, id: string, what: string) => {
    inPhase(what, 'stationing');
    must(!st.ids[kind].includes(id), `${what}: "${id}" is already recorded`, 'id');
  };
  setHandler(
    M.recordTalkUpdate,
    async (raw) => {
      const talk = parseOrThrow(L.RecordTalkInput, raw, 'recordTalk');
      st.ids.talks.push(talk.talkId);
      status.counts.talks++;
      await fx.record({ type: 'talk.recorded', eventKey: `${wfId}:talk:${talk.talkId}`, at: at(), actor: talk.by, ...base, talk });
      return { talkId: talk.talkId };
    },
    { validator: (raw) => stationingRecord('talks', parseOrThrow(L.RecordTalkInput, raw, 'recordTalk').talkId, 'recordTalk') },
  );
  setHandler(
    M.recordFileCheckUpdate,
    async (raw) => {
      const check = parseOrThrow(L.RecordFileCheckInput, raw, 'recordFileCheck');
      st.ids.fileChecks.push(check.checkId);
      status.counts.fileChecks++;
      await fx.record({ type: 'file-check.recorded', eventKey: `${wfId}:file-check:${check.checkId}`, at: at(), actor: check.by, ...base, check });
      return { checkId: check.checkId };
    },
    { validator: (raw) => stationingRecord('fileChecks', parseOrThrow(L.RecordFileCheckInput, raw, 'recordFileCheck').checkId, 'recordFileCheck') },
  );
  setHandler(
    M.recordQuestionnaireUpdate,
    async (raw) => {
      const q = parseOrThrow(L.RecordQuestionnaireInput, raw, 'recordQuestionnaire');
      st.ids.questionnaires.push(q.questionnaireId);
      status.counts.questionnaires++;
      await fx.record({ type: 'questionnaire.recorded', eventKey: `${wfId}:questionnaire:${q.questionnaireId}`, at: at(), actor: q.by, ...base, questionnaire: q });
      return { questionnaireId: q.questionnaireId };
    },
    {
      validator: (raw) =>
        stationingRecord('questionnaires', parseOrThrow(L.RecordQuestionnaireInput, raw, 'recordQuestionnaire').questionnaireId, 'recordQuestionnaire'),
    },
  );

  setHandler(
    M.recordPetitionUpdate,
    async (raw) => {
      const petition = parseOrThrow(L.RecordPetitionInput, raw, 'recordPetition');
      st.ids.petitions.push(petition.petitionId);
      status.counts.petitions++;
      await fx.record({ type: 'petition.recorded', eventKey: `${wfId}:petition:${petition.petitionId}`, at: at(), actor: petition.by, ...base, petition });
      const alleged = petition.allegesFalseRectificationOf ?? [];
      if (alleged.length > 0 && atOrAfter(status.phase, 'rectification')) {
        // 004: a petition alleging false rectification starts the same re-check as a look-back.
        await openCheck(`petition-${petition.petitionId}`, 'petition', alleged);
        return { petitionId: petition.petitionId, recheck: true };
      }
      return { petitionId: petition.petitionId, recheck: false };
    },
    {
      validator: (raw) => {
        const p = parseOrThrow(L.RecordPetitionInput, raw, 'recordPetition');
        must(!st.ids.petitions.includes(p.petitionId), `recordPetition: petitionId: "${p.petitionId}" is already recorded`, 'petitionId');
        const alleged = p.allegesFalseRectificationOf ?? [];
        // A closed unit is ending: a re-check opened now would end with it, its task open for ever.
        must(status.phase !== 'closed', `recordPetition: unit "${unitId}" is closed; a re-check can no longer be opened here`);
        if (status.phase !== 'stationing') {
          must(
            alleged.length > 0 && atOrAfter(status.phase, 'rectification'),
            `recordPetition: petitions are taken during stationing; after feedback only one alleging false rectification (allegesFalseRectificationOf) starts a re-check`,
          );
        }
        for (const id of alleged) must(status.items.some((i) => i.itemId === id), `recordPetition: allegesFalseRectificationOf: unknown item "${id}"`, 'allegesFalseRectificationOf');
      },
    },
  );

  setHandler(
    M.recordProblemUpdate,
    async (raw) => {
      const p = parseOrThrow(P.RecordProblemInput, raw, 'recordProblem');
      const recordedAt = at();
      status.problems.push({ problemId: p.problemId, category: p.category, title: p.title, recordedAt, fixedOnTheSpot: false });
      await fx.record({ type: 'problem.recorded', eventKey: `${wfId}:problem:${p.problemId}`, at: recordedAt, actor: p.recordedBy, ...base, problem: p });
      return { problemId: p.problemId };
    },
    {
      validator: (raw) => {
        const p = parseOrThrow(P.RecordProblemInput, raw, 'recordProblem');
        must(status.phase === 'stationing', `recordProblem: problems are recorded during stationing (进驻); unit "${unitId}" is in ${status.phase}`);
        must(!status.problems.some((x) => x.problemId === p.problemId), `recordProblem: problemId: "${p.problemId}" is already recorded`, 'problemId');
      },
    },
  );

  setHandler(
    M.fixOnTheSpotUpdate,
    async (raw) => {
      const fix = parseOrThrow(L.FixOnTheSpotInput, raw, 'fixOnTheSpot');
      status.problems.find((p) => p.problemId === fix.problemId)!.fixedOnTheSpot = true;
      await fx.record({ type: 'problem.fixed-on-the-spot', eventKey: `${wfId}:fixed:${fix.problemId}`, at: at(), actor: fix.by, ...base, fix });
      return { problemId: fix.problemId };
    },
    {
      validator: (raw) => {
        const fix = parseOrThrow(L.FixOnTheSpotInput, raw, 'fixOnTheSpot');
        inPhase('fixOnTheSpot', 'stationing');
        const p = status.problems.find((x) => x.problemId === fix.problemId);
        must(!!p, `fixOnTheSpot: problemId: unknown problem "${fix.problemId}"`, 'problemId');
        must(!p!.fixedOnTheSpot, `fixOnTheSpot: problemId: "${fix.problemId}" was already fixed on the spot`, 'problemId');
      },
    },
  );

  setHandler(
    M.transferClueUpdate,
    async (raw) => {
      const clue = parseOrThrow(L.TransferClueInput, raw, 'transferClue');
      status.clues.push({ clueId: clue.clueId, to: clue.to, state: 'open', overdue: false });
      const reportBackDue = await fx.addDuration(at(), policy.clueReportBack);
      await fx.run(() =>
        startChild(clueWorkflow, {
          workflowId: clueWorkflowId(roundId, unitId, clue.clueId),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          args: [{ roundId, unitId, unitWorkflowId: wfId, clue, reportBackDue, timeline: policy.clueTimeline }],
        }),
      );
      return { clueId: clue.clueId, reportBackDue };
    },
    {
      validator: (raw) => {
        const clue = parseOrThrow(L.TransferClueInput, raw, 'transferClue');
        inPhase('transferClue', 'stationing', 'report', 'feedback', 'rectification');
        must(!status.clues.some((c) => c.clueId === clue.clueId), `transferClue: clueId: "${clue.clueId}" was already transferred`, 'clueId');
        if (clue.problemId) must(status.problems.some((p) => p.problemId === clue.problemId), `transferClue: problemId: unknown problem "${clue.problemId}"`, 'problemId');
      },
    },
  );

  // 报告: the group submits; the office reviews; the leading group and the secretary's meeting approve.
  async function openSubmitTask(reason?: string): Promise<void> {
    const n = status.reportRejections.length;
    await tasks.add({
      taskId: `${wfId}:report:${n}`,
      kind: 'submit-report',
      assigneeRole: 'inspectionGroup',
      subject: reason ? `修改巡察报告（退回原因：${reason}）` : `提交${unit.name}巡察报告`,
      dueAt: await fx.addDuration(status.stationingEndsAt ?? at(), policy.reportWithin),
      updateName: 'submitReport',
    });
  }
  steps.handle(
    M.submitReportUpdate,
    async (raw) => {
      const r = parseOrThrow(L.SubmitReportInput, raw, 'submitReport');
      status.reportStage = 'office';
      await fx.record({ type: 'report.submitted', eventKey: `${wfId}:report-submitted:${status.reportRejections.length}`, at: at(), actor: r.by, ...base, summary: r.summary });
      await tasks.close('submit-report', r.by);
      const [kind, role, subject] = STAGE_TASK.office;
      await tasks.add({ taskId: `${wfId}:review:office:${status.reportRejections.length}`, kind, assigneeRole: role, subject, dueAt: await fx.addDuration(at(), policy.reviewWithin), updateName: 'reviewReport' });
      return { stage: status.reportStage };
    },
    (raw) => {
      parseOrThrow(L.SubmitReportInput, raw, 'submitReport');
      inPhase('submitReport', 'report');
      must(status.reportStage === 'draft', `submitReport: the report is already with ${status.reportStage}`);
    },
  );
  steps.handle(
    M.reviewReportUpdate,
    async (raw) => {
      const r = parseOrThrow(L.ReviewReportInput, raw, 'reviewReport');
      const stage = r.stage;
      const n = status.reportRejections.length;
      const next = r.decision === 'approve' ? NEXT_STAGE[stage] : 'draft';
      if (r.decision === 'reject') status.reportRejections.push({ stage, reason: r.reason!, at: at() });
      status.reportStage = next;
      if (next === 'approved') st.approvedAt = at();
      await fx.record({ type: 'report.reviewed', eventKey: `${wfId}:review:${stage}:${n}`, at: at(), actor: r.by, ...base, stage, decision: r.decision, reason: r.reason, nextStage: next });
      await tasks.close(STAGE_TASK[stage][0], r.by, r.decision === 'approve' ? '通过' : `退回：${r.reason}`);
      const approvedTo = NEXT_STAGE[stage];
      if (r.decision === 'reject') await openSubmitTask(r.reason);
      else if (approvedTo !== 'approved') {
        const [kind, role, subject] = STAGE_TASK[approvedTo];
        await tasks.add({ taskId: `${wfId}:review:${approvedTo}:${n}`, kind, assigneeRole: role, subject, dueAt: await fx.addDuration(at(), policy.reviewWithin), updateName: 'reviewReport' });
      }
      return { stage: next };
    },
    (raw) => {
      const r = parseOrThrow(L.ReviewReportInput, raw, 'reviewReport');
      inPhase('reviewReport', 'report');
      must(status.reportStage === r.stage, `reviewReport: stage: the report is with ${status.reportStage}, not ${r.stage}`, 'stage');
    },
  );

  setHandler(
    M.holdFeedbackUpdate,
    async (raw) => {
      const r = parseOrThrow(L.HoldFeedbackInput, raw, 'holdFeedback');
      status.feedbackAt = at();
      await fx.record({ type: 'feedback.held', eventKey: `${wfId}:feedback`, at: status.feedbackAt, actor: r.by, ...base });
      await tasks.close('feedback-meeting', r.by, r.note);
      return { feedbackAt: status.feedbackAt, items: openProblems().length };
    },
    {
      validator: (raw) => {
        parseOrThrow(L.HoldFeedbackInput, raw, 'holdFeedback');
        inPhase('holdFeedback', 'feedback');
        must(!status.feedbackAt, 'holdFeedback: the feedback meeting was already held');
      },
    },
  );

  // 整改方案: every open problem exactly once; each item then runs as its own workflow.
  async function startItem(p: LT.PlanItem, reopen?: LT.ReopenItemInput): Promise<void> {
    const problem = status.problems.find((x) => x.problemId === p.problemId)!;
    const generation = (st.generations[p.problemId] ?? 0) + 1;
    st.generations[p.problemId] = generation;
    const itemInput: ItemInput = {
      roundId,
      unitId,
      itemId: p.problemId,
      problemId: p.problemId,
      title: problem.title,
      deadline: new Date(Date.parse(p.deadline)).toISOString(),
      kind: p.kind,
      measures: p.measures,
      responsible: p.responsible,
      unitWorkflowId: wfId,
      // Since the patch, only the fields an item uses (its ladders, not the whole round policy): this
      // input stays in the memory of every cached item and in every item's history.
      policy: atStart || patched('item-policy-fields') ? itemPolicy(policy) : policy,
      reopen,
      generation,
    };
    await fx.run(() =>
      startChild(itemWorkflow, {
        workflowId: itemWorkflowId(roundId, unitId, p.problemId),
        ...(itemsOwnQueue ? { taskQueue: ITEM_TASK_QUEUE } : {}),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [itemInput],
        typedSearchAttributes: [
          { key: RoundIdKey, value: roundId },
          { key: UnitIdKey, value: unitId },
        ],
      }),
    );
  }
  steps.handle(
    M.fileRectificationPlanUpdate,
    async (raw) => {
      const plan = parseOrThrow(L.FileRectificationPlanInput, raw, 'fileRectificationPlan');
      st.plan = plan.items;
      status.planFiledAt = at();
      for (const it of plan.items) {
        // What the unit counts (see ItemSummary); the item tells it when that changes, not when it is issued.
        status.items.push({ itemId: it.problemId, kind: it.kind, state: 'open', deadline: new Date(Date.parse(it.deadline)).toISOString(), overdue: false });
      }
      await fx.record({ type: 'plan.filed', eventKey: `${wfId}:plan`, at: status.planFiledAt, actor: plan.by, ...base, plan });
      await tasks.close('file-plan', plan.by);
      // Since the patch, all items' start commands go out in one workflow task instead of one task each.
      if (atStart || patched('parallel-item-starts')) await Promise.all(plan.items.map((it) => startItem(it)));
      else for (const it of plan.items) await startItem(it);
      await tellRound();
      return { items: plan.items.map((i) => i.problemId) };
    },
    (raw) => {
      const plan = parseOrThrow(L.FileRectificationPlanInput, raw, 'fileRectificationPlan');
      must(!!status.feedbackAt && inRectification(), `fileRectificationPlan: the plan is filed once the unit is in rectification, after the feedback meeting (unit "${unitId}" is in ${status.phase})`);
      must(!st.plan, 'fileRectificationPlan: the plan was already filed');
      const open = openProblems().map((p) => p.problemId);
      plan.items.forEach((it, i) => {
        must(open.includes(it.problemId), `fileRectificationPlan: items.${i}.problemId: "${it.problemId}" is not an open problem of this unit`, `items.${i}.problemId`);
        must(
          Date.parse(it.deadline) > Date.parse(status.feedbackAt!),
          `fileRectificationPlan: items.${i}.deadline: must be after the feedback (${status.feedbackAt})`,
          `items.${i}.deadline`,
        );
      });
      const missing = open.filter((id) => !plan.items.some((it) => it.problemId === id));
      must(missing.length === 0, `fileRectificationPlan: items: every problem needs measures; missing ${missing.join(', ')}`, 'items');
    },
  );

  steps.handle(
    M.submitRectificationReportUpdate,
    async (raw) => {
      const r = parseOrThrow(L.SubmitRectificationReportInput, raw, 'submitRectificationReport');
      status.rectificationReportAt = at();
      await fx.record({ type: 'rectification-report.submitted', eventKey: `${wfId}:rectification-report`, at: status.rectificationReportAt, actor: r.by, ...base, summary: r.summary });
      await tasks.close('rectification-report', r.by);
      return { submittedAt: status.rectificationReportAt };
    },
    (raw) => {
      parseOrThrow(L.SubmitRectificationReportInput, raw, 'submitRectificationReport');
      must(!!status.feedbackAt && inRectification(), `submitRectificationReport: the rectification report follows the feedback, once the unit is in rectification (unit "${unitId}" is in ${status.phase})`);
      must(!status.rectificationReportAt, 'submitRectificationReport: the rectification report was already submitted');
    },
  );

  // 深刻检查: demanded at the report deadline for unfinished items; a rejected one goes to the discipline commission.
  steps.handle(
    M.submitSelfExaminationUpdate,
    async (raw) => {
      const r = parseOrThrow(L.SubmitSelfExaminationInput, raw, 'submitSelfExamination');
      st.selfExam = 'submitted';
      await fx.record({ type: 'self-examination.submitted', eventKey: `${wfId}:self-exam:submitted`, at: at(), actor: r.by, ...base, text: r.text });
      await tasks.close('self-examination', r.by);
      await tasks.add({
        taskId: `${wfId}:self-exam:review`,
        kind: 'review-self-examination',
        assigneeRole: 'office',
        subject: `审核${unit.name}深刻检查`,
        dueAt: await fx.addDuration(at(), policy.reviewWithin),
        updateName: 'reviewSelfExamination',
      });
      return { submittedAt: at() };
    },
    (raw) => {
      parseOrThrow(L.SubmitSelfExaminationInput, raw, 'submitSelfExamination');
      must(st.selfExam === 'demanded', 'submitSelfExamination: no self-examination is demanded of this unit');
    },
  );
  steps.handle(
    M.reviewSelfExaminationUpdate,
    async (raw) => {
      const r = parseOrThrow(L.ReviewSelfExaminationInput, raw, 'reviewSelfExamination');
      st.selfExam = r.decision === 'accept' ? 'accepted' : 'rejected';
      await fx.record({ type: 'self-examination.reviewed', eventKey: `${wfId}:self-exam:reviewed`, at: at(), actor: r.by, ...base, decision: r.decision, reason: r.reason });
      await tasks.close('review-self-examination', r.by, r.reason);
      if (r.decision === 'reject') await referToDiscipline('self-exam-rejected', `深刻检查未通过（${r.reason}）`);
      return { decision: r.decision };
    },
    (raw) => {
      parseOrThrow(L.ReviewSelfExaminationInput, raw, 'reviewSelfExamination');
      must(st.selfExam === 'submitted', 'reviewSelfExamination: there is no submitted self-examination to review');
    },
  );

  async function referToDiscipline(key: string, why: string): Promise<void> {
    await fx.notify({ key: `${wfId}:${key}`, template: 'discipline-referral', ...base, to: ['disciplineCommission'], itemTitle: `${unit.name}巡察整改`, deadline: status.rectificationReportDue, data: { why } });
    await tasks.add({
      taskId: `${wfId}:${key}:task`,
      kind: 'accountability',
      assigneeRole: 'disciplineCommission',
      subject: `研究${unit.name}整改不力问责`,
      dueAt: await fx.addDuration(at(), '1 month'),
      updateName: 'completeTask',
    });
    await escalate(key, 'referral', { why });
  }

  // 回头看, 突击察访 and petition re-checks: findings reopen relapsed or falsely rectified items.
  function openCheck(checkId: string, kind: 'look-back' | 'spot-check' | 'petition', itemIds?: string[], confidentialUntil?: string, dueFrom?: string): Promise<void> {
    // Open at once for the validators; its task in turn with the findings (see `checks`).
    if (!st.openChecks.some((c) => c.checkId === checkId)) st.openChecks.push({ checkId, kind, itemIds });
    return checks.run(() => openCheckTask(checkId, kind, confidentialUntil, dueFrom));
  }
  async function openCheckTask(checkId: string, kind: 'look-back' | 'spot-check' | 'petition', confidentialUntil?: string, dueFrom?: string): Promise<void> {
    const dueAt = await fx.addDuration(dueFrom ?? at(), policy.lookBackWithin);
    if (kind !== 'spot-check') {
      await fx.notify({ key: `${wfId}:${checkId}:notice`, template: 'look-back', ...base, to: ['supervisionGroup'], deadline: dueAt });
    }
    await tasks.add({
      taskId: `${wfId}:${checkId}`,
      kind: kind === 'spot-check' ? 'spot-check' : 'look-back',
      assigneeRole: 'supervisionGroup',
      subject: kind === 'look-back' ? `${unit.name}巡察整改“回头看”` : kind === 'petition' ? `核查反映${unit.name}虚假整改的信访举报` : `${unit.name}突击察访`,
      dueAt,
      updateName: 'recordFindings',
      notify: kind !== 'spot-check',
      confidentialUntil,
    });
  }
  checks.handle(
    M.recordFindingsUpdate,
    async (raw) => {
      const f = parseOrThrow(L.RecordFindingsInput, raw, 'recordFindings');
      const check = st.openChecks.find((c) => c.checkId === f.checkId)!;
      st.openChecks.splice(st.openChecks.indexOf(check), 1);
      status.checks.push(f.checkId);
      await fx.record({ type: 'findings.recorded', eventKey: `${wfId}:findings:${f.checkId}`, at: at(), actor: f.by, ...base, kind: check.kind, findings: f });
      const taskKind = check.kind === 'spot-check' ? 'spot-check' : 'look-back';
      const t = st.tasks.find((x) => x.taskId === `${wfId}:${f.checkId}` && x.kind === taskKind);
      if (t) {
        st.tasks.splice(st.tasks.indexOf(t), 1);
        await fx.closeTask({ ...base, taskId: t.taskId, by: f.by });
      }
      const reopened: string[] = [];
      const deadline = await fx.addDuration(at(), policy.reopenDeadline);
      for (const finding of f.findings) {
        if (finding.verdict === 'sustained') continue;
        reopened.push(finding.itemId);
        const reopen: LT.ReopenItemInput = { by: f.by, checkId: f.checkId, verdict: finding.verdict, note: finding.note, deadline };
        const summary = status.items.find((i) => i.itemId === finding.itemId)!;
        const planned = st.plan!.find((p) => p.problemId === finding.itemId)!;
        const closedBefore = summary.state === 'closed';
        summary.state = 'open';
        if (closedBefore) {
          // A closed item's workflow has ended: a new run of the same id carries the reopening.
          await startItem(planned, reopen).catch(() => fx.tell(itemWorkflowId(roundId, unitId, finding.itemId), M.reopenItemSignal, reopen));
        } else {
          await fx.tell(itemWorkflowId(roundId, unitId, finding.itemId), M.reopenItemSignal, reopen);
        }
      }
      await tellRound();
      return { reopened };
    },
    (raw) => {
      const f = parseOrThrow(L.RecordFindingsInput, raw, 'recordFindings');
      const check = st.openChecks.find((c) => c.checkId === f.checkId);
      must(!!check, `recordFindings: checkId: no open look-back, spot check or re-check "${f.checkId}"`, 'checkId');
      if (check!.kind === 'spot-check') {
        const sc = status.spotChecks.find((s) => s.spotCheckId === f.checkId);
        must(sc?.state === 'started', `recordFindings: checkId: the spot check "${f.checkId}" has not started yet`, 'checkId');
      }
      f.findings.forEach((x, i) => must(status.items.some((it) => it.itemId === x.itemId), `recordFindings: findings.${i}.itemId: unknown item "${x.itemId}"`, `findings.${i}.itemId`));
    },
  );

  setHandler(
    M.planSpotCheckUpdate,
    async (raw) => {
      const sc = parseOrThrow(L.PlanSpotCheckInput, raw, 'planSpotCheck');
      const visitAt = new Date(Date.parse(sc.visitAt)).toISOString();
      st.spotPlans.push({ spotCheckId: sc.spotCheckId, visitAt, target: sc.target });
      status.spotChecks.push({ spotCheckId: sc.spotCheckId, visitAt, state: 'planned' });
      // Only the supervision group learns of it; every row stays out of the unit's sight until the visit.
      await fx.record({ type: 'spot-check.planned', eventKey: `${wfId}:spot:${sc.spotCheckId}`, at: at(), actor: sc.by, ...base, spotCheck: sc, confidentialUntil: visitAt });
      await fx.notify({
        key: `${wfId}:spot:${sc.spotCheckId}:plan`,
        template: 'spot-check-plan',
        ...base,
        to: ['supervisionGroup'],
        data: { target: sc.target, visitAt: sc.visitAt },
        confidentialUntil: visitAt,
      });
      await openCheck(sc.spotCheckId, 'spot-check', undefined, visitAt, visitAt);
      void spotCheckVisit(sc.spotCheckId);
      return { spotCheckId: sc.spotCheckId };
    },
    {
      validator: (raw) => {
        const sc = parseOrThrow(L.PlanSpotCheckInput, raw, 'planSpotCheck');
        must(atOrAfter(status.phase, 'rectification') && status.phase !== 'closed', `planSpotCheck: spot checks follow up rectification; unit "${unitId}" is in ${status.phase}`);
        must(Date.parse(sc.visitAt) > Date.now(), 'planSpotCheck: visitAt: must be in the future', 'visitAt');
        must(!status.spotChecks.some((s) => s.spotCheckId === sc.spotCheckId), `planSpotCheck: spotCheckId: "${sc.spotCheckId}" is already planned`, 'spotCheckId');
      },
    },
  );
  async function spotCheckVisit(spotCheckId: string): Promise<void> {
    const sc = status.spotChecks.find((s) => s.spotCheckId === spotCheckId)!;
    if (sc.state !== 'planned') return;
    await condition(() => false, fx.timeout(sc.visitAt));
    sc.state = 'started';
    await fx.record({ type: 'spot-check.started', eventKey: `${wfId}:spot:${spotCheckId}:started`, at: at(), actor: 'system', ...base, spotCheckId });
  }

  setHandler(
    M.publishResultsUpdate,
    async (raw) => {
      const p = parseOrThrow(L.PublishResultsInput, raw, 'publishResults');
      status.published = true;
      await fx.record({ type: 'results.published', eventKey: `${wfId}:published`, at: at(), actor: p.by, ...base, publication: p });
      await tasks.close('publish-results', p.by);
      await fx.notify({
        key: `${wfId}:published`,
        template: 'results-published',
        ...base,
        to: ['unitHead', 'leadingGroup'],
        data: { withheld: p.withheld.map((w) => `${w.subject}（${w.reason}）`).join('；') },
      });
      return { publishedAt: at() };
    },
    {
      validator: (raw) => {
        parseOrThrow(L.PublishResultsInput, raw, 'publishResults');
        inPhase('publishResults', 'disclosure');
        must(!status.published, 'publishResults: the results were already published');
      },
    },
  );

  // ---- the unit-level ladder at the rectification-report deadline (Tianjin's 负清单, 004)
  async function planLadder(): Promise<void> {
    if (!status.planDueAt || st.plan || openProblems().length === 0) return;
    await condition(() => !!st.plan, fx.timeout(status.planDueAt));
    if (st.plan) return;
    await once('plan-urge', async () => {
      await fx.notify({ key: `${wfId}:plan-urge`, template: 'urge', ...base, to: ['unitHead', 'partySecretary'], itemTitle: '整改方案', deadline: status.planDueAt });
      await escalate('plan-urge', 'urge', { subject: 'plan' });
    });
  }
  async function reportDeadlineLadder(): Promise<void> {
    if (!status.rectificationReportDue || st.done.includes('deadline-ladder')) return;
    await condition(() => false, fx.timeout(status.rectificationReportDue));
    await once('deadline-ladder', async () => {
      const due = status.rectificationReportDue;
      if (!status.rectificationReportAt) {
        await fx.notify({ key: `${wfId}:report-urge`, template: 'urge', ...base, to: ['unitHead', 'partySecretary'], itemTitle: '整改报告', deadline: due });
        await escalate('report-urge', 'urge', { subject: 'rectification-report' });
      }
      // Items: once a plan exists; before it, every open problem counts as an unfinished item.
      const total = st.plan ? status.items.length : openProblems().length;
      const closed = st.plan ? status.items.filter((i) => i.state === 'closed').length : 0;
      const unfinished = st.plan ? status.items.filter((i) => i.state === 'open' && i.kind !== 'long-term').length : total;
      if (unfinished > 0) {
        st.selfExam = 'demanded';
        // In turn with submitSelfExamination, which closes this task.
        await steps.run(async () => {
          await fx.notify({ key: `${wfId}:self-exam`, template: 'self-examination', ...base, to: ['unitHead', 'partySecretary'], deadline: due, data: { unfinished: String(unfinished) } });
          await tasks.add({
            taskId: `${wfId}:self-exam`,
            kind: 'self-examination',
            assigneeRole: 'unitHead',
            subject: `就${unfinished}项未完成整改任务作出深刻检查`,
            dueAt: await fx.addDuration(at(), '10 working-days'),
            updateName: 'submitSelfExamination',
            notify: false,
          });
        });
        await escalate('self-exam', 'self-examination', { unfinished });
      }
      const rate = rectificationRate(closed, total);
      if (total > 0 && closed / total < policy.democraticLifeMeetingBelowRate) {
        const data = { rate: rate.label, closed: String(closed), total: String(total) };
        await fx.notify({ key: `${wfId}:democratic-life`, template: 'democratic-life-meeting', ...base, to: ['unitHead', 'partySecretary'], data });
        await tasks.add({
          taskId: `${wfId}:democratic-life`,
          kind: 'democratic-life-meeting',
          assigneeRole: 'partySecretary',
          subject: `召开巡察整改专题民主生活会（整改率${rate.label}）`,
          dueAt: await fx.addDuration(at(), '1 month'),
          updateName: 'completeTask',
          notify: false,
        });
        await escalate('democratic-life', 'democratic-life-meeting', { rate: rate.percent });
        await fx.notify({ key: `${wfId}:circular`, template: 'circular', ...base, to: ['leadingGroup', 'office', 'unitHead'], data });
        await escalate('circular', 'circular', { rate: rate.percent });
      }
    });
  }

  // ---- the phases, resumable from state after continue-as-new
  async function sleepUntil(iso: string): Promise<void> {
    if (fx.waits(iso)) await condition(() => false, fx.timeout(iso));
  }
  async function lifecycle(): Promise<void> {
    if (status.phase === 'preparation') {
      await once('preparation', async () => {
        upsertSearchAttributes([
          { key: RoundIdKey, value: roundId },
          { key: UnitIdKey, value: unitId },
        ]);
        await enterPhase('preparation');
        status.stationingStartsAt = await fx.addDuration(st.startedAt, policy.preparation);
        const replyDue = await fx.addDuration(st.startedAt, policy.infoRequestReplyWithin);
        for (const source of INFO_SOURCES) {
          await fx.notify({ key: `${wfId}:info-request:${source}`, template: 'info-request', ...base, to: [source], deadline: replyDue });
          await tasks.add({
            taskId: `${wfId}:info:${source}`,
            kind: 'info-request-reply',
            assigneeRole: source,
            subject: `${INFO_LABELS[source]}提供${unit.name}有关情况`,
            dueAt: replyDue,
            updateName: 'replyInfoRequest',
            notify: false,
          });
        }
        const g = unit.group;
        await fx.notify({
          key: `${wfId}:announcement`,
          template: 'announcement',
          ...base,
          to: ['unitHead', 'partySecretary'],
          data: { phone: g?.phone ?? '（另行通知）', email: g?.email ?? '（另行通知）', mailbox: g?.mailbox ?? '（另行通知）' },
        });
        await tasks.add({
          taskId: `${wfId}:mobilisation`,
          kind: 'mobilisation-meeting',
          assigneeRole: 'inspectionGroup',
          subject: `召开${unit.name}巡察动员会`,
          dueAt: status.stationingStartsAt,
          updateName: 'completeTask',
        });
      });
      await sleepUntil(status.stationingStartsAt!);
      await once('stationing', async () => {
        status.stationingEndsAt = await fx.addDuration(status.stationingStartsAt!, policy.stationing);
        await enterPhase('stationing', { stationingStartsAt: status.stationingStartsAt, stationingEndsAt: status.stationingEndsAt });
      });
    }
    if (status.phase === 'stationing') {
      await sleepUntil(status.stationingEndsAt!);
      // Records whose ledger write is still in flight belong to stationing.
      await condition(allHandlersFinished);
      // Each phase's tasks exist before the phase is announced, so a step taken at once finds them.
      await once('report', async () => {
        await openSubmitTask();
        await enterPhase('report');
      });
    }
    if (status.phase === 'report') {
      await condition(() => status.reportStage === 'approved' && allHandlersFinished());
      await once('feedback', async () => {
        await tasks.add({
          taskId: `${wfId}:feedback`,
          kind: 'feedback-meeting',
          assigneeRole: 'office',
          subject: `召开${unit.name}巡察反馈会`,
          dueAt: await fx.addDuration(st.approvedAt ?? at(), policy.feedbackWithin),
          updateName: 'holdFeedback',
        });
        await enterPhase('feedback');
      });
    }
    if (status.phase === 'feedback') {
      await condition(() => !!status.feedbackAt && allHandlersFinished());
      await once('rectification', () =>
        steps.run(async () => {
          status.planDueAt = await fx.addDuration(status.feedbackAt!, policy.planWithin);
          status.rectificationReportDue = await fx.addDuration(status.feedbackAt!, policy.rectificationReport);
          if (openProblems().length > 0) {
            await tasks.add({ taskId: `${wfId}:plan`, kind: 'file-plan', assigneeRole: 'unitHead', subject: `报送${unit.name}巡察整改方案`, dueAt: status.planDueAt, updateName: 'fileRectificationPlan' });
          }
          await tasks.add({
            taskId: `${wfId}:rectification-report`,
            kind: 'rectification-report',
            assigneeRole: 'unitHead',
            subject: `报送${unit.name}巡察整改报告`,
            dueAt: status.rectificationReportDue,
            updateName: 'submitRectificationReport',
          });
          await enterPhase('rectification', { feedbackAt: status.feedbackAt, rectificationReportDue: status.rectificationReportDue });
        }),
      );
      void planLadder();
      void reportDeadlineLadder();
    }
    if (status.phase === 'rectification') {
      // 回头看 comes a set time after the rectification report (or its deadline, if none came).
      if (!status.rectificationReportAt) await condition(() => !!status.rectificationReportAt, fx.timeout(status.rectificationReportDue!));
      status.lookBackAt ??= await fx.addDuration(status.rectificationReportAt ?? status.rectificationReportDue!, policy.lookBackAfter);
      await sleepUntil(status.lookBackAt);
      await once('look-back', async () => {
        await openCheck('look-back', 'look-back');
        await enterPhase('look-back');
      });
    }
    if (status.phase === 'look-back') {
      await condition(() => status.checks.includes('look-back') && allHandlersFinished());
      await once('disclosure', async () => {
        await tasks.add({
          taskId: `${wfId}:publish`,
          kind: 'publish-results',
          assigneeRole: 'office',
          subject: `公开${unit.name}巡察整改情况`,
          dueAt: await fx.addDuration(at(), policy.reviewWithin),
          updateName: 'publishResults',
        });
        await enterPhase('disclosure');
      });
    }
    if (status.phase === 'disclosure') {
      // The unit closes when results are public and only long-term items (if any) remain open.
      await condition(() => status.published && settled() && st.openChecks.length === 0 && allHandlersFinished());
      await once('closed', () => enterPhase('closed', { closedAt: at() }));
    }
  }

  if (st.done.includes('rectification')) {
    void planLadder();
    void reportDeadlineLadder();
  }
  for (const sc of status.spotChecks) if (sc.state === 'planned') void spotCheckVisit(sc.spotCheckId);

  await runOrContinue(fx, policy.historyLimit, allHandlersFinished, lifecycle(), () => continueAsNew<typeof unitWorkflow>({ ...input, state: st }));
  await condition(() => fx.busy === 0 && allHandlersFinished());
  return { ...status, openTasks: [...st.tasks] };
}
