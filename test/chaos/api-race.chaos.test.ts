// Chaos (e): two HTTP calls race to close the same item (对账销号), over a real listening socket,
// for every item of rounds running their whole lifecycle on the dev server with the real worker
// process: one wins (200), the other gets a clear 409 conflict, and the item is closed once — one
// close in the ledger, one audit row, no notice twice.
import type { FastifyInstance } from 'fastify';
import { signToken } from '../../src/api/auth';
import { buildApi } from '../../src/api/server';
import { allMails, chaosPolicy, log, reckon, runChaosRound, Stack, writeSummary } from './support';

const SCENARIO = 'api-race';
let stack: Stack;
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  stack = await Stack.start(SCENARIO);
  await stack.worker();
  app = buildApi({ pool: stack.h.pool, xc: stack.xc, config: stack.h.config, mailer: stack.h.mailer }, { console: false });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);
afterAll(async () => {
  await app?.close();
  await stack?.close();
});

test('two API calls racing to close the same item: one 200, one clear 409, closed once', async () => {
  const t0 = Date.now();
  const races: { roundId: string; itemId: string; statuses: number[]; conflict: { code: string; message: string } }[] = [];
  const close = async (roundId: string, unitId: string, itemId: string) => {
    const token = signToken({ sub: `office-${roundId}`, name: '巡察办王主任', role: 'office', scope: {} }, stack.h.config.API_TOKEN_SECRET, 600);
    const post = () =>
      fetch(`${base}/api/rounds/${roundId}/units/${unitId}/items/${itemId}/close`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ evidence: ['整改凭证：制度文件及会议记录'] }),
      });
    const answers = await Promise.all([post(), post()]);
    const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ error?: { code: string; message: string } }>));
    const loser = bodies.find((b) => b.error);
    races.push({ roundId, itemId, statuses: answers.map((a) => a.status).sort(), conflict: loser?.error ?? { code: '', message: '' } });
  };
  const rounds = await Promise.all([0, 1].map((i) => runChaosRound(() => stack.xc, { prefix: `race${i}`, items: 3, policy: chaosPolicy(), close })));
  await new Promise((r) => setTimeout(r, 2000));
  const result = await reckon(stack.h.pool, stack.xc, rounds, await allMails(stack.mailboxUrl));

  for (const race of races) log(SCENARIO, `${race.roundId}/${race.itemId}: ${race.statuses.join(' + ')} — ${race.conflict.message}`);
  expect(races).toHaveLength(6);
  for (const race of races) {
    expect(race.statuses).toEqual([200, 409]);
    expect(race.conflict).toMatchObject({ code: 'conflict', message: expect.stringMatching(/^操作冲突 — .*item "p\d" is (already )?closed/) });
  }
  // Closed once: one close in the audit trail per item, whoever won.
  const closes = await stack.h.pool.query(
    `SELECT round_id, entity_id, count(*)::int AS n FROM audit_log WHERE round_id = ANY($1) AND event_type = 'item.reconciled' GROUP BY 1, 2`,
    [rounds.map((r) => r.roundId)],
  );
  expect(closes.rows.map((r) => r.n)).toEqual([1, 1, 1, 1, 1, 1]);
  writeSummary(SCENARIO, {
    faultsInjected: races.length,
    races: races.length,
    winners: races.filter((r) => r.statuses.includes(200)).length,
    conflicts409: races.filter((r) => r.statuses.includes(409)).length,
    rounds: result.rounds,
    items: result.items,
    noticesChecked: result.notices,
    lost: result.itemsLost + result.mailsMissing + result.noticesNotSent + result.stepsMissing,
    duplicated: result.mailsDuplicated + result.stepsRepeated,
    stuck: result.workflowsNotCompleted,
    wallSeconds: Math.round((Date.now() - t0) / 1000),
  });
  expect(result.problems).toEqual([]);
});
