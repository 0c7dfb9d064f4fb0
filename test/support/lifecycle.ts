// Shared set-up for the lifecycle tests: one time-skipping server per file, the real workers, the
// real ledger and SMTP receiver, and a round driven to rectification with the product's own rules.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { driveToRectification, type Clock } from '../../src/client/drive';
import { XunchaClient } from '../../src/client/xuncha-client';
import type { PlanItem } from '../../src/domain/lifecycle';
import type { RoundPolicy } from '../../src/domain/policy';
import type { RecordProblemInput } from '../../src/domain/problem';
import { harness, realWorkers, sampleRound, skippingClock, stripEmails, timeSkippingEnv, uid, unitOf, type Harness } from './helpers';

const DAY = 86_400_000;

export interface Suite {
  env: TestWorkflowEnvironment;
  h: Harness;
  xc: XunchaClient;
  clock: Clock;
}
/**
 * One time-skipping server and one set of real workers for the whole file: workflows a failed
 * test leaves behind keep being served, so they cannot stall the server's clock for the next test.
 */
export function lifecycleSuite(): Suite {
  const s = {} as Suite;
  let running: Promise<unknown> | undefined;
  let workers: Awaited<ReturnType<typeof realWorkers>> | undefined;
  beforeAll(async () => {
    s.env = await timeSkippingEnv();
    s.h = harness();
    s.xc = new XunchaClient(s.env.client);
    s.clock = skippingClock(s.env);
    workers = await realWorkers(s.h, s.env.nativeConnection);
    running = workers.run();
  });
  afterAll(async () => {
    workers?.shutdown();
    await running?.catch(() => undefined);
    await s.h?.close();
    await s.env?.teardown();
  });
  return s;
}

export const problem = (problemId: string, title: string, category: RecordProblemInput['category'] = 'finance'): RecordProblemInput => ({
  problemId,
  category,
  title,
  facts: `${title}：经查阅会计凭证和会议记录核实。`,
  evidence: [`问题底稿-${problemId}`],
  recordedBy: 'inspector-chen',
});

export const rows = async (s: Suite, sql: string, params: unknown[]) => (await s.h.pool.query(sql, params)).rows;

/** Start a round and drive its unit to rectification with the given plan (deadlines in days after feedback). */
export async function roundInRectification(
  s: Suite,
  o: { prefix: string; problems: RecordProblemInput[]; plan?: { problemId: string; days: number; kind?: PlanItem['kind'] }[]; policy?: Partial<RoundPolicy> },
) {
  const roundId = uid(o.prefix);
  const unitId = unitOf(roundId);
  const round = sampleRound(roundId, o.policy);
  await s.xc.startRound(stripEmails(round), 'office-wang');
  const head = round.units[0]!.head;
  const rect = await driveToRectification(s.xc, s.clock, {
    roundId,
    unitId,
    preparationMs: 8 * DAY,
    stationingMs: 31 * DAY,
    problems: o.problems,
    plan: o.plan
      ? (feedbackAt) =>
          o.plan!.map((p) => ({
            problemId: p.problemId,
            measures: '建立健全制度，逐项整改到位。',
            responsible: head,
            deadline: new Date(Date.parse(feedbackAt) + p.days * DAY).toISOString(),
            kind: p.kind ?? 'time-limited',
          }))
      : undefined,
  });
  return { roundId, unitId, round, emails: round.emails, feedbackAt: rect.feedbackAt! };
}

export { DAY };
