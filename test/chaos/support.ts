// Shared pieces of the chaos suite (`npm run chaos`): servers of a scenario's own (so a fault in
// one scenario never touches another running in parallel), the real worker process, a round driven
// through its whole lifecycle in real time on a seconds-long policy given in the round's own set-up
// (the product's defaults are untouched), steps that survive faults, and the final reckoning
// against the ledger, the SMTP receiver and the workflows.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';
import { XunchaClient } from '../../src/client/xuncha-client';
import { workflowBundleOptions } from '../../src/workers/bundle';
import { itemWorkflowId, roundWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import type { RoundPolicy } from '../../src/domain/policy';
import type { UnitStatus } from '../../src/domain/status';
import { freePort, ROOT, startMailbox, startNoticeRelay, startPostgres, startTemporalDev, stopPid, type Service } from '../../infra/stack';
import { migrate } from '../../src/ledger/migrate';
import { createPool } from '../../src/ledger/pool';
import { ledgerSinksForReplay } from '../../src/ledger/sink';
import { harness, sampleRound, stripEmails, testDataConverter, uid, unitOf, type Harness, type Mail } from '../support/helpers';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const TEST_DIR = path.resolve(ROOT, process.env.XUNCHA_TEST_DIR ?? '.data/test');
/** A scenario's own directory for pid files, logs and server data. */
export function scenarioDir(name: string): string {
  const dir = path.join(TEST_DIR, 'chaos', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export const log = (scenario: string, msg: string) => process.stdout.write(`[chaos:${scenario}] ${msg}\n`);

/** The workflow bundle built once per scenario and handed to worker processes (no webpack at each start). */
export async function prebuiltBundle(dir: string): Promise<string> {
  const bundle = await bundleWorkflowCode({ ...workflowBundleOptions(), logger: new DefaultLogger('WARN') });
  const file = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(file, bundle.code);
  return file;
}

export interface WorkerProcess {
  proc: ChildProcess;
  output: () => string;
  ready: () => Promise<void>;
  exited: Promise<number | null>;
}
/** The real worker (src/workers/main.ts) as its own process, with the given environment on top of ours. */
export function startWorker(env: Record<string, string>, logFile?: string): WorkerProcess {
  let out = '';
  const sink = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/workers/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'WARN', ...env },
  });
  for (const stream of [proc.stdout!, proc.stderr!])
    stream.on('data', (d) => {
      out += d;
      sink?.write(d);
    });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    output: () => out,
    exited,
    ready: async () => {
      const deadline = Date.now() + 120_000;
      while (!out.includes('[worker] running')) {
        if (proc.exitCode !== null) throw new Error(`worker exited (${proc.exitCode}) before running:\n${out.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`worker not running after 120s:\n${out.slice(-3000)}`);
        await sleep(50);
      }
    },
  };
}
export async function kill(w: WorkerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill(signal);
  await w.exited;
}

export async function stopServices(services: Service[]): Promise<void> {
  for (const s of [...services].reverse()) await stopPid(s.pid);
}

/** Retry a call until it answers, through a fault; `timeoutMs` bounds the whole wait. */
export async function through<T>(what: string, fn: () => Promise<T>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await withTimeout(fn(), 20_000);
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: no answer in ${timeoutMs / 1000}s: ${(last as Error)?.message}`);
    await sleep(500);
  }
}
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer in ${ms}ms`)), ms)))]).finally(() => clearTimeout(t));
}

/**
 * A human step that survives faults: done when `done` says so. A step whose answer was lost may
 * have been applied, so it is only sent again when the workflow says it has not taken effect.
 */
export async function step(what: string, act: () => Promise<unknown>, done: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    if (await withTimeout(done(), 20_000).catch(() => false)) return;
    try {
      await withTimeout(act(), 30_000);
      return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not done in ${timeoutMs / 1000}s: ${(last as Error)?.message}`);
    await sleep(1000);
  }
}

/** Item ladder on a seconds-long timeline: every reminder and escalation step of the default policy's kinds. */
export const ITEM_STEPS = ['green', 'yellow', 'red', 'urge', 'interview', 'referral'] as const;
export function chaosPolicy(o: { historyLimit?: number; scale?: number; stationingSeconds?: number } = {}): Partial<RoundPolicy> {
  const k = o.scale ?? 1;
  const s = (n: number) => `${n * k} seconds`;
  return {
    preparation: s(2),
    // Long enough for the problems to be recorded on a loaded machine (and through a fault).
    stationing: s(o.stationingSeconds ?? 12),
    rectificationReport: '30 minutes',
    lookBackAfter: '1 second',
    historyLimit: o.historyLimit ?? 10_000,
    itemTimeline: [
      { key: 'green', offset: s(-8), template: 'reminder-green', to: ['responsible'] },
      { key: 'yellow', offset: s(-4), template: 'reminder-yellow', to: ['responsible', 'leaderInCharge'] },
      { key: 'red', offset: '0 seconds', template: 'reminder-red', to: ['unitHead', 'partySecretary'] },
      { key: 'urge', offset: s(1), template: 'urge', to: ['responsible', 'unitHead'] },
      { key: 'interview', offset: s(2), template: 'interview', to: ['unitHead', 'leadingGroup'] },
      { key: 'referral', offset: s(4), template: 'discipline-referral', to: ['disciplineCommission'] },
    ],
  };
}
/** Notices each item's ladder sends: one per step and recipient. */
export const NOTICES_PER_ITEM = 1 + 2 + 2 + 2 + 2 + 1;

export interface ChaosRound {
  roundId: string;
  unitId: string;
  items: string[];
  emails: ReturnType<typeof sampleRound>['emails'];
}

/**
 * One round through its whole life in real time: preparation, stationing with problems, the
 * report approved three times, feedback, a plan whose deadlines come seconds later, every item's
 * ladder up to referral, every item closed, the rectification report, look-back and disclosure,
 * until the round workflow completes. Every step is retried through faults.
 */
export async function runChaosRound(
  xc: () => XunchaClient,
  o: {
    prefix: string;
    items?: number;
    policy?: Partial<RoundPolicy>;
    deadlineInMs?: number;
    /** Called at each milestone: stationing, report, feedback, rectification, planned, ladder, look-back, completed. */
    onPhase?: (phase: string, roundId: string) => void;
    timeoutMs?: number;
    /** How an item is closed (default: the client's reconcileItem Update, retried through faults). */
    close?: (roundId: string, unitId: string, itemId: string) => Promise<void>;
    /** Change the set-up before the round starts (e.g. an address the relay refuses). */
    adjust?: (round: ReturnType<typeof sampleRound>) => void;
  },
): Promise<ChaosRound> {
  const roundId = uid(o.prefix);
  const unitId = unitOf(roundId);
  const round = sampleRound(roundId, o.policy ?? chaosPolicy());
  o.adjust?.(round);
  let items = Array.from({ length: o.items ?? 2 }, (_, i) => `p${i + 1}`);
  const head = round.units[0]!.head;
  const T = o.timeoutMs ?? 300_000;
  const unit = () => xc().unitStatus(roundId, unitId);
  const phaseIs = async (...phases: UnitStatus['phase'][]) => phases.includes((await unit()).phase);
  const until = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + T;
    while (!(await withTimeout(check(), 20_000).catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`round ${roundId}: ${what} not reached in ${T / 1000}s (unit: ${await unit().then((u) => u.phase, (e) => e.message)})`);
      await sleep(250);
    }
    o.onPhase?.(what, roundId);
  };
  await through(`start ${roundId}`, () => xc().startRound(stripEmails(round), 'office-wang'));
  await until('stationing', () => phaseIs('stationing', 'report'));
  // Problems are recorded while the group is stationed. A fault can eat the stationing window (the
  // unit's own notices at its start are retried first): a problem refused because stationing has
  // ended is the product doing its job, so the round goes on with the problems it did record.
  await Promise.all(
    items.map((p) =>
      step(
        `record ${p}`,
        () => xc().recordProblem(roundId, unitId, { problemId: p, category: 'finance', title: `问题${p}`, facts: '经查阅会计凭证核实。', evidence: ['问题底稿'], recordedBy: 'inspector-chen' }),
        async () => (await unit()).problems.some((x) => x.problemId === p) || !['preparation', 'stationing'].includes((await unit()).phase),
        T,
      ),
    ),
  );
  await until('report', () => phaseIs('report'));
  const recorded = (await through('unit status', unit)).problems.map((x) => x.problemId);
  if (recorded.length < items.length) process.stdout.write(`[chaos] ${roundId}: stationing ended with ${recorded.length} of ${items.length} problems recorded\n`);
  if (recorded.length === 0) throw new Error(`round ${roundId}: stationing ended before any problem was recorded`);
  items = items.filter((p) => recorded.includes(p));
  await step('submitReport', () => xc().unitStep(roundId, unitId, 'submitReport', { by: 'inspector-chen', summary: '巡察报告' }), async () => (await unit()).reportStage !== 'draft', T);
  const stages = ['office', 'leadingGroup', 'secretaryMeeting'] as const;
  for (const [i, stage] of stages.entries()) {
    await step(
      `review ${stage}`,
      () => xc().unitStep(roundId, unitId, 'reviewReport', { by: 'office-wang', stage, decision: 'approve' }),
      async () => {
        const u = await unit();
        return u.reportStage === 'approved' || stages.indexOf(u.reportStage as (typeof stages)[number]) > i;
      },
      T,
    );
  }
  await until('feedback', () => phaseIs('feedback', 'rectification'));
  await step('holdFeedback', () => xc().unitStep(roundId, unitId, 'holdFeedback', { by: 'office-wang' }), async () => Boolean((await unit()).feedbackAt), T);
  await until('rectification', () => phaseIs('rectification'));
  const deadline = new Date(Date.now() + (o.deadlineInMs ?? 12_000)).toISOString();
  await step(
    'fileRectificationPlan',
    () =>
      xc().unitStep(roundId, unitId, 'fileRectificationPlan', {
        by: head.personId,
        items: items.map((p) => ({ problemId: p, measures: '建立健全制度，逐项整改到位。', responsible: head, deadline, kind: 'time-limited' })),
      }),
    async () => Boolean((await unit()).planFiledAt),
    T,
  );
  o.onPhase?.('planned', roundId);
  // Every item climbs its whole ladder before it is closed: nothing may be skipped or repeated.
  await until('ladder', async () => (await Promise.all(items.map((p) => xc().itemStatus(roundId, unitId, p)))).every((s) => s.firedSteps.includes('referral')));
  for (const p of items) {
    if (o.close) {
      await o.close(roundId, unitId, p);
      continue;
    }
    await step(
      `close ${p}`,
      () => xc().closeItem(roundId, unitId, p, { by: 'office-wang', evidence: ['整改凭证'] }),
      async () => (await xc().client.workflow.getHandle(itemWorkflowId(roundId, unitId, p)).describe()).status.name !== 'RUNNING',
      T,
    );
  }
  await step(
    'submitRectificationReport',
    () => xc().unitStep(roundId, unitId, 'submitRectificationReport', { by: head.personId, summary: '整改报告' }),
    async () => Boolean((await unit()).rectificationReportAt),
    T,
  );
  await until('look-back', () => phaseIs('look-back', 'disclosure', 'closed'));
  await step(
    'recordFindings',
    () => xc().unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'look-back', findings: [] }),
    () => phaseIs('disclosure', 'closed'),
    T,
  );
  await step('publishResults', () => xc().unitStep(roundId, unitId, 'publishResults', { by: 'office-wang', summary: '整改情况公开' }), async () => (await unit().catch(() => undefined))?.published ?? (await roundDone(xc(), roundId)), T);
  await until('completed', () => roundDone(xc(), roundId));
  // A closed item ends once its last effects are done; a notice that failed during the fault waits out
  // its retry backoff (10 s doubling) first. Give them that time; what is still running after it is
  // counted as stuck by reckon().
  const itemsDone = async () =>
    (await Promise.all(items.map((p) => xc().client.workflow.getHandle(itemWorkflowId(roundId, unitId, p)).describe()))).every((d) => d.status.name !== 'RUNNING');
  const settleBy = Date.now() + T;
  while (!(await withTimeout(itemsDone(), 20_000).catch(() => false)) && Date.now() < settleBy) await sleep(500);
  return { roundId, unitId, items, emails: round.emails };
}

async function roundDone(xc: XunchaClient, roundId: string): Promise<boolean> {
  return (await xc.client.workflow.getHandle(roundWorkflowId(roundId)).describe()).status.name === 'COMPLETED';
}

export interface Reckoning {
  rounds: number;
  items: number;
  itemsLost: number;
  notices: number;
  noticesNotSent: number;
  mailsDuplicated: number;
  mailsMissing: number;
  mailsUnrecorded: number;
  stepsMissing: number;
  stepsRepeated: number;
  workflowsNotCompleted: number;
  problems: string[];
}

/**
 * What the fault may have broken, counted: the ledger has every item closed, every notice sent and
 * each of them received exactly once (by its idempotency key header), no mail the ledger does not
 * know of, every ladder step fired once per item, and every workflow of the round completed.
 */
export async function reckon(pool: Pool, xc: XunchaClient, rounds: ChaosRound[], mails: Mail[]): Promise<Reckoning> {
  const r: Reckoning = { rounds: rounds.length, items: 0, itemsLost: 0, notices: 0, noticesNotSent: 0, mailsDuplicated: 0, mailsMissing: 0, mailsUnrecorded: 0, stepsMissing: 0, stepsRepeated: 0, workflowsNotCompleted: 0, problems: [] };
  for (const round of rounds) {
    const { roundId, unitId } = round;
    r.items += round.items.length;
    const items = (await pool.query(`SELECT item_id, state FROM rectification_items WHERE round_id = $1`, [roundId])).rows as { item_id: string; state: string }[];
    for (const p of round.items) {
      const row = items.find((i) => i.item_id === p);
      if (!row || row.state !== 'closed') {
        r.itemsLost++;
        r.problems.push(`${roundId}/${p}: ledger row ${row ? row.state : 'missing'}`);
      }
    }
    const notices = (await pool.query(`SELECT idempotency_key, template, item_id, state, recipient_email FROM notices WHERE round_id = $1`, [roundId])).rows as {
      idempotency_key: string;
      template: string;
      item_id: string | null;
      state: string;
      recipient_email: string;
    }[];
    r.notices += notices.length;
    const roundMails = mails.filter((m) => m.to.some((a) => a.includes(roundId)));
    const byKey = new Map<string, number>();
    for (const m of roundMails) byKey.set(m.headers['x-xuncha-notice-key'] ?? '', (byKey.get(m.headers['x-xuncha-notice-key'] ?? '') ?? 0) + 1);
    for (const n of notices) {
      if (n.state !== 'sent') {
        r.noticesNotSent++;
        r.problems.push(`notice ${n.idempotency_key} is ${n.state}`);
      }
      const got = byKey.get(n.idempotency_key) ?? 0;
      if (got === 0) {
        r.mailsMissing++;
        r.problems.push(`notice ${n.idempotency_key} never reached the receiver`);
      }
      if (got > 1) {
        r.mailsDuplicated += got - 1;
        r.problems.push(`notice ${n.idempotency_key} received ${got} times`);
      }
    }
    const known = new Set(notices.map((n) => n.idempotency_key));
    for (const key of byKey.keys())
      if (!known.has(key)) {
        r.mailsUnrecorded += byKey.get(key)!;
        r.problems.push(`mail with key "${key}" has no notice row`);
      }
    // The ladder: each step exactly once per item, in the workflow and in the ledger.
    for (const p of round.items) {
      const status = await through('item status', () => xc.itemStatus(roundId, unitId, p)).catch(async (e: Error) => {
        // Kept for a replay: a query on a closed workflow replays its last run.
        const id = itemWorkflowId(roundId, unitId, p);
        const history = await xc.client.workflow.getHandle(id).fetchHistory().catch(() => undefined);
        const file = path.join(TEST_DIR, 'chaos', `history-${id.replace(/[^\w.-]+/g, '_')}.json`);
        if (history) fs.writeFileSync(file, JSON.stringify(history));
        r.problems.push(`${roundId}/${p}: item status query failed: ${e.message}${history ? ` (history kept in ${file})` : ''}`);
        return undefined;
      });
      const fired = status?.history ?? [];
      for (const s of ITEM_STEPS) {
        const times = fired.filter((h) => h.endsWith(`:${s}`)).length;
        const rows = notices.filter((n) => n.item_id === p && n.idempotency_key.includes(`:${s}`));
        if (times === 0 || rows.length === 0) {
          r.stepsMissing++;
          r.problems.push(`${roundId}/${p}: step ${s} fired ${times}×, ${rows.length} notice(s)`);
        }
        if (times > 1) {
          r.stepsRepeated += times - 1;
          r.problems.push(`${roundId}/${p}: step ${s} fired ${times}×`);
        }
      }
    }
    const ids = [roundWorkflowId(roundId), unitWorkflowId(roundId, unitId), ...round.items.map((p) => itemWorkflowId(roundId, unitId, p))];
    for (const id of ids) {
      const status = await through(`describe ${id}`, () => xc.client.workflow.getHandle(id).describe()).then((d) => d.status.name, (e: Error) => e.message);
      if (status !== 'COMPLETED') {
        r.workflowsNotCompleted++;
        r.problems.push(`${id} is ${status}`);
      }
    }
  }
  return r;
}

/**
 * Every run of every workflow of the rounds (continued-as-new runs included) replays against the
 * bundle the workers ran: a fault must not leave a history that today's code cannot replay (a query
 * on a closed workflow, or a worker that lost its cache, would fail on it).
 */
export async function replayAll(xc: XunchaClient, rounds: ChaosRound[], bundlePath: string): Promise<{ runs: number; problems: string[] }> {
  const histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[] = [];
  for (const { roundId, unitId, items } of rounds) {
    for (const id of [roundWorkflowId(roundId), unitWorkflowId(roundId, unitId), ...items.map((p) => itemWorkflowId(roundId, unitId, p))]) {
      for await (const e of xc.client.workflow.list({ query: `WorkflowId = '${id}'` })) {
        histories.push({ workflowId: id, history: await through(`history ${id}`, () => xc.client.workflow.getHandle(id, e.runId).fetchHistory()) });
      }
    }
  }
  const problems: string[] = [];
  const results = Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath }, dataConverter: testDataConverter(), sinks: ledgerSinksForReplay() }, histories);
  for await (const r of results) if (r.error) problems.push(`${r.workflowId} run ${r.runId} does not replay: ${r.error.message.slice(0, 300)}`);
  return { runs: histories.length, problems };
}

export async function allMails(mailboxUrl: string): Promise<Mail[]> {
  const res = await fetch(`${mailboxUrl}/api/messages`);
  return (await res.json()) as Mail[];
}

/** Per-scenario figures, merged into test-artifacts/chaos-summary.json (each scenario writes its own entry). */
export function writeSummary(scenario: string, figures: Record<string, unknown>): void {
  const dir = path.join(ROOT, 'test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'chaos-summary.json');
  // Scenarios run in parallel processes: read-modify-write under an exclusive lock file.
  const lock = `${file}.lock`;
  for (let i = 0; ; i++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      if (i > 200) fs.rmSync(lock, { force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
  try {
    const all = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    all[scenario] = { ...figures, at: new Date().toISOString() };
    fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
  } finally {
    fs.rmSync(lock, { force: true });
  }
  process.stdout.write(`[chaos:${scenario}] summary ${JSON.stringify(figures)}\n`);
}

/**
 * A scenario's own servers: a Temporal dev server (state in a database file, so it survives a
 * restart), and if asked its own PostgreSQL (migrated from empty) and SMTP receiver; otherwise the
 * run's shared ones. Each can be stopped and started again on the same port with the same data.
 */
export class Stack {
  services = new Map<string, Service>();
  temporalPort = 0;
  pgPort = 0;
  smtpPort = Number(process.env.SMTP_PORT);
  httpPort = 0;
  databaseUrl = process.env.DATABASE_URL!;
  mailboxUrl = process.env.MAILBOX_URL!;
  relayPort = 0;
  relayUrl = process.env.NOTICE_RELAY_URL!;
  bundle = '';
  h!: Harness;
  xc!: XunchaClient;
  private workers: WorkerProcess[] = [];
  constructor(
    readonly name: string,
    readonly dir = scenarioDir(name),
  ) {}

  static async start(name: string, o: { postgres?: boolean; mailbox?: boolean } = {}): Promise<Stack> {
    const s = new Stack(name);
    s.temporalPort = await freePort();
    await s.startTemporal();
    if (o.postgres) {
      s.pgPort = await freePort();
      await s.startPostgres();
      s.databaseUrl = `postgres://postgres:postgres@127.0.0.1:${s.pgPort}/xuncha_chaos_test`;
      const owner = createPool(s.databaseUrl, 1);
      await migrate(owner);
      await owner.end();
    }
    if (o.mailbox) {
      s.smtpPort = await freePort();
      s.httpPort = await freePort();
      await s.startMailbox();
      s.mailboxUrl = `http://127.0.0.1:${s.httpPort}`;
    }
    if (o.postgres || o.mailbox) {
      // Its own notice relay in front of its own receiver, with its memory in its own database.
      s.relayPort = await freePort();
      await s.startRelay();
      s.relayUrl = `smtp://127.0.0.1:${s.relayPort}`;
    }
    s.bundle = await prebuiltBundle(s.dir);
    s.h = harness({ DATABASE_URL: s.databaseUrl, SMTP_PORT: String(s.smtpPort), NOTICE_RELAY_URL: s.relayUrl, TEMPORAL_ADDRESS: s.temporalAddress });
    s.xc = await XunchaClient.connect({ TEMPORAL_ADDRESS: s.temporalAddress, TEMPORAL_NAMESPACE: 'default' });
    return s;
  }
  get temporalAddress(): string {
    return `127.0.0.1:${this.temporalPort}`;
  }
  async startTemporal(): Promise<void> {
    this.services.set('temporal', await startTemporalDev({ runDir: this.dir, port: this.temporalPort, dbFile: path.join(this.dir, 'temporal.db') }));
  }
  async startPostgres(): Promise<void> {
    this.services.set('postgres', await startPostgres({ runDir: this.dir, dataDir: path.join(this.dir, 'pg'), port: this.pgPort, databases: ['xuncha_chaos_test'] }));
  }
  async startMailbox(): Promise<void> {
    this.services.set('mailbox', await startMailbox({ runDir: this.dir, smtpPort: this.smtpPort, httpPort: this.httpPort, log: false }));
  }
  async startRelay(): Promise<void> {
    this.services.set(
      'relay',
      await startNoticeRelay({ runDir: this.dir, port: this.relayPort, smtpPort: this.smtpPort, databaseUrl: this.databaseUrl, env: { DATABASE_APP_ROLE: process.env.DATABASE_APP_ROLE ?? 'xuncha_app' } }),
    );
  }
  async stop(service: 'temporal' | 'postgres' | 'mailbox' | 'relay'): Promise<void> {
    const s = this.services.get(service);
    if (s) await stopPid(s.pid);
    this.services.delete(service);
  }
  /** The real worker process against this stack. */
  async worker(env: Record<string, string> = {}): Promise<WorkerProcess> {
    const w = startWorker(
      { TEMPORAL_ADDRESS: this.temporalAddress, DATABASE_URL: this.databaseUrl, SMTP_PORT: String(this.smtpPort), NOTICE_RELAY_URL: this.relayUrl, WORKFLOW_BUNDLE: this.bundle, ...env },
      path.join(this.dir, `worker-${this.workers.length + 1}.log`),
    );
    this.workers.push(w);
    await w.ready();
    return w;
  }
  async close(): Promise<void> {
    for (const w of this.workers) await kill(w);
    await this.xc?.client.connection.close().catch(() => undefined);
    await this.h?.close().catch(() => undefined);
    for (const name of ['relay', 'mailbox', 'temporal', 'postgres'] as const) await this.stop(name);
  }
}
