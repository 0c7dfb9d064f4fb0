// Generated bad Updates sent straight to real workflows (no client-side zod in front) on the
// time-skipping server: a valid rectification plan or item step with one thing broken — deadlines
// before the feedback or out of any calendar, unknown and duplicated problem ids, huge strings, odd
// Unicode, wrong types, missing problems. Each is refused by the workflow's validator naming the
// broken field; nothing changes; no workflow task ever fails; then a valid plan is accepted
// (the control: the validators refuse what is wrong, not everything).
import fc from 'fast-check';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { itemWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import * as M from '../../src/domain/messages';
import { DAY, lifecycleSuite, problem, roundInRectification } from '../support/lifecycle';

const s = lifecycleSuite();
const PLAN_CASES = Number(process.env.PLAN_CASES ?? 1200);
const ITEM_CASES = 800;
let total = 0;

const ODD = ['\u202e', '\u200b', '\u0000', '🙈', 'Ｐ１', 'p 1', 'P1', 'p1;DROP TABLE items', '../p1', 'ǅ', '\ud800'];
/** Longer than `n` even after trimming (the schemas trim before they count). */
const huge = (n: number) => fc.string({ maxLength: 40 }).map((x) => '长'.repeat(n + 1) + x.trim());
/** Instants no calendar has, or none the round can use. */
const badInstant = fc.oneof(
  fc.constantFrom('2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2026-06-01', '明年六月', '', 'NaN', '2026-06-01T25:00:00Z'),
  fc.string({ maxLength: 30 }),
);

interface Case {
  what: string;
  input: Record<string, unknown>;
  /** The field the refusal must name. */
  field: string;
}

const T = temporal.api.enums.v1.EventType;
async function noWorkflowTaskFailed(workflowId: string): Promise<void> {
  const history = await s.env.client.workflow.getHandle(workflowId).fetchHistory();
  expect(history.events!.filter((e) => e.eventType === T.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
}

async function refused(workflowId: string, def: { name: string }, c: Case): Promise<void> {
  total++;
  const err = await s.env.client.workflow
    .getHandle(workflowId)
    .executeUpdate(def as never, { args: [c.input as never] })
    .then(
      () => undefined,
      (e: Error) => e,
    );
  if (!(err instanceof WorkflowUpdateFailedError)) throw new Error(`${c.what}: not refused (${err ? `${err.constructor.name}: ${err.message}` : 'accepted'}): ${JSON.stringify(c.input).slice(0, 300)}`);
  const message = err.cause?.message ?? '';
  // "<update>: <field path>: <rule>", naming the field that was broken.
  if (!message.startsWith(`${def.name}: ${c.field}`)) throw new Error(`${c.what}: refusal names the wrong field (want ${c.field}): ${message.slice(0, 300)}`);
}

test(`${PLAN_CASES} generated bad plans and ${ITEM_CASES} bad item steps are refused by real workflows naming the field`, async () => {
  const r = await roundInRectification(s, { prefix: 'upd', problems: [problem('p1', '违规发放津补贴'), problem('p2', '公务接待超标准')] });
  const unitId = unitWorkflowId(r.roundId, r.unitId);
  const head = r.round.units[0]!.head;
  const after = (days: number) => new Date(Date.parse(r.feedbackAt) + days * DAY).toISOString();
  const item = (problemId: string) => ({ problemId, measures: '建立健全制度，逐项整改到位。', responsible: head, deadline: after(30), kind: 'time-limited' });
  const plan = () => ({ by: head.personId, items: [item('p1'), item('p2')] });
  const before = await s.xc.unitStatus(r.roundId, r.unitId);

  const i = fc.constantFrom(0, 1);
  const planCase: fc.Arbitrary<Case> = fc.oneof(
    fc.tuple(i, fc.integer({ min: 0, max: 3650 })).map(([n, d]) => {
      const p = plan();
      p.items[n]!.deadline = new Date(Date.parse(r.feedbackAt) - d * DAY).toISOString();
      return { what: 'deadline before the feedback', input: p, field: `items.${n}.deadline` };
    }),
    fc.tuple(i, badInstant).map(([n, d]) => {
      const p = plan();
      p.items[n]!.deadline = d;
      return { what: 'deadline out of the calendar', input: p, field: `items.${n}.deadline` };
    }),
    fc.tuple(i, fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((x) => x !== 'p1' && x !== 'p2')).map(([n, id]) => {
      const p = plan();
      p.items[n]!.problemId = id;
      return { what: 'unknown problem id', input: p, field: `items.${n}.problemId` };
    }),
    fc.constantFrom('p1', 'p2').map((id) => {
      const p = plan();
      p.items = [item(id), item(id)];
      return { what: 'duplicated problem id', input: p, field: 'items.1.problemId' };
    }),
    fc.tuple(i, fc.constantFrom(...ODD)).map(([n, odd]) => {
      const p = plan();
      p.items[n]!.problemId = odd;
      return { what: 'odd Unicode in an id', input: p, field: `items.${n}.problemId` };
    }),
    fc.tuple(i, huge(5000)).map(([n, text]) => {
      const p = plan();
      p.items[n]!.measures = text;
      return { what: 'huge measures', input: p, field: `items.${n}.measures` };
    }),
    fc.tuple(i, fc.oneof(huge(64), fc.constantFrom('', '   '))).map(([n, name]) => {
      const p = plan();
      p.items[n]!.responsible = { ...head, name };
      return { what: 'bad responsible name', input: p, field: `items.${n}.responsible.name` };
    }),
    fc.tuple(i, fc.oneof(fc.constantFrom('not-an-email', '张局长@', 'a@b', '@example.cn', 'x@例子.中国 '), fc.string({ maxLength: 20 }).filter((x) => !x.includes('@')))).map(([n, email]) => {
      const p = plan();
      p.items[n]!.responsible = { ...head, email };
      return { what: 'bad responsible e-mail', input: p, field: `items.${n}.responsible.email` };
    }),
    fc.tuple(i, fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('permanent', 'LONG-TERM', null, 3))).map(([n, kind]) => {
      const p = plan() as { by: string; items: Record<string, unknown>[] };
      p.items[n]!.kind = kind;
      return { what: 'unknown kind', input: p, field: `items.${n}.kind` };
    }),
    fc.oneof(fc.constantFrom(...ODD), huge(100), fc.integer()).map((by) => ({ what: 'bad actor', input: { ...plan(), by }, field: 'by' })),
    fc.constantFrom('p1', 'p2').map((keep) => ({ what: 'a problem left out', input: { ...plan(), items: [item(keep)] }, field: 'items' })),
  );
  const planCases = fc.sample(planCase, { numRuns: PLAN_CASES, seed: 20261123 });
  for (const c of planCases) await refused(unitId, M.fileRectificationPlanUpdate, c);
  // Nothing changed, nothing failed.
  expect(await s.xc.unitStatus(r.roundId, r.unitId)).toEqual(before);
  await noWorkflowTaskFailed(unitId);

  // The control: the same plan, unbroken, is accepted; then the items take their own bad steps.
  await s.xc.unitStep(r.roundId, r.unitId, 'fileRectificationPlan', plan());
  const itemId = itemWorkflowId(r.roundId, r.unitId, 'p1');
  await s.clock.pause(500);
  const itemBefore = await s.xc.itemStatus(r.roundId, r.unitId, 'p1');
  const now = Date.parse(new Date(await s.env.currentTimeMs()).toISOString());
  const itemCase: fc.Arbitrary<[{ name: string }, Case]> = fc.oneof(
    fc.integer({ min: 1, max: 3650 }).map((d): [{ name: string }, Case] => [
      M.reconcileItemUpdate,
      { what: 'returned with a past deadline', input: { by: 'office-wang', decision: 'return', reason: '佐证不足', newDeadline: new Date(now - d * DAY).toISOString() }, field: 'newDeadline' },
    ]),
    badInstant.map((d): [{ name: string }, Case] => [
      M.reconcileItemUpdate,
      { what: 'returned with no real deadline', input: { by: 'office-wang', decision: 'return', reason: '佐证不足', newDeadline: d }, field: 'newDeadline' },
    ]),
    fc.constant<[{ name: string }, Case]>([M.reconcileItemUpdate, { what: 'closed without evidence', input: { by: 'office-wang', decision: 'close', evidence: [] }, field: 'evidence' }]),
    fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('完成', 'DONE', null)).map((status): [{ name: string }, Case] => [
      M.reportProgressUpdate,
      { what: 'unknown progress status', input: { by: head.personId, status, note: '进展' }, field: 'status' },
    ]),
    huge(5000).map((note): [{ name: string }, Case] => [M.reportProgressUpdate, { what: 'huge note', input: { by: head.personId, status: 'done', note }, field: 'note' }]),
    fc.integer({ min: 51, max: 80 }).map((n): [{ name: string }, Case] => [
      M.reportProgressUpdate,
      { what: 'too many evidence entries', input: { by: head.personId, status: 'done', note: '进展', evidence: Array.from({ length: n }, (_, k) => `凭证${k}`) }, field: 'evidence' },
    ]),
    fc.oneof(fc.constantFrom('not-an-email', ''), fc.string({ maxLength: 15 }).filter((x) => !x.includes('@'))).map((email): [{ name: string }, Case] => [
      M.claimItemUpdate,
      { what: 'claimed by a bad address', input: { leader: { personId: 'leader-x', name: '刘副县长', email } }, field: 'leader.email' },
    ]),
  );
  const itemCases = fc.sample(itemCase, { numRuns: ITEM_CASES, seed: 20261124 });
  for (const [def, c] of itemCases) await refused(itemId, def, c);
  expect(await s.xc.itemStatus(r.roundId, r.unitId, 'p1')).toEqual(itemBefore);
  await noWorkflowTaskFailed(itemId);
  await noWorkflowTaskFailed(unitId);
  const kinds = new Set([...planCases, ...itemCases.map(([, c]) => c)].map((c) => c.what));
  console.log(`[update-properties] ${total} generated bad Updates refused by real workflows naming the field (${kinds.size} kinds); no workflow task failed`);
  expect(total).toBe(PLAN_CASES + ITEM_CASES);
}, 600_000);
