// The ledger sink (src/ledger/sink.ts) against the real Postgres: the writes of a run commit in the
// order the workflow made them, a write that cannot reach Postgres waits and is committed once it
// can (nothing lost), and a write repeated after a retried workflow task is applied once.
import net from 'node:net';
import type { WorkflowInfo } from '@temporalio/workflow';
import { roundWorkflowId } from '../src/domain/ids';
import type { LedgerEvent } from '../src/domain/events';
import { createLedgerSinks } from '../src/ledger/sink';
import { createPool } from '../src/ledger/pool';
import { harness, roundStarted, uid, type Harness } from './support/helpers';

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(async () => h?.close());

const info = (runId: string) => ({ runId, workflowId: `wf-${runId}` }) as WorkflowInfo;

const bulletin = (roundId: string, n: number): LedgerEvent => ({
  type: 'round.bulletin',
  eventKey: `${roundWorkflowId(roundId)}:bulletin:${n}`,
  at: '2026-04-01T01:00:00.000Z',
  actor: 'system',
  roundId,
  month: `2026-${String(n).padStart(2, '0')}`,
});
const auditKeys = async (roundId: string) =>
  (await h.pool.query(`SELECT event_key FROM audit_log WHERE round_id = $1 ORDER BY audit_id`, [roundId])).rows.map((r) => r.event_key as string);

test('the writes of one run commit in call order, even when the SDK starts them all at once', async () => {
  const sinks = createLedgerSinks(h.pool);
  const roundId = uid('sink-order');
  const events = [roundStarted(roundId), ...Array.from({ length: 24 }, (_, i) => bulletin(roundId, i + 1))];
  // As the worker does with the sink calls of one activation: every call started before any is awaited.
  await Promise.all(events.map((e) => sinks.ledger.write.fn(info(`run-${roundId}`), e)));
  expect(await auditKeys(roundId)).toEqual(events.map((e) => e.eventKey));
});

test('a write repeated by a retried workflow task is applied once', async () => {
  const sinks = createLedgerSinks(h.pool);
  const roundId = uid('sink-twice');
  await sinks.ledger.write.fn(info('run-a'), roundStarted(roundId));
  await sinks.ledger.write.fn(info('run-a'), roundStarted(roundId));
  await sinks.ledger.write.fn(info('run-b'), roundStarted(roundId));
  expect(await auditKeys(roundId)).toEqual([`${roundWorkflowId(roundId)}:started`]);
  expect((await h.pool.query(`SELECT count(*)::int AS n FROM rounds WHERE round_id = $1`, [roundId])).rows[0].n).toBe(1);
});

test('a write that cannot reach Postgres is retried, then committed once Postgres is reachable again', async () => {
  // A real TCP path to the real Postgres that is down (nothing listens) until the test opens it.
  const target = new URL(h.config.DATABASE_URL);
  const held = net.createServer();
  await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
  const port = (held.address() as net.AddressInfo).port;
  await new Promise<void>((r) => held.close(() => r()));
  const via = new URL(h.config.DATABASE_URL);
  via.hostname = '127.0.0.1';
  via.port = String(port);
  const pool = createPool(via.toString(), 2, h.config.DATABASE_APP_ROLE);
  const warnings: string[] = [];
  const sinks = createLedgerSinks(pool, { initialBackoffMs: 50, maxBackoffMs: 200, warn: (m) => warnings.push(m) });
  const roundId = uid('sink-outage');
  let settled = false;
  const write = Promise.resolve(sinks.ledger.write.fn(info(`run-${roundId}`), roundStarted(roundId))).then(() => (settled = true));
  const link = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  try {
    await new Promise((r) => setTimeout(r, 800));
    expect(settled).toBe(false);
    expect(await auditKeys(roundId)).toEqual([]);
    expect(warnings[0]).toMatch(new RegExp(`${roundWorkflowId(roundId)}:started \\(round.started\\) not written, attempt 1, retrying: .*ECONNREFUSED`));
    await new Promise<void>((r) => link.listen(port, '127.0.0.1', r));
    await write;
    expect(await auditKeys(roundId)).toEqual([`${roundWorkflowId(roundId)}:started`]);
    expect(warnings.at(-1)).toMatch(/written after \d+ attempts/);
  } finally {
    await pool.end();
    await new Promise((r) => link.close(r));
  }
});
