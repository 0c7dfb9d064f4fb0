// The test clock's guard against the time-skipping server's lock leaks (test/support/time-skipping.ts)
// releases a lock only when no open workflow waits on anything; this is how it tells, on real histories.
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { HISTORIES_DIR } from './support/histories';
import { outstanding } from './support/time-skipping';

const events = (file: string) => temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'))).events;
/** The history as it stood just after its first event of `kind`. */
const cutAfter = (all: temporal.api.history.v1.IHistoryEvent[], kind: keyof temporal.api.history.v1.IHistoryEvent) => all.slice(0, all.findIndex((e) => e[kind]) + 1);

test.each(['round.ledger-sink.json', 'unit.ledger-sink.json', 'item.ledger-sink.json'])('a finished run (%s) waits on nothing', (file) => {
  expect(outstanding(events(file))).toEqual([]);
});

test('a run cut just after a workflow task, an activity, a child start or a signal was asked for waits on it', () => {
  const unit = events('unit.ledger-sink.json');
  const round = events('round.ledger-sink.json');
  expect(outstanding(cutAfter(unit, 'workflowTaskScheduledEventAttributes'))).toEqual(['workflow task']);
  expect(outstanding(cutAfter(unit, 'workflowTaskStartedEventAttributes'))).toEqual(['workflow task']);
  expect(outstanding(cutAfter(unit, 'activityTaskScheduledEventAttributes'))).toEqual(['activity sendNotice']);
  expect(outstanding(cutAfter(round, 'startChildWorkflowExecutionInitiatedEventAttributes'))).toEqual(['child start']);
  expect(outstanding(cutAfter(unit, 'signalExternalWorkflowExecutionInitiatedEventAttributes'))).toEqual(['external signal']);
});
