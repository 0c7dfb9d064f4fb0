// The console's pages, one per task of each role.
import { useState } from 'preact/hooks';
import { api, errorText, fieldErrors, session, whenRecorded, type Me } from './api';
import { ESCALATION_STEP_LABELS } from '../../domain/status';
import {
  BarChart,
  CATEGORY_LABELS,
  ColourChip,
  DataTable,
  day,
  ErrorBox,
  Field,
  KIND_LABELS,
  label,
  LineChart,
  Link,
  Loading,
  navigate,
  Notice,
  percent,
  PHASE_LABELS,
  PROGRESS_LABELS,
  SECTOR_LABELS,
  Select,
  STATE_LABELS,
  useLoad,
} from './ui';

type Row = Record<string, unknown>;
const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const enc = encodeURIComponent;

/** A form's submit state: busy flag, result message, error message and per-field errors. */
function useSubmit() {
  const [st, set] = useState<{ busy?: boolean; ok?: string; error?: string; errors: Record<string, string> }>({ errors: {} });
  async function run(fn: () => Promise<string>) {
    set({ busy: true, errors: {} });
    try {
      set({ ok: await fn(), errors: {} });
    } catch (e) {
      set({ error: errorText(e), errors: fieldErrors(e) });
    }
  }
  return { ...st, run };
}

// ---- login
export function Login({ onLogin }: { onLogin: (token: string) => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [token, setToken] = useState('');
  const send = useSubmit();
  const paste = useSubmit();
  return (
    <section class="page login" data-testid="login-page">
      <h1>巡察工作平台 · 登录</h1>
      <div class="card">
        <h2>通过电子邮件获取登录链接</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void send.run(async () => (await api.post<{ message: string }>('/api/auth/login-link', { email }, true)).message);
          }}
        >
          <Field label="电子邮箱" path="email" type="email" value={email} onInput={setEmail} errors={send.errors} required />
          <button type="submit" data-testid="send-link" disabled={send.busy}>
            发送登录链接
          </button>
        </form>
        <Notice message={send.ok} testid="link-sent" />
        <ErrorBox message={send.error} />
      </div>
      <div class="card">
        <h2>使用令牌登录</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void paste.run(async () => {
              await onLogin(token.trim());
              return '已登录';
            });
          }}
        >
          <Field label="会话令牌" path="token" value={token} onInput={setToken} multiline errors={paste.errors} />
          <button type="submit" data-testid="token-login" disabled={paste.busy}>
            登录
          </button>
        </form>
        <ErrorBox message={paste.error} testid="login-error" />
      </div>
    </section>
  );
}

// ---- office: rounds
export function Rounds({ me }: { me: Me }) {
  const { data, error } = useLoad(() => api.get<{ items: Row[] }>('/api/rounds'), []);
  return (
    <section class="page" data-testid="rounds-page">
      <h1>巡察轮次</h1>
      {me.role === 'office' && (
        <Link href="/rounds/new" class="button" testid="new-round">
          部署一轮巡察
        </Link>
      )}
      <DataTable
        rows={data?.items}
        error={error}
        empty="暂无巡察轮次。"
        testid="rounds-table"
        rowKey={(r) => s(r.round_id)}
        columns={[
          [
            '轮次',
            (r) => (
              <Link href={`/rounds/${enc(s(r.round_id))}`} testid={`round-${s(r.round_id)}`}>
                {s(r.name)}
              </Link>
            ),
          ],
          ['单位数', (r) => s(r.units)],
          ['整改事项', (r) => s(r.items)],
          ['已销号', (r) => s(r.items_closed)],
          ['逾期', (r) => s(r.items_overdue)],
          ['整改率', (r) => percent(Number(r.rate_percent))],
        ]}
      />
    </section>
  );
}

// ---- office: dashboard per round
interface Stats {
  round: { units: number; items: number; itemsClosed: number; itemsOverdue: number; escalations: number; ratePercent: number };
  units: { unitId: string; unitName: string; sector: string; phase: string; items: number; itemsClosed: number; itemsOverdue: number; escalations: number; ratePercent: number; colours: Record<string, number> }[];
  categories: { category: string; problems: number }[];
  overTime: { month: string; issued: number; closed: number }[];
}
/** Red if anything is overdue or red-lit, yellow if anything is yellow, else green. */
function unitStatus(u: Stats['units'][number]): string {
  if (u.items === 0) return 'none';
  if (u.itemsOverdue > 0 || (u.colours.red ?? 0) > 0) return 'red';
  if ((u.colours.yellow ?? 0) > 0) return 'yellow';
  return 'green';
}
export function Dashboard({ roundId, me }: { roundId: string; me: Me }) {
  const load = useLoad(async () => {
    const round = await whenRecorded(() => api.get<Row & { units: Row[] }>(`/api/rounds/${enc(roundId)}`));
    const [stats, items, esc, notices] = await Promise.all([
      api.get<Stats>(`/api/rounds/${enc(roundId)}/statistics`),
      api.get<{ items: Row[] }>(`/api/rounds/${enc(roundId)}/items`),
      me.role === 'office' || me.role === 'leadingGroup' ? api.get<{ items: Row[] }>(`/api/escalations?roundId=${enc(roundId)}`) : Promise.resolve({ items: [] as Row[] }),
      me.role === 'office' || me.role === 'unitHead' ? api.get<{ items: Row[] }>(`/api/rounds/${enc(roundId)}/notices`) : Promise.resolve({ items: [] as Row[] }),
    ]);
    return { round, stats, items, esc, notices };
  }, [roundId]);
  const [exportError, setExportError] = useState<string>();
  if (!load.data) return <Loading error={load.error} />;
  const { round, stats: st, items, esc, notices } = load.data;
  const overdue = items.items.filter((i) => i.overdue && i.state === 'open');
  return (
    <section class="page" data-testid="dashboard">
      <h1>{s(round.name)} · 整改督办</h1>
      <div class="toolbar no-print">
        <button
          type="button"
          data-testid="export-ledger"
          onClick={() => {
            setExportError(undefined);
            api.download(`/api/rounds/${enc(roundId)}/ledger.xlsx`, `整改台账-${roundId}.xlsx`).catch((e) => setExportError(errorText(e)));
          }}
        >
          导出台账
        </button>
        <button type="button" class="secondary" onClick={() => window.print()}>
          打印本页
        </button>
      </div>
      <ErrorBox message={exportError} testid="export-error" />
      <div class="kpis">
        <div class="kpi">
          <span>整改率</span>
          <strong data-testid="rate-round">{percent(st.round.ratePercent)}</strong>
        </div>
        <div class="kpi">
          <span>整改事项</span>
          <strong data-testid="items-total">{st.round.items}</strong>
        </div>
        <div class="kpi">
          <span>已销号</span>
          <strong data-testid="items-closed">{st.round.itemsClosed}</strong>
        </div>
        <div class="kpi">
          <span>逾期</span>
          <strong class={st.round.itemsOverdue ? 'red' : ''}>{st.round.itemsOverdue}</strong>
        </div>
        <div class="kpi">
          <span>问责升级</span>
          <strong>{st.round.escalations}</strong>
        </div>
      </div>
      <h2>各单位整改情况</h2>
      <table data-testid="unit-rates">
        <thead>
          <tr>
            <th>单位</th>
            <th>领域</th>
            <th>阶段</th>
            <th>状态</th>
            <th>事项</th>
            <th>已销号</th>
            <th>红/黄/绿</th>
            <th>逾期</th>
            <th>问责升级</th>
            <th>整改率</th>
          </tr>
        </thead>
        <tbody>
          {st.units.map((u) => (
            <tr key={u.unitId}>
              <td>{u.unitName}</td>
              <td>{label(SECTOR_LABELS, u.sector)}</td>
              <td>{label(PHASE_LABELS, u.phase)}</td>
              <td>
                <span class={`status status-${unitStatus(u)}`} data-testid={`status-${u.unitId}`}>
                  {({ red: '红', yellow: '黄', green: '绿' } as Record<string, string>)[unitStatus(u)] ?? '—'}
                </span>
              </td>
              <td>{u.items}</td>
              <td>{u.itemsClosed}</td>
              <td>
                {u.colours.red ?? 0}/{u.colours.yellow ?? 0}/{u.colours.green ?? 0}
              </td>
              <td>{u.itemsOverdue}</td>
              <td>{u.escalations}</td>
              <td data-testid={`rate-${u.unitId}`}>{percent(u.ratePercent)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="charts">
        <BarChart title="问题类别分布" testid="chart-categories" data={st.categories.map((c) => ({ label: label(CATEGORY_LABELS, c.category), value: c.problems }))} />
        <LineChart
          title="整改事项按月趋势"
          testid="chart-over-time"
          labels={st.overTime.map((o) => o.month)}
          series={[
            { name: '交办', values: st.overTime.map((o) => o.issued), cls: 'series-a' },
            { name: '销号', values: st.overTime.map((o) => o.closed), cls: 'series-b' },
          ]}
        />
      </div>
      <h2>逾期事项</h2>
      {overdue.length === 0 ? <p class="muted">无逾期事项。</p> : <ItemTable rows={overdue} testid="overdue-items" />}
      <h2>问责升级</h2>
      <EscalationTable rows={esc.items} />
      <h2>整改台账</h2>
      <ItemTable rows={items.items} testid="items-table" />
      <h2>通知</h2>
      <NoticeTable rows={notices.items} onError={setExportError} />
    </section>
  );
}

function NoticeTable({ rows, onError }: { rows: Row[]; onError: (m: string) => void }) {
  return (
    <DataTable
      rows={rows}
      testid="notices"
      empty="暂无通知。"
      rowKey={(n) => s(n.notice_id)}
      columns={[
        ['编号', (n) => s(n.notice_id)],
        ['主题', (n) => s(n.subject)],
        ['单位', (n) => s(n.unit_id)],
        ['状态', (n) => (n.state === 'sent' ? '已发送' : n.state === 'failed' ? '发送失败' : '待发送')],
        ['发送时间', (n) => day(n.sent_at)],
        [
          '打印',
          (n) => (
            <button type="button" class="link" data-testid={`print-notice-${s(n.notice_id)}`} onClick={() => api.openHtml(`/api/notices/${enc(s(n.notice_id))}/print`).catch((e) => onError(errorText(e)))}>
              打印
            </button>
          ),
        ],
      ]}
    />
  );
}

export function ItemTable({ rows, testid }: { rows: Row[]; testid?: string }) {
  return (
    <table data-testid={testid} class="ledger">
      <thead>
        <tr>
          <th>编号</th>
          <th>整改事项</th>
          <th>类型</th>
          <th>责任人</th>
          <th>整改时限</th>
          <th>亮灯</th>
          <th>状态</th>
          <th>进展</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((i) => (
          <tr key={`${s(i.unit_id)}/${s(i.item_id)}`} data-testid={`item-row-${s(i.item_id)}`} class={i.overdue && i.state === 'open' ? 'overdue' : ''}>
            <td>{s(i.item_id)}</td>
            <td>
              <Link href={`/rounds/${enc(s(i.round_id))}/units/${enc(s(i.unit_id))}/items/${enc(s(i.item_id))}`} testid={`item-link-${s(i.item_id)}`}>
                {s(i.title)}
              </Link>
            </td>
            <td>{label(KIND_LABELS, i.kind)}</td>
            <td>{s(i.responsible_name)}</td>
            <td>
              {day(i.deadline)}
              {i.overdue && i.state === 'open' ? <span class="flag">逾期</span> : null}
            </td>
            <td>
              <ColourChip colour={s(i.colour)} />
            </td>
            <td data-testid={`item-state-${s(i.item_id)}`}>{label(STATE_LABELS, i.state)}</td>
            <td>{label(PROGRESS_LABELS, i.progress)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
const ESCALATION_STEPS = ESCALATION_STEP_LABELS;
const DETAIL_NAMES: Record<string, string> = { deadline: '期限', clueId: '线索', letterId: '函告', ratePercent: '整改率', itemId: '事项' };
function detailText(d: unknown): string {
  if (!d || typeof d !== 'object') return s(d);
  return Object.entries(d as Record<string, unknown>)
    .map(([k, v]) => `${DETAIL_NAMES[k] ?? k}：${typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? day(v) : s(v)}`)
    .join('；');
}
function EscalationTable({ rows }: { rows: Row[] }) {
  return (
    <DataTable
      rows={rows}
      testid="escalations"
      empty="无问责升级。"
      rowKey={(e) => s(e.escalation_key)}
      columns={[
        ['单位', (e) => s(e.unit_id)],
        ['事项', (e) => s(e.item_id)],
        ['升级步骤', (e) => label(ESCALATION_STEPS, e.step)],
        ['情况', (e) => detailText(e.detail)],
        ['发起时间', (e) => day(e.raised_at)],
        ['状态', (e) => (e.state === 'open' ? '待决定' : `已决定${e.decision ? `：${s(e.decision)}` : ''}`)],
      ]}
    />
  );
}

/** "附件 evidence-file:<id> <name> sha256:<hex>" (an uploaded file cited in a report) → "附件 <name>". */
const evidenceText = (e: string) => e.replace(/^附件 evidence-file:\S+ (.+) sha256:\S+$/, '附件 $1');

// ---- an item: history, evidence; the unit reports progress, the office closes or returns it
export function ItemPage({ roundId, unitId, itemId, me }: { roundId: string; unitId: string; itemId: string; me: Me }) {
  const base = `/api/rounds/${enc(roundId)}/units/${enc(unitId)}/items/${enc(itemId)}`;
  const item = useLoad(() => api.get<Row & { progress: Row[]; reconciliations: Row[]; evidenceFiles: Row[] }>(base), [base]);
  const [status, setStatus] = useState('mostly-done');
  const [note, setNote] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [decision, setDecision] = useState('close');
  const [evidence, setEvidence] = useState('');
  const [reason, setReason] = useState('');
  const [newDeadline, setNewDeadline] = useState('');
  const progress = useSubmit();
  const reconcile = useSubmit();
  if (!item.data) return <Loading error={item.error} />;
  const i = item.data;
  const open = i.state === 'open';
  const lines = (t: string) => t.split('\n').map((x) => x.trim()).filter(Boolean);
  return (
    <section class="page" data-testid="item-page">
      <p class="no-print">
        <Link href={me.role === 'unitHead' ? '/ledger' : `/rounds/${enc(roundId)}`}>← 返回台账</Link>
      </p>
      <h1>
        整改事项 {s(i.item_id)}：{s(i.title)}
      </h1>
      <dl class="summary">
        <dt>整改措施</dt>
        <dd>{s(i.measures)}</dd>
        <dt>责任人</dt>
        <dd>{s(i.responsible_name)}</dd>
        <dt>整改时限</dt>
        <dd>
          {day(i.deadline)} {i.overdue && open ? <span class="flag">逾期</span> : null}
        </dd>
        <dt>亮灯</dt>
        <dd>
          <ColourChip colour={s(i.colour)} />
        </dd>
        <dt>状态</dt>
        <dd data-testid="item-state">{label(STATE_LABELS, i.state)}</dd>
      </dl>
      <h2>整改进展</h2>
      {i.progress.length === 0 ? (
        <p class="muted">尚未报送进展。</p>
      ) : (
        <ol class="history" data-testid="progress-history">
          {i.progress.map((p) => (
            <li key={`${s(p.generation)}-${s(p.seq)}`}>
              <strong>{day(p.reported_at)}</strong> {label(PROGRESS_LABELS, p.status)}：{s(p.note)}
              {Array.isArray(p.evidence) && p.evidence.length > 0 && <span class="muted">（佐证：{(p.evidence as string[]).map(evidenceText).join('；')}）</span>}
            </li>
          ))}
        </ol>
      )}
      {i.reconciliations.length > 0 && (
        <>
          <h2>对账记录</h2>
          <ol class="history" data-testid="reconciliations">
            {i.reconciliations.map((r) => (
              <li key={`${s(r.generation)}-${s(r.seq)}`}>
                <strong>{day(r.decided_at)}</strong> {r.decision === 'close' ? '销号' : '退回'} {s(r.reason)}
              </li>
            ))}
          </ol>
        </>
      )}
      <h2>佐证材料</h2>
      {i.evidenceFiles.length === 0 ? (
        <p class="muted">暂无附件。</p>
      ) : (
        <ul data-testid="evidence-files">
          {i.evidenceFiles.map((f) => (
            <li key={s(f.evidence_id)}>
              <button type="button" class="link" onClick={() => void api.download(`/api/evidence/${enc(s(f.evidence_id))}`, s(f.file_name))}>
                {s(f.file_name)}
              </button>{' '}
              <span class="muted">{Math.ceil(Number(f.size_bytes) / 1024)} KB</span>
            </li>
          ))}
        </ul>
      )}
      {open && (me.role === 'unitHead' || me.role === 'office') && (
        <form
          class="card no-print"
          data-testid="progress-form"
          onSubmit={(e) => {
            e.preventDefault();
            void progress.run(async () => {
              const ids: string[] = [];
              for (const f of files) ids.push((await api.upload<{ evidenceId: string }>(`${base}/evidence`, f)).evidenceId);
              await api.post(`${base}/progress`, { status, note, ...(ids.length ? { evidenceFileIds: ids } : {}) });
              setNote('');
              setFiles([]);
              item.reload();
              return '整改进展已报送';
            });
          }}
        >
          <h2>报送整改进展</h2>
          <Select label="完成情况" path="status" value={status} onChange={setStatus} errors={progress.errors} options={Object.entries(PROGRESS_LABELS)} />
          <Field label="进展说明" path="note" value={note} onInput={setNote} multiline errors={progress.errors} />
          <div class="field">
            <label for="evidence-file">佐证材料（PDF、图片、TXT、Word、Excel，每个不超过10MB）</label>
            <input id="evidence-file" type="file" multiple data-testid="evidence-file" onChange={(e) => setFiles(Array.from((e.currentTarget as HTMLInputElement).files ?? []))} />
          </div>
          <button type="submit" data-testid="submit-progress" disabled={progress.busy}>
            报送进展
          </button>
          <ErrorBox message={progress.error} testid="progress-error" />
        </form>
      )}
      {open && me.role === 'office' && (
        <form
          class="card no-print"
          data-testid="reconcile-form"
          onSubmit={(e) => {
            e.preventDefault();
            void reconcile.run(async () => {
              const body =
                decision === 'close'
                  ? { decision, evidence: lines(evidence) }
                  : { decision, evidence: lines(evidence), reason, ...(newDeadline ? { newDeadline: new Date(`${newDeadline}T23:59:59+08:00`).toISOString() } : {}) };
              await api.post(`${base}/reconcile`, body);
              item.reload();
              return decision === 'close' ? '已销号' : '已退回重新整改';
            });
          }}
        >
          <h2>对账销号</h2>
          <Select
            label="对账结论"
            path="decision"
            value={decision}
            onChange={setDecision}
            errors={reconcile.errors}
            options={[
              ['close', '销号'],
              ['return', '退回重新整改'],
            ]}
          />
          <Field label="核验依据（每行一项）" path="evidence" value={evidence} onInput={setEvidence} multiline errors={reconcile.errors} />
          {decision === 'return' && (
            <>
              <Field label="退回理由" path="reason" value={reason} onInput={setReason} multiline errors={reconcile.errors} />
              <Field label="新的整改时限" path="newDeadline" type="date" value={newDeadline} onInput={setNewDeadline} errors={reconcile.errors} />
            </>
          )}
          <button type="submit" data-testid="submit-reconcile" disabled={reconcile.busy}>
            {decision === 'close' ? '销号' : '退回'}
          </button>
          <ErrorBox message={reconcile.error} testid="reconcile-error" />
        </form>
      )}
      {/* Outside the forms: they go away once the item is closed. */}
      <Notice message={progress.ok} testid="progress-ok" />
      <Notice message={reconcile.ok} testid="reconcile-ok" />
    </section>
  );
}

// ---- unit head: the unit's ledger 一单两账, plan and rectification report
interface PlanRow {
  problemId: string;
  measures: string;
  name: string;
  personId: string;
  email: string;
  deadline: string;
  kind: string;
}
export function UnitLedger({ me }: { me: Me }) {
  const roundId = me.scope.roundId ?? '';
  const unitId = me.scope.unitId ?? '';
  const unitBase = `/api/rounds/${enc(roundId)}/units/${enc(unitId)}`;
  const unit = useLoad(() => api.get<Row & { plan: (Row & { items?: Row[] }) | null; tasks: Row[] }>(unitBase), [unitBase]);
  const items = useLoad(() => api.get<{ items: Row[] }>(`/api/rounds/${enc(roundId)}/items?unitId=${enc(unitId)}`), [unitBase]);
  const notices = useLoad(() => api.get<{ items: Row[] }>(`/api/rounds/${enc(roundId)}/notices`), [unitBase]);
  const [noticeError, setNoticeError] = useState<string>();
  const [plan, setPlan] = useState<PlanRow[]>([{ problemId: '', measures: '', name: me.name, personId: me.personId, email: '', deadline: '', kind: 'time-limited' }]);
  const [summary, setSummary] = useState('');
  const filePlan = useSubmit();
  const report = useSubmit();
  if (!unit.data) return <Loading error={unit.error} />;
  const u = unit.data;
  const planItems = (u.plan?.items ?? []) as Row[];
  const setRow = (i: number, f: Partial<PlanRow>) => setPlan(plan.map((r, j) => (j === i ? { ...r, ...f } : r)));
  return (
    <section class="page ledger-page" data-testid="unit-ledger">
      <h1>{s(u.name)} · 整改台账（一单两账）</h1>
      <p>
        当前阶段：{label(PHASE_LABELS, u.phase)}；整改报告应于 {day(u.rectification_report_due)} 前报送
        <button type="button" class="secondary no-print" onClick={() => window.print()}>
          打印台账
        </button>{' '}
        <button type="button" class="secondary no-print" data-testid="unit-export" onClick={() => void api.download(`/api/rounds/${enc(roundId)}/ledger.xlsx`, `整改台账-${unitId}.xlsx`)}>
          导出台账
        </button>
      </p>
      <h2>问题清单</h2>
      <DataTable
        rows={planItems}
        empty="尚未报送整改方案。"
        testid="problem-list"
        rowKey={(p) => s(p.problemId)}
        columns={[
          ['问题编号', (p) => s(p.problemId)],
          ['整改措施', (p) => s(p.measures)],
          ['责任人', (p) => s((p.responsible as Row | undefined)?.name)],
          ['整改时限', (p) => day(p.deadline)],
          ['类型', (p) => label(KIND_LABELS, p.kind)],
        ]}
      />
      <h2>整改任务清单</h2>
      {items.data ? items.data.items.length ? <ItemTable rows={items.data.items} testid="unit-items" /> : <p class="muted">暂无整改事项。</p> : <Loading error={items.error} />}
      {!u.plan && (
        <form
          class="card no-print"
          data-testid="plan-form"
          onSubmit={(e) => {
            e.preventDefault();
            void filePlan.run(async () => {
              await api.post(`${unitBase}/plan`, {
                items: plan.map((r) => ({
                  problemId: r.problemId.trim(),
                  measures: r.measures,
                  responsible: { personId: r.personId.trim(), name: r.name.trim(), email: r.email.trim() },
                  deadline: r.deadline ? new Date(`${r.deadline}T23:59:59+08:00`).toISOString() : '',
                  kind: r.kind,
                })),
              });
              unit.reload();
              items.reload();
              return '整改方案已报送';
            });
          }}
        >
          <h2>报送整改方案</h2>
          {plan.map((r, i) => (
            <div class="unit-card" key={i}>
              <div class="row">
                <Field label="问题编号" path={`items.${i}.problemId`} value={r.problemId} onInput={(v) => setRow(i, { problemId: v })} errors={filePlan.errors} />
                <Select label="整改类型" path={`items.${i}.kind`} value={r.kind} onChange={(v) => setRow(i, { kind: v })} errors={filePlan.errors} options={Object.entries(KIND_LABELS)} />
                <Field label="整改时限" path={`items.${i}.deadline`} type="date" value={r.deadline} onInput={(v) => setRow(i, { deadline: v })} errors={filePlan.errors} />
              </div>
              <Field label="整改措施" path={`items.${i}.measures`} value={r.measures} onInput={(v) => setRow(i, { measures: v })} multiline errors={filePlan.errors} />
              <div class="row">
                <Field label="责任人姓名" path={`items.${i}.responsible.name`} value={r.name} onInput={(v) => setRow(i, { name: v })} errors={filePlan.errors} />
                <Field label="责任人编号" path={`items.${i}.responsible.personId`} value={r.personId} onInput={(v) => setRow(i, { personId: v })} errors={filePlan.errors} />
                <Field label="责任人邮箱" path={`items.${i}.responsible.email`} type="email" value={r.email} onInput={(v) => setRow(i, { email: v })} errors={filePlan.errors} />
              </div>
            </div>
          ))}
          <button type="button" class="secondary" onClick={() => setPlan([...plan, { ...plan[plan.length - 1]!, problemId: '', measures: '' }])}>
            增加一项
          </button>{' '}
          <button type="submit" data-testid="submit-plan" disabled={filePlan.busy}>
            报送整改方案
          </button>
          <ErrorBox message={filePlan.error} />
        </form>
      )}
      {u.plan && !u.rectification_report_at && (
        <form
          class="card no-print"
          data-testid="report-form"
          onSubmit={(e) => {
            e.preventDefault();
            void report.run(async () => {
              await api.post(`${unitBase}/rectification-report`, { summary });
              unit.reload();
              return '整改情况报告已报送';
            });
          }}
        >
          <h2>报送整改情况报告</h2>
          <Field label="报告正文" path="summary" value={summary} onInput={setSummary} multiline errors={report.errors} />
          <button type="submit" data-testid="submit-report" disabled={report.busy}>
            报送整改报告
          </button>
          <ErrorBox message={report.error} />
        </form>
      )}
      {!!u.rectification_report_at && <p class="ok-box">整改情况报告已于 {day(u.rectification_report_at)} 报送。</p>}
      <Notice message={filePlan.ok} testid="plan-ok" />
      <Notice message={report.ok} testid="report-ok" />
      <h2>通知</h2>
      <ErrorBox message={noticeError} />
      {notices.data ? <NoticeTable rows={notices.data.items} onError={setNoticeError} /> : <Loading error={notices.error} />}
    </section>
  );
}

// ---- everyone: the task inbox 待办
export function Tasks() {
  const { data, error, reload } = useLoad(() => api.get<{ items: Row[] }>('/api/tasks'), []);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string>();
  const [failed, setFailed] = useState<{ id: string; message: string }>();
  return (
    <section class="page" data-testid="tasks-page">
      <h1>我的待办</h1>
      <Notice message={done} testid="task-done" />
      {!data ? (
        <Loading error={error} />
      ) : data.items.length === 0 ? (
        <p class="muted">暂无待办事项。</p>
      ) : (
        <table data-testid="tasks-table">
          <thead>
            <tr>
              <th>事项</th>
              <th>办理期限</th>
              <th>办理</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((t) => {
              const id = s(t.task_id);
              return (
                <tr key={id} class={t.overdue ? 'overdue' : ''} data-testid="task-row">
                  <td>
                    {s(t.subject) || s(t.kind)}
                    {t.last_rejection ? <div class="field-error">上次未通过：{s(t.last_rejection)}</div> : null}
                  </td>
                  <td>
                    {day(t.due_at)} {t.overdue ? <span class="flag">逾期</span> : null}
                  </td>
                  <td>
                    <form
                      class="inline"
                      onSubmit={(e) => {
                        e.preventDefault();
                        setFailed(undefined);
                        api.post(`/api/tasks/${enc(id)}/complete`, { note: notes[id] ?? '' }).then(
                          () => {
                            setDone('已办结');
                            reload();
                          },
                          (err) => setFailed({ id, message: errorText(err) }),
                        );
                      }}
                    >
                      <Field label="办理说明" path={`note-${id}`} value={notes[id] ?? ''} onInput={(v) => setNotes({ ...notes, [id]: v })} />
                      <button type="submit">办结</button>
                    </form>
                    {failed?.id === id && <ErrorBox message={failed.message} />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

// ---- discipline commission: clues and escalations
export function Clues({ me }: { me: Me }) {
  const clues = useLoad(() => api.get<{ items: Row[] }>('/api/clues'), []);
  const esc = useLoad(() => api.get<{ items: Row[] }>('/api/escalations'), []);
  const [form, setForm] = useState<{ key: string; outcome: string; caseOpened: boolean; people: string }>();
  const submit = useSubmit();
  return (
    <section class="page" data-testid="clues-page">
      <h1>移交线索</h1>
      {!clues.data ? (
        <Loading error={clues.error} />
      ) : clues.data.items.length === 0 ? (
        <p class="muted">暂无移交线索。</p>
      ) : (
        <table data-testid="clues-table">
          <thead>
            <tr>
              <th>线索</th>
              <th>单位</th>
              <th>移交时间</th>
              <th>反馈期限</th>
              <th>状态</th>
              <th>办理</th>
            </tr>
          </thead>
          <tbody>
            {clues.data.items.map((c) => {
              const key = `${s(c.round_id)}/${s(c.unit_id)}/${s(c.clue_id)}`;
              return (
                <tr key={key} class={c.overdue ? 'overdue' : ''}>
                  <td>{s(c.summary)}</td>
                  <td>{s(c.unit_id)}</td>
                  <td>{day(c.transferred_at)}</td>
                  <td>
                    {day(c.report_back_due)} {c.overdue ? <span class="flag">逾期</span> : null}
                  </td>
                  <td>{c.reported_at ? `已反馈：${s(c.outcome)}` : '待反馈'}</td>
                  <td>
                    {!c.reported_at && (
                      <button type="button" class="secondary" onClick={() => setForm({ key, outcome: '', caseOpened: false, people: '0' })}>
                        反馈办理情况
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {form && (
        <form
          class="card"
          onSubmit={(e) => {
            e.preventDefault();
            const [r, u, c] = form.key.split('/');
            void submit.run(async () => {
              await api.post(`/api/rounds/${enc(r!)}/units/${enc(u!)}/clues/${enc(c!)}/outcome`, { outcome: form.outcome, caseOpened: form.caseOpened, peopleDisciplined: Number(form.people) || 0 });
              setForm(undefined);
              clues.reload();
              return '办理情况已反馈';
            });
          }}
        >
          <h2>线索办理情况反馈</h2>
          <Field label="办理结果" path="outcome" value={form.outcome} onInput={(v) => setForm({ ...form, outcome: v })} multiline errors={submit.errors} />
          <label class="check">
            <input type="checkbox" checked={form.caseOpened} onChange={(e) => setForm({ ...form, caseOpened: (e.currentTarget as HTMLInputElement).checked })} />
            已立案
          </label>
          <Field label="处理人数" path="peopleDisciplined" type="number" value={form.people} onInput={(v) => setForm({ ...form, people: v })} errors={submit.errors} />
          <button type="submit">提交反馈</button>
        </form>
      )}
      <Notice message={submit.ok} />
      <ErrorBox message={submit.error} />
      <h1>问责升级（待决定）</h1>
      {esc.data ? <EscalationTable rows={esc.data.items.filter((e) => e.state === 'open')} /> : <Loading error={esc.error} />}
      <p>
        问责决定请在 <Link href="/tasks">我的待办</Link> 中办理。{me.scope.roundId ? '' : ''}
      </p>
    </section>
  );
}

// ---- supervision group: look-backs and spot checks, findings
export function Checks() {
  const lookBacks = useLoad(() => api.get<{ items: Row[] }>('/api/look-backs'), []);
  const spot = useLoad(() => api.get<{ items: Row[] }>('/api/spot-checks'), []);
  const [f, setF] = useState({ roundId: '', unitId: '', checkId: '', itemId: '', verdict: 'sustained', note: '' });
  const submit = useSubmit();
  return (
    <section class="page" data-testid="checks-page">
      <h1>回头看</h1>
      <DataTable
        rows={lookBacks.data?.items}
        error={lookBacks.error}
        empty="暂无回头看任务。"
        rowKey={(l) => s(l.check_id)}
        columns={[
          ['编号', (l) => s(l.check_id)],
          ['单位', (l) => s(l.unit_id)],
          ['类型', (l) => s(l.kind)],
          ['记录时间', (l) => day(l.recorded_at)],
        ]}
      />
      <h1>突击察访</h1>
      <DataTable
        rows={spot.data?.items}
        error={spot.error}
        empty="暂无突击察访安排。"
        rowKey={(c) => s(c.spot_check_id)}
        columns={[
          ['编号', (c) => s(c.spot_check_id)],
          ['单位', (c) => s(c.unit_id)],
          ['察访时间', (c) => day(c.visit_at)],
          ['察访对象', (c) => s(c.target)],
          ['状态', (c) => s(c.state)],
        ]}
      />
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run(async () => {
            await api.post(`/api/rounds/${enc(f.roundId)}/units/${enc(f.unitId)}/findings`, { checkId: f.checkId, findings: f.itemId ? [{ itemId: f.itemId, verdict: f.verdict, note: f.note }] : [] });
            lookBacks.reload();
            return '发现已记录';
          });
        }}
      >
        <h2>记录回头看/察访发现</h2>
        <div class="row">
          <Field label="轮次编号" path="roundId" value={f.roundId} onInput={(v) => setF({ ...f, roundId: v })} errors={submit.errors} />
          <Field label="单位编号" path="unitId" value={f.unitId} onInput={(v) => setF({ ...f, unitId: v })} errors={submit.errors} />
          <Field label="检查编号" path="checkId" value={f.checkId} onInput={(v) => setF({ ...f, checkId: v })} errors={submit.errors} />
        </div>
        <div class="row">
          <Field label="整改事项编号" path="findings.0.itemId" value={f.itemId} onInput={(v) => setF({ ...f, itemId: v })} errors={submit.errors} />
          <Select
            label="核查结论"
            path="findings.0.verdict"
            value={f.verdict}
            onChange={(v) => setF({ ...f, verdict: v })}
            errors={submit.errors}
            options={[
              ['sustained', '整改成效保持'],
              ['relapsed', '问题反弹'],
              ['fake', '虚假整改'],
            ]}
          />
        </div>
        <Field label="核查情况" path="findings.0.note" value={f.note} onInput={(v) => setF({ ...f, note: v })} multiline errors={submit.errors} />
        <button type="submit">记录发现</button>
        <Notice message={submit.ok} />
        <ErrorBox message={submit.error} />
      </form>
    </section>
  );
}

export function logout(): void {
  session.clear();
  navigate('/login', true);
}
