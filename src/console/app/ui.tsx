// Small shared pieces: a history-API router, labelled form fields with their error beside them,
// colour and status chips, and hand-drawn SVG charts.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { COLOUR_LABELS } from '../../domain/status';
import { errorText } from './api';

// ---- routing
const listeners = new Set<() => void>();
export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
}
window.addEventListener('popstate', () => listeners.forEach((l) => l()));
export function useLocation(): string {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const l = () => setPath(location.pathname + location.search);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return path;
}
export function Link(p: { href: string; children: ComponentChildren; testid?: string; class?: string }) {
  return (
    <a
      href={p.href}
      class={p.class}
      data-testid={p.testid}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.button !== 0) return;
        e.preventDefault();
        navigate(p.href);
      }}
    >
      {p.children}
    </a>
  );
}

// ---- data loading
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    fn().then(
      (data) => live && setState({ data }),
      (e) => live && setState({ error: errorText(e) }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}
export function Loading(p: { error?: string }) {
  return p.error ? <ErrorBox message={p.error} /> : <p class="muted">正在加载…</p>;
}
function Message(p: { message?: string; testid: string; kind: 'error' | 'ok' }) {
  if (!p.message) return null;
  return (
    <div class={p.kind === 'error' ? 'error-box' : 'ok-box'} role={p.kind === 'error' ? 'alert' : 'status'} data-testid={p.testid}>
      {p.message}
    </div>
  );
}
export const ErrorBox = (p: { message?: string; testid?: string }) => <Message message={p.message} testid={p.testid ?? 'error'} kind="error" />;
export const Notice = (p: { message?: string; testid?: string }) => <Message message={p.message} testid={p.testid ?? 'notice'} kind="ok" />;

/** A table of rows: loading, failed, empty or filled; one column = a header and how to show a row. */
export type Column<T> = [header: string, cell: (row: T) => ComponentChildren];
export function DataTable<T>(p: { rows?: T[]; error?: string; empty: string; columns: Column<T>[]; rowKey: (row: T) => string; testid?: string; rowClass?: (row: T) => string }) {
  if (!p.rows) return <Loading error={p.error} />;
  if (p.rows.length === 0) return <p class="muted">{p.empty}</p>;
  return (
    <table data-testid={p.testid}>
      <thead>
        <tr>
          {p.columns.map(([h]) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => (
          <tr key={p.rowKey(r)} class={p.rowClass?.(r)}>
            {p.columns.map(([h, cell]) => (
              <td key={h}>{cell(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// ---- form fields: label, control and the API's message for this field
let nextId = 0;
const useId = () => useState(() => `f${++nextId}`)[0];
interface FieldProps {
  label: string;
  path: string;
  errors?: Record<string, string>;
  hint?: string;
}
function FieldError(p: { path: string; errors?: Record<string, string> }) {
  const m = p.errors?.[p.path];
  return m ? (
    <span class="field-error" data-testid={`err-${p.path}`}>
      {m}
    </span>
  ) : null;
}
export function Field(p: FieldProps & { value: string; onInput: (v: string) => void; type?: 'text' | 'email' | 'date' | 'number'; placeholder?: string; required?: boolean; multiline?: boolean }) {
  const id = useId();
  const bad = !!p.errors?.[p.path];
  const common = {
    id,
    name: p.path,
    'data-testid': `field-${p.path}`,
    value: p.value,
    placeholder: p.placeholder,
    required: p.required,
    'aria-invalid': bad,
    class: bad ? 'invalid' : undefined,
    onInput: (e: Event) => p.onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      {p.multiline ? <textarea rows={3} {...common} /> : <input {...({ ...common, type: p.type ?? 'text' } as JSX.IntrinsicElements['input'])} />}
      {p.hint && <span class="hint">{p.hint}</span>}
      <FieldError path={p.path} errors={p.errors} />
    </div>
  );
}
export function Select(p: FieldProps & { value: string; onChange: (v: string) => void; options: [string, string][] }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <select id={id} name={p.path} data-testid={`field-${p.path}`} value={p.value} onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {p.options.map(([v, l]) => (
          <option value={v} key={v}>
            {l}
          </option>
        ))}
      </select>
      <FieldError path={p.path} errors={p.errors} />
    </div>
  );
}

// ---- vocabulary
export function ColourChip(p: { colour: string }) {
  return <span class={`chip chip-${p.colour}`}>{label(COLOUR_LABELS, p.colour)}</span>;
}
export const STATE_LABELS: Record<string, string> = { open: '整改中', closed: '已销号' };
export { PROGRESS_LABELS } from '../../domain/lifecycle';
export { SECTOR_LABELS } from '../../domain/round';
export { CATEGORY_LABELS } from '../../domain/problem';
export { UNIT_PHASE_LABELS as PHASE_LABELS } from '../../domain/status';
export { ITEM_KIND_LABELS as KIND_LABELS } from '../../domain/lifecycle';
export { COLOUR_LABELS } from '../../domain/status';
export const label = (map: Readonly<Record<string, string>>, k: unknown) => map[String(k)] ?? String(k ?? '');
/** A date (ISO) as the office writes it: 2026年12月01日. */
export function day(iso: unknown): string {
  if (!iso) return '—';
  const d = new Date(String(iso));
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}年${p(d.getMonth() + 1)}月${p(d.getDate())}日`;
}
export const percent = (n: number) => `${n.toFixed(2)}%`;

// ---- charts (SVG drawn by hand)
export function BarChart(p: { title: string; data: { label: string; value: number }[]; testid?: string }) {
  const w = 520;
  const barH = 26;
  const h = Math.max(1, p.data.length) * (barH + 10) + 10;
  const max = Math.max(1, ...p.data.map((d) => d.value));
  return (
    <figure class="chart" data-testid={p.testid}>
      <figcaption>{p.title}</figcaption>
      {p.data.length === 0 ? (
        <p class="muted">暂无数据</p>
      ) : (
        <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={p.title}>
          {p.data.map((d, i) => {
            const y = 10 + i * (barH + 10);
            const bw = Math.round(((w - 200) * d.value) / max);
            return (
              <g key={d.label}>
                <text x={120} y={y + barH / 2 + 5} text-anchor="end" class="axis">
                  {d.label}
                </text>
                <rect x={130} y={y} width={Math.max(2, bw)} height={barH} class="bar" />
                <text x={136 + bw} y={y + barH / 2 + 5} class="value">
                  {d.value}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}
export function LineChart(p: { title: string; labels: string[]; series: { name: string; values: number[]; cls: string }[]; testid?: string }) {
  const w = 520;
  const h = 220;
  const left = 40;
  const bottom = 30;
  const max = Math.max(1, ...p.series.flatMap((s) => s.values));
  const n = p.labels.length;
  const x = (i: number) => left + (n <= 1 ? (w - left - 20) / 2 : (i * (w - left - 20)) / (n - 1));
  const y = (v: number) => h - bottom - (v * (h - bottom - 20)) / max;
  return (
    <figure class="chart" data-testid={p.testid}>
      <figcaption>{p.title}</figcaption>
      {n === 0 ? (
        <p class="muted">暂无数据</p>
      ) : (
        <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={p.title}>
          <line x1={left} y1={h - bottom} x2={w - 10} y2={h - bottom} class="axis-line" />
          <line x1={left} y1={10} x2={left} y2={h - bottom} class="axis-line" />
          <text x={left - 6} y={y(max) + 4} text-anchor="end" class="axis">
            {max}
          </text>
          <text x={left - 6} y={h - bottom + 4} text-anchor="end" class="axis">
            0
          </text>
          {p.labels.map((l, i) => (
            <text key={l} x={x(i)} y={h - 10} text-anchor="middle" class="axis">
              {l}
            </text>
          ))}
          {p.series.map((s) => (
            <g key={s.name} class={s.cls}>
              <polyline fill="none" points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
              {s.values.map((v, i) => (
                <circle key={i} cx={x(i)} cy={y(v)} r={4} />
              ))}
            </g>
          ))}
        </svg>
      )}
      <div class="legend">
        {p.series.map((s) => (
          <span key={s.name} class={`legend-item ${s.cls}`}>
            <i /> {s.name}
          </span>
        ))}
      </div>
    </figure>
  );
}
