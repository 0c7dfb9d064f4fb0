import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createMailer, type Mailer } from '../../src/activities/mailer';
import { loadConfig, type Config } from '../../src/config';
import type { RoundSetupInput } from '../../src/domain/round';
import { assertTestDatabase, createPool } from '../../src/ledger/pool';
import { createWorkers, runWorkers, shutdownWorkers, type Workers } from '../../src/workers/create';
import { workflowBundleOptions } from '../../src/workers/bundle';
import { createDataConverter, loadCodecConfig } from '../../src/codec';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_TYPES } from '../../src/domain/search';
import type { LedgerEvent } from '../../src/domain/events';
import { roundWorkflowId } from '../../src/domain/ids';
import { DEFAULT_POLICY } from '../../src/domain/policy';

/** The same payload encryption as production (the development key unless XUNCHA_CODEC_KEYS is set). */
export const testDataConverter = () => createDataConverter(loadCodecConfig());

let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger(process.env.TEST_LOG === '1' ? 'WARN' : 'ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const config = loadConfig({ ...process.env, ...overrides });
  assertTestDatabase(config.DATABASE_URL);
  return config;
}

export const uid = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER! } },
    client: { dataConverter: testDataConverter() },
  });
  // The test server knows no search attributes until told, like a fresh production namespace.
  const T = temporal.api.enums.v1.IndexedValueType;
  const types = { Keyword: T.INDEXED_VALUE_TYPE_KEYWORD, Int: T.INDEXED_VALUE_TYPE_INT };
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([k, t]) => [k, types[t]])),
  });
  return env;
}

/** The time-skipping server's clock for the lifecycle driver (with the guard against the server's lock leaks). */
export { skippingClock } from './time-skipping';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
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
  // As the application's role when configured (global setup sets DATABASE_APP_ROLE=xuncha_app).
  const pool = createPool(config.DATABASE_URL, 5, config.DATABASE_APP_ROLE);
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

/** The three real workers (rounds, items and notices queues) against a connection. */
export async function realWorkers(h: Harness, connection: NativeConnection, namespace = 'default') {
  const workers = await createWorkers({
    connection,
    namespace,
    pool: h.pool,
    mailer: h.mailer,
    config: h.config,
    workflowBundle: await workflowBundle(),
    dataConverter: testDataConverter(),
  });
  return {
    ...workers,
    /** Run all three until shutdown (stop with `shutdown`). */
    run: () => runWorkers(workers),
    shutdown: () => shutdownWorkers(workers),
    /** Run all three workers until `fn` settles. */
    async runUntil<T>(fn: () => Promise<T>): Promise<T> {
      let result!: T;
      await workers.noticeWorker.runUntil(workers.itemWorker.runUntil(workers.workflowWorker.runUntil(async () => (result = await fn()))));
      return result;
    },
  } satisfies Workers & { run: unknown; shutdown: unknown; runUntil: unknown };
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

/** Poll the receiver until `address` has a mail whose subject starts with `prefix`. */
export async function waitForMail(address: string, prefix: string, timeoutMs = 15_000): Promise<Mail> {
  return eventually(async () => (await mailsTo(address)).find((m) => m.subject.startsWith(prefix)), timeoutMs).catch(async () => {
    throw new Error(`no mail to ${address} starting "${prefix}"; got: ${(await mailsTo(address)).map((m) => m.subject).join(' | ')}`);
  });
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
  leadingGroup: string;
  organisation: string;
  supervision: string;
  petitions: string;
  audit: string;
  group: string;
}
export function sampleRound(roundId: string, policy?: RoundSetupInput['policy']): RoundSetupInput & { emails: SampleEmails } {
  const emails: SampleEmails = {
    head: `head.${roundId}@unit.example.cn`,
    secretary: `secretary.${roundId}@unit.example.cn`,
    leader: `leader.${roundId}@county.example.cn`,
    office: `office.${roundId}@xuncha.example.cn`,
    discipline: `jiwei.${roundId}@jiwei.example.cn`,
    leadingGroup: `lg.${roundId}@xuncha.example.cn`,
    organisation: `zzb.${roundId}@zzb.example.cn`,
    supervision: `ducha.${roundId}@jiwei.example.cn`,
    petitions: `xinfang.${roundId}@xf.example.cn`,
    audit: `shenji.${roundId}@sj.example.cn`,
    group: `group.${roundId}@xuncha.example.cn`,
  };
  return {
    roundId,
    name: '县委第九轮巡察',
    kind: 'regular',
    contacts: {
      office: { personId: `office-${roundId}`, name: '巡察办王主任', email: emails.office },
      disciplineCommission: { personId: `jiwei-${roundId}`, name: '纪委监委李书记', email: emails.discipline },
      leadingGroup: { personId: `lg-${roundId}`, name: '领导小组陈副组长', email: emails.leadingGroup },
      organisationDept: { personId: `zzb-${roundId}`, name: '组织部周科长', email: emails.organisation },
      supervisionGroup: { personId: `ducha-${roundId}`, name: '督查组孙组长', email: emails.supervision },
      petitionsOffice: { personId: `xf-${roundId}`, name: '信访局吴局长', email: emails.petitions },
      auditOffice: { personId: `sj-${roundId}`, name: '审计局郑局长', email: emails.audit },
    },
    units: [
      {
        unitId: unitOf(roundId),
        name: '县财政局',
        sector: 'municipal',
        head: { personId: `head-${roundId}`, name: '张局长', email: emails.head },
        partySecretary: { personId: `sec-${roundId}`, name: '赵书记', email: emails.secretary },
        leaderInCharge: { personId: `leader-${roundId}`, name: '刘副县长', email: emails.leader },
        group: {
          leader: { personId: `group-${roundId}`, name: '巡察组黄组长', email: emails.group },
          phone: '0571-88880001',
          email: `xuncha1.${roundId}@xuncha.example.cn`,
          mailbox: '县政府大院东门巡察信箱',
        },
      },
    ],
    policy,
    emails,
  };
}

/** The ledger event of a sample round's start (the ledger and ledger-sink tests). */
export function roundStarted(roundId: string): LedgerEvent {
  const r = sampleRound(roundId);
  return {
    type: 'round.started',
    eventKey: `${roundWorkflowId(roundId)}:started`,
    at: '2026-03-02T01:00:00.000Z',
    actor: 'office-wang',
    round: { roundId, name: r.name, kind: 'regular', contacts: r.contacts, units: r.units, policy: DEFAULT_POLICY, startedBy: 'office-wang' },
  };
}

export function stripEmails<T extends { emails?: unknown }>(r: T): Omit<T, 'emails'> {
  const { emails: _e, ...rest } = r;
  return rest;
}

export { createPool };

/** A client and a worker connection to the test run's dev server (the `*.devserver.test.ts` files). */
export async function devServerConnections(): Promise<{ connection: Connection; client: Client; native: NativeConnection }> {
  quietRuntime();
  const address = process.env.TEMPORAL_DEV_ADDRESS!;
  const connection = await Connection.connect({ address });
  return { connection, client: new Client({ connection }), native: await NativeConnection.connect({ address }) };
}
