// Activities against the real Postgres and the real SMTP receiver: each is safe to repeat.
import { Client } from 'pg';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, type NoticeResult } from '../src/activities';
import type { LedgerEvent } from '../src/domain/events';
import { migrate } from '../src/ledger/migrate';
import { assertTestDatabase, createPool, databaseName } from '../src/ledger/pool';
import { unitOf, harness, mailsTo, roundStarted, uid, waitForMails, type Harness } from './support/helpers';

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(async () => h?.close());

const count = async (sql: string, params: unknown[]) => Number((await h.pool.query(sql, params)).rows[0].n);

test('migrations apply from an empty database, once', async () => {
  const url = h.config.DATABASE_URL.replace(/\/[^/]+$/, `/xuncha_migrate_test`);
  assertTestDatabase(url);
  const admin = new Client({ connectionString: h.config.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName(url)} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${databaseName(url)}`);
  await admin.end();
  const pool = createPool(url, 2);
  try {
    const first = await migrate(pool);
    expect(first[0]).toBe('001_ledger_core');
    expect(await migrate(pool)).toEqual([]);
    const { rows } = await pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['audit_log', 'notices', 'people', 'problems', 'rectification_items', 'round_units', 'rounds', 'schema_migrations', 'units']),
    );
  } finally {
    await pool.end();
  }
});

test('the test-database guard refuses a database whose name does not say test', () => {
  expect(() => assertTestDatabase('postgres://u:p@localhost:5432/xuncha')).toThrow('refusing to run tests against database "xuncha"');
  expect(() => assertTestDatabase('postgres://u:p@localhost:5432/xuncha_test')).not.toThrow();
});

test('every ledger event applied twice gives one row and one audit entry', async () => {
  const roundId = uid('ledger');
  const acts = createActivities(h);
  const events: LedgerEvent[] = [
    roundStarted(roundId),
    { type: 'unit.phase', eventKey: `u:${roundId}:stationing`, at: '2026-03-02T02:00:00Z', actor: 'system', roundId, unitId: unitOf(roundId), phase: 'stationing' },
    {
      type: 'problem.recorded',
      eventKey: `u:${roundId}:problem:p1`,
      at: '2026-03-10T02:00:00Z',
      actor: 'inspector-chen',
      roundId,
      unitId: unitOf(roundId),
      problem: { problemId: 'p1', category: 'finance', title: '未使用公务卡', facts: '12笔', evidence: ['底稿1'], recordedBy: 'inspector-chen' },
    },
    {
      type: 'item.issued',
      eventKey: `i:${roundId}:issued`,
      at: '2026-04-01T02:00:00Z',
      actor: 'system',
      roundId,
      unitId: unitOf(roundId),
      itemId: 'p1',
      problemId: 'p1',
      title: '未使用公务卡',
      deadline: '2026-06-01T15:59:59.999Z',
      workflowId: 'wf',
      kind: 'time-limited',
      measures: '清退',
      responsible: { personId: `head-${roundId}`, name: '张局长', email: `head.${roundId}@unit.example.cn` },
    },
    { type: 'item.step', eventKey: `i:${roundId}:green`, at: '2026-05-12T01:00:00Z', actor: 'system', roundId, unitId: unitOf(roundId), itemId: 'p1', step: 'green', colour: 'green' },
    {
      type: 'item.reconciled',
      eventKey: `i:${roundId}:closed`,
      at: '2026-05-20T01:00:00Z',
      actor: 'office-wang',
      roundId,
      unitId: unitOf(roundId),
      itemId: 'p1',
      generation: 1,
      seq: 1,
      decision: 'close',
      evidence: ['制度文件'],
    },
    { type: 'round.completed', eventKey: `r:${roundId}:completed`, at: '2026-05-21T01:00:00Z', actor: 'system', roundId },
  ];
  for (const e of events) expect(await acts.recordEvent(e)).toEqual({ applied: true });
  for (const e of events) expect(await acts.recordEvent(e)).toEqual({ applied: false });

  expect(await count('SELECT count(*) AS n FROM audit_log WHERE round_id = $1', [roundId])).toBe(events.length);
  expect(await count('SELECT count(*) AS n FROM rounds WHERE round_id = $1', [roundId])).toBe(1);
  expect(await count('SELECT count(*) AS n FROM round_units WHERE round_id = $1', [roundId])).toBe(1);
  expect(await count('SELECT count(*) AS n FROM problems WHERE round_id = $1', [roundId])).toBe(1);
  expect(await count(`SELECT count(*) AS n FROM rectification_items WHERE round_id = $1 AND state = 'closed'`, [roundId])).toBe(1);
  expect(await count(`SELECT count(*) AS n FROM people WHERE person_id = ANY($1)`, [[`head-${roundId}`, `jiwei-${roundId}`]])).toBe(2);
  const { rows } = await h.pool.query('SELECT occurred_at FROM audit_log WHERE event_key = $1', [`i:${roundId}:closed`]);
  // Business time from the workflow, not the worker's clock.
  expect(rows[0].occurred_at.toISOString()).toBe('2026-05-20T01:00:00.000Z');
});

test('the audit log is append-only', async () => {
  // Even the owner (the application's role may not even try: test/app-role.test.ts) meets the trigger.
  const owner = createPool(h.config.DATABASE_URL, 1);
  await expect(owner.query(`UPDATE audit_log SET actor = 'someone-else'`)).rejects.toThrow('audit_log is append-only (UPDATE refused)');
  await expect(owner.query(`DELETE FROM audit_log`)).rejects.toThrow('audit_log is append-only (DELETE refused)');
  await owner.end();
});

test('a notice sent twice (a retried activity) is one row and one e-mail, with a Chinese subject', async () => {
  const roundId = uid('notice');
  const acts = createActivities(h);
  await acts.recordEvent(roundStarted(roundId));
  const env = new MockActivityEnvironment();
  const req = {
    key: `round/${roundId}/unit/${unitOf(roundId)}/item/p1:green`,
    template: 'reminder-green' as const,
    roundId,
    unitId: unitOf(roundId),
    itemId: 'p1',
    to: ['responsible' as const, 'unitHead' as const],
    itemTitle: '未使用公务卡结算',
    deadline: '2026-06-01T15:59:59.999Z',
  };
  const first = await env.run(acts.sendNotice, req);
  const second = await env.run(acts.sendNotice, req);
  const head = `head.${roundId}@unit.example.cn`;
  // The unit head is both "responsible" and "unitHead": one person, one e-mail.
  expect(first).toEqual({ sent: [head], alreadySent: [], failed: [], noRecipient: [] });
  expect(second).toEqual({ sent: [], alreadySent: [head], failed: [], noRecipient: [] });
  const mails = await waitForMails(head, 1);
  await new Promise((r) => setTimeout(r, 300));
  expect(await mailsTo(head)).toHaveLength(1);
  expect(mails[0]!.subject).toBe('【整改提醒·绿色】县财政局：“未使用公务卡结算”将于2026年6月1日到期');
  expect(mails[0]!.headers['x-xuncha-notice-key']).toBe(`${req.key}:head-${roundId}`);
  const { rows } = await h.pool.query('SELECT state, attempts, provider_message_id FROM notices WHERE round_id = $1', [roundId]);
  expect(rows).toEqual([{ state: 'sent', attempts: 1, provider_message_id: mails[0]!.messageId }]);
});

test('a notice to a mailbox the relay refuses is marked failed and not retried forever', async () => {
  const roundId = uid('badaddr');
  const acts = createActivities(h);
  const started = roundStarted(roundId);
  if (started.type !== 'round.started') throw new Error('unreachable');
  started.round.contacts.disciplineCommission.email = `nobody.${roundId}@invalid.test`;
  await acts.recordEvent(started);
  const env = new MockActivityEnvironment();
  const req = { key: `k:${roundId}`, template: 'discipline-referral' as const, roundId, unitId: unitOf(roundId), itemId: 'p1', to: ['disciplineCommission' as const], itemTitle: 'x', deadline: '2026-06-01T15:59:59.999Z' };
  const r = (await env.run(acts.sendNotice, req)) as NoticeResult;
  expect(r.failed).toEqual([{ email: `nobody.${roundId}@invalid.test`, error: expect.stringContaining('550') }]);
  const again = (await env.run(acts.sendNotice, req)) as NoticeResult;
  expect(again.failed).toHaveLength(1);
  const { rows } = await h.pool.query('SELECT state, attempts FROM notices WHERE round_id = $1', [roundId]);
  expect(rows).toEqual([{ state: 'failed', attempts: 1 }]);
  // It becomes a task for the office to fix the directory, once.
  const tasks = await h.pool.query(`SELECT kind, assignee_role, subject FROM tasks WHERE round_id = $1`, [roundId]);
  expect(tasks.rows).toEqual([{ kind: 'fix-notice-address', assignee_role: 'office', subject: expect.stringContaining(`nobody.${roundId}@invalid.test`) }]);
});
