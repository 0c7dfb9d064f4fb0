import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createMailer, type Mailer } from '../../src/activities/mailer';
import { loadConfig, type Config } from '../../src/config';
import type { RoundSetupInput } from '../../src/domain/round';
import { assertTestDatabase, createPool } from '../../src/ledger/pool';
import { createWorkers } from '../../src/workers/create';

let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const config = loadConfig({ ...process.env, ...overrides });
  assertTestDatabase(config.DATABASE_URL);
  return config;
}

export const uid = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER! } },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
  return bundle;
}

export interface Harness {
  config: Config;
  pool: Pool;
  mailer: Mailer;
  close(): Promise<void>;
}
export function harness(overrides: Record<string, string> = {}): Harness {
  const config = testConfig(overrides);
  const pool = createPool(config.DATABASE_URL, 5);
  const mailer = createMailer(config);
  return {
    config,
    pool,
    mailer,
    async close() {
      mailer.close();
      await pool.end();
    },
  };
}

/** Both real workers (workflow queue and notice queue) against a connection. */
export async function realWorkers(h: Harness, connection: NativeConnection, namespace = 'default') {
  const workers = await createWorkers({
    connection,
    namespace,
    pool: h.pool,
    mailer: h.mailer,
    config: h.config,
    workflowBundle: await workflowBundle(),
  });
  return {
    ...workers,
    /** Run both workers until `fn` settles. */
    async runUntil<T>(fn: () => Promise<T>): Promise<T> {
      let result!: T;
      await workers.noticeWorker.runUntil(workers.workflowWorker.runUntil(async () => (result = await fn())));
      return result;
    },
  } satisfies { workflowWorker: Worker; noticeWorker: Worker; runUntil: unknown };
}

export interface Mail {
  id: number;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}
export async function mailsTo(address: string): Promise<Mail[]> {
  const res = await fetch(`${process.env.MAILBOX_URL}/api/messages?to=${encodeURIComponent(address)}`);
  return (await res.json()) as Mail[];
}
/** Poll the SMTP receiver (real time) until `address` has at least `count` mails. */
export async function waitForMails(address: string, count: number, timeoutMs = 15_000): Promise<Mail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailsTo(address);
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) throw new Error(`expected ${count} mail(s) to ${address}, got ${mails.length}: ${mails.map((m) => m.subject).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Poll until `fn` returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs}ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Units are shared across rounds in the ledger: each test round gets its own. */
export const unitOf = (roundId: string) => `fb-${roundId}`;

/** A round with one unit and unique addresses, so parallel tests never read each other's mail. */
export interface SampleEmails {
  head: string;
  secretary: string;
  leader: string;
  office: string;
  discipline: string;
}
export function sampleRound(roundId: string, policy?: RoundSetupInput['policy']): RoundSetupInput & { emails: SampleEmails } {
  const emails: SampleEmails = {
    head: `head.${roundId}@unit.example.cn`,
    secretary: `secretary.${roundId}@unit.example.cn`,
    leader: `leader.${roundId}@county.example.cn`,
    office: `office.${roundId}@xuncha.example.cn`,
    discipline: `jiwei.${roundId}@jiwei.example.cn`,
  };
  return {
    roundId,
    name: '县委第九轮巡察',
    kind: 'regular',
    contacts: {
      office: { personId: `office-${roundId}`, name: '巡察办王主任', email: emails.office },
      disciplineCommission: { personId: `jiwei-${roundId}`, name: '纪委监委李书记', email: emails.discipline },
    },
    units: [
      {
        unitId: unitOf(roundId),
        name: '县财政局',
        sector: 'municipal',
        head: { personId: `head-${roundId}`, name: '张局长', email: emails.head },
        partySecretary: { personId: `sec-${roundId}`, name: '赵书记', email: emails.secretary },
        leaderInCharge: { personId: `leader-${roundId}`, name: '刘副县长', email: emails.leader },
      },
    ],
    policy,
    emails,
  };
}

export function stripEmails<T extends { emails?: unknown }>(r: T): Omit<T, 'emails'> {
  const { emails: _e, ...rest } = r;
  return rest;
}

export { createPool };
