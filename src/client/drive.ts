// Drives a unit through the human steps up to rectification, as the inspection group, the office
// and the unit head would. Used by the demo (`npm start`), the tests and the benchmark.
import type { RecordProblemInput } from '../domain/problem';
import type { PlanItem } from '../domain/lifecycle';
import type { UnitPhase, UnitStatus } from '../domain/status';
import type { XunchaClient } from './xuncha-client';

export interface Clock {
  /** Let `ms` of workflow time pass (real sleep on a real server, skipped on the test server). */
  advance(ms: number): Promise<void>;
  /** Real-time pause between polls. */
  pause(ms: number): Promise<void>;
}

export async function waitForPhase(xc: XunchaClient, clock: Clock, roundId: string, unitId: string, phase: UnitPhase, timeoutMs = 60_000): Promise<UnitStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await xc.unitStatus(roundId, unitId).catch(() => undefined);
    if (s?.phase === phase) return s;
    if (Date.now() > deadline) throw new Error(`unit ${unitId} of ${roundId} did not reach ${phase} (now ${s?.phase ?? 'not started'})`);
    await clock.pause(100);
  }
}

export interface DriveOptions {
  roundId: string;
  unitId: string;
  /** Workflow time to let pass for preparation and stationing (a little more than the policy's). */
  preparationMs: number;
  stationingMs: number;
  problems: RecordProblemInput[];
  /** Build the plan once feedback has been held (deadlines are counted from it). */
  plan?: (feedbackAt: string) => PlanItem[];
  office?: string;
  group?: string;
  unitHead?: string;
}

export async function driveToRectification(xc: XunchaClient, clock: Clock, o: DriveOptions): Promise<UnitStatus> {
  const { roundId, unitId } = o;
  const trace = (m: string) => process.env.DRIVE_TRACE && console.log(`[drive] ${roundId}: ${m}`);
  const office = o.office ?? 'office-wang';
  const group = o.group ?? 'inspector-chen';
  await waitForPhase(xc, clock, roundId, unitId, 'preparation');
  trace('preparation');
  await clock.advance(o.preparationMs);
  await waitForPhase(xc, clock, roundId, unitId, 'stationing');
  trace('stationing');
  for (const p of o.problems) await xc.recordProblem(roundId, unitId, p);
  await clock.advance(o.stationingMs);
  await waitForPhase(xc, clock, roundId, unitId, 'report');
  trace('report');
  await xc.unitStep(roundId, unitId, 'submitReport', { by: group, summary: '巡察报告：发现问题若干，详见问题底稿。' });
  for (const stage of ['office', 'leadingGroup', 'secretaryMeeting'] as const) {
    await xc.unitStep(roundId, unitId, 'reviewReport', { by: office, stage, decision: 'approve' });
  }
  await waitForPhase(xc, clock, roundId, unitId, 'feedback');
  trace('feedback');
  const { feedbackAt } = await xc.unitStep(roundId, unitId, 'holdFeedback', { by: office });
  const rect = await waitForPhase(xc, clock, roundId, unitId, 'rectification');
  trace('rectification');
  if (o.plan) await xc.unitStep(roundId, unitId, 'fileRectificationPlan', { by: o.unitHead ?? 'unit-head', items: o.plan(feedbackAt) });
  return rect;
}
