// TaskBook's ordering rule, in plain code: a step that settles a task the workflow has not written
// yet must still close it once it is written. The interleaving is the one a clue or a letter meets when
// its report-back arrives in the activation where its start-up notice completes: the step asks first,
// and the workflow's own `add` of that task runs before the step's next microtask.
import type { Effects } from '../src/workflows/common';
import { TaskBook } from '../src/workflows/tasks';

function book() {
  const rows: string[] = [];
  const fx = {
    openTask: async (t: { taskId: string }) => void rows.push(`opened ${t.taskId}`),
    closeTask: async (t: { taskId: string; by: string }) => void rows.push(`closed ${t.taskId} by ${t.by}`),
  } as unknown as Effects;
  return { rows, tasks: new TaskBook(fx, [], { roundId: 'r1', unitId: 'u1' }) };
}
const reportBack = { taskId: 'clue/1:report-back', kind: 'clue-report-back', assigneeRole: 'disciplineCommission', subject: '反馈问题线索办理情况', dueAt: '2027-05-23T00:00:00.000Z', updateName: 'reportClueOutcome', notify: false } as const;

test.each([
  ['decided at once (task-settled-at-once)', true],
  ['decided after an await (older runs), the task is left open', false],
])('a step that settles a task just before the workflow writes it: %s', async (_, atOnce) => {
  const { rows, tasks } = book();
  const step = tasks.closeOrRemember('clue-report-back', 'jiwei-li', '已立案审查', atOnce);
  const add = tasks.add({ ...reportBack });
  await Promise.all([step, add]);
  if (atOnce) {
    expect(rows).toEqual(['opened clue/1:report-back', 'closed clue/1:report-back by jiwei-li']);
    expect(tasks.open).toEqual([]);
  } else {
    // The negative control: the older order leaves the task open, which is why the patch exists.
    expect(rows).toEqual(['opened clue/1:report-back']);
    expect(tasks.open.map((t) => t.taskId)).toEqual(['clue/1:report-back']);
  }
});

test.each([true, false])('a step after the task was written closes it at once (atOnce %s)', async (atOnce) => {
  const { rows, tasks } = book();
  await tasks.add({ ...reportBack });
  await tasks.closeOrRemember('clue-report-back', 'jiwei-li', '已立案审查', atOnce);
  expect(rows).toEqual(['opened clue/1:report-back', 'closed clue/1:report-back by jiwei-li']);
  expect(tasks.open).toEqual([]);
});

test('a step long before the task is written closes it when it is (atOnce)', async () => {
  const { rows, tasks } = book();
  await tasks.closeOrRemember('clue-report-back', 'jiwei-li', '已立案审查', true);
  expect(rows).toEqual([]);
  await tasks.add({ ...reportBack });
  expect(rows).toEqual(['opened clue/1:report-back', 'closed clue/1:report-back by jiwei-li']);
});
