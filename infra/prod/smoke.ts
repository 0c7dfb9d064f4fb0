// Smoke test of the running production-shaped stack (`npm run prod:smoke` after `npm run prod:start`):
// a round on a seconds-long policy through the worker processes, the Temporal server on
// PostgreSQL, the ledger and SMTP. Prints OK, or fails naming the step. As test/smoke.devserver.test.ts.
import { randomBytes } from 'node:crypto';
import { XunchaClient } from '../../src/client/xuncha-client';
import { driveToRectification, waitForPhase } from '../../src/client/drive';
import { ITEM_TASK_QUEUE, NOTICE_TASK_QUEUE, roundWorkflowId, WORKFLOW_TASK_QUEUE } from '../../src/domain/ids';
import type { RoundSetupInput } from '../../src/domain/round';
import type { RoundStatus } from '../../src/domain/status';
import { createPool } from '../../src/ledger/pool';
import { portOpen } from '../stack';
import { CLIENT_ENV_FILE, readEnvFile, settings } from './env';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const clock = { advance: sleep, pause: sleep };
const t0 = Date.now();
const step = (m: string) => console.log(`[smoke +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(250);
  }
}

function round(roundId: string): RoundSetupInput & { head: string } {
  const p = (role: string, name: string, domain = 'xuncha.example.cn') => ({ personId: `${role}-${roundId}`, name, email: `${role}.${roundId}@${domain}` });
  const head = p('head', '张局长', 'unit.example.cn');
  return {
    roundId,
    name: '县委第九轮巡察（生产部署冒烟）',
    kind: 'regular',
    contacts: {
      office: p('office', '巡察办王主任'),
      disciplineCommission: p('jiwei', '纪委监委李书记', 'jiwei.example.cn'),
      leadingGroup: p('lg', '领导小组陈副组长'),
      organisationDept: p('zzb', '组织部周科长', 'zzb.example.cn'),
      supervisionGroup: p('ducha', '督查组孙组长', 'jiwei.example.cn'),
      petitionsOffice: p('xf', '信访局吴局长', 'xf.example.cn'),
      auditOffice: p('sj', '审计局郑局长', 'sj.example.cn'),
    },
    units: [
      {
        unitId: `fb-${roundId}`,
        name: '县财政局',
        sector: 'municipal',
        head,
        partySecretary: p('sec', '赵书记', 'unit.example.cn'),
        leaderInCharge: p('leader', '刘副县长', 'county.example.cn'),
        group: { leader: p('group', '巡察组黄组长'), phone: '0571-88880001', email: `xuncha1.${roundId}@xuncha.example.cn`, mailbox: '县政府大院东门巡察信箱' },
      },
    ],
    policy: {
      preparation: '2 seconds',
      stationing: '8 seconds',
      rectificationReport: '2 minutes',
      lookBackAfter: '1 second',
      itemTimeline: [
        { key: 'green', offset: '-15 seconds', template: 'reminder-green', to: ['responsible'] },
        { key: 'referral', offset: '0 seconds', template: 'discipline-referral', to: ['disciplineCommission'] },
      ],
    },
    head: head.email,
  };
}

async function main(): Promise<void> {
  const clientEnv = readEnvFile(CLIENT_ENV_FILE);
  if (!clientEnv.TEMPORAL_ADDRESS || !clientEnv.DATABASE_URL) throw new Error(`${CLIENT_ENV_FILE} missing: start the stack first (npm run prod:start)`);
  Object.assign(process.env, clientEnv); // the codec keys the workers use
  const port = Number(clientEnv.TEMPORAL_ADDRESS.split(':')[1]);
  if (!(await portOpen(port))) throw new Error(`Temporal is not listening on ${clientEnv.TEMPORAL_ADDRESS}: npm run prod:start`);
  const workerCount = Number(settings()('WORKER_COUNT') ?? 3);
  const xc = await XunchaClient.connect({ TEMPORAL_ADDRESS: clientEnv.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: clientEnv.TEMPORAL_NAMESPACE ?? 'default' });
  const namespace = clientEnv.TEMPORAL_NAMESPACE ?? 'default';
  const pool = createPool(clientEnv.DATABASE_URL, 1);
  try {
    // Every worker process polls all three task queues.
    for (const tq of [WORKFLOW_TASK_QUEUE, ITEM_TASK_QUEUE, NOTICE_TASK_QUEUE]) {
      const pollers = await eventually(
        `${workerCount} worker processes polling ${tq}`,
        async () => {
          // Enhanced mode covers every partition (the legacy call shows the root partition's pollers only).
          const type = tq === NOTICE_TASK_QUEUE ? 2 : 1; // activity : workflow
          const r = await xc.client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: tq }, apiMode: 1, reportPollers: true, taskQueueTypes: [type] });
          const pollers = Object.values(r.versionsInfo ?? {}).flatMap((v) => v.typesInfo?.[type]?.pollers ?? []);
          const ids = new Set(pollers.map((p) => p.identity));
          return ids.size >= workerCount ? ids : undefined;
        },
        30_000,
      );
      step(`${tq}: ${pollers.size} pollers (${[...pollers].join(', ')})`);
    }

    const roundId = `prod-smoke-${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}-${randomBytes(2).toString('hex')}`;
    const unitId = `fb-${roundId}`;
    const { head, ...setup } = round(roundId);
    const started = await xc.startRound(setup, `office-${roundId}`);
    if (started.alreadyStarted) throw new Error(`round ${roundId} already existed`);
    step(`round ${roundId} started (${started.workflowId})`);
    await driveToRectification(xc, clock, {
      roundId,
      unitId,
      preparationMs: 0,
      stationingMs: 0,
      office: `office-${roundId}`,
      group: `group-${roundId}`,
      unitHead: `head-${roundId}`,
      problems: [{ problemId: 'p1', category: 'work-style', title: '领导办公用房面积超标', facts: '突击察访发现部分领导办公室用房面积超标。', evidence: ['察访记录'], recordedBy: `group-${roundId}` }],
      plan: (feedbackAt) => [
        {
          problemId: 'p1',
          measures: '腾退超标用房',
          responsible: setup.units[0]!.head,
          deadline: new Date(Math.max(Date.parse(feedbackAt), Date.now()) + 25_000).toISOString(),
          kind: 'time-limited',
        },
      ],
    });
    step('problem recorded, report approved, feedback held, plan filed');

    const units = await eventually(
      'search attributes (RoundId, Phase) on the unit',
      async () => {
        const ids: string[] = [];
        for await (const w of xc.client.workflow.list({ query: `RoundId='${roundId}' AND Phase='rectification'` })) ids.push(w.workflowId);
        return ids.length ? ids : undefined;
      },
      30_000,
    );
    step(`visibility query found ${units.join(', ')}`);

    const mailbox = clientEnv.MAILBOX_URL;
    if (mailbox) {
      const mail = await eventually(
        `green reminder e-mail to ${head} at ${mailbox}`,
        async () => {
          const mails = (await (await fetch(`${mailbox}/api/messages?to=${encodeURIComponent(head)}`)).json()) as { subject: string }[];
          return mails.find((m) => m.subject.startsWith('【整改提醒·绿色】'));
        },
        90_000,
      );
      step(`reminder received: ${mail.subject}`);
    } else {
      step('external SMTP relay: reminder e-mail not checked');
    }

    await xc.closeItem(roundId, unitId, 'p1', { closedBy: `office-${roundId}`, evidence: ['办公用房调整到位照片'] });
    step('item closed (对账销号)');
    await xc.unitStep(roundId, unitId, 'submitRectificationReport', { by: `head-${roundId}`, summary: '整改报告' });
    await waitForPhase(xc, clock, roundId, unitId, 'look-back', 60_000);
    await xc.unitStep(roundId, unitId, 'recordFindings', { by: `ducha-${roundId}`, checkId: 'look-back', findings: [{ itemId: 'p1', verdict: 'sustained', note: '已腾退' }] });
    await waitForPhase(xc, clock, roundId, unitId, 'disclosure', 60_000);
    await xc.unitStep(roundId, unitId, 'publishResults', { by: `office-${roundId}`, summary: '整改情况公开' });
    step('report, look-back and disclosure done; waiting for the round result');

    let timer: NodeJS.Timeout | undefined;
    const final = (await Promise.race([
      xc.client.workflow.getHandle(roundWorkflowId(roundId)).result(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('round result: not within 120s')), 120_000))),
    ]).finally(() => clearTimeout(timer))) as RoundStatus;
    if (final.phase !== 'completed') throw new Error(`round result: phase ${final.phase}, expected completed`);
    const ledger = await eventually(
      'ledger row rounds.phase = completed',
      async () => {
        const { rows } = await pool.query<{ phase: string }>('SELECT phase FROM rounds WHERE round_id = $1', [roundId]);
        return rows[0]?.phase === 'completed' ? rows[0] : undefined;
      },
      15_000,
    );
    const { rows: notices } = await pool.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM notices WHERE round_id = $1 GROUP BY state ORDER BY state', [roundId]);
    step(`ledger: round ${ledger.phase}; notices ${notices.map((r) => `${r.state}=${r.n}`).join(', ')}`);
    console.log(`OK prod smoke: round ${roundId} completed in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  } finally {
    await pool.end();
    await xc.client.connection.close();
  }
}

main().catch((err: Error) => {
  console.error(`FAILED prod smoke: ${err.message}`);
  process.exit(1);
});
