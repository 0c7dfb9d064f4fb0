// The console's HTTP client: the session token in sessionStorage, JSON in and out, every refusal
// turned into an ApiFailure carrying the API's readable message and its per-field issues.
import { inChinese } from '../../domain/issue-text';

export interface Issue {
  path: string;
  message: string;
}
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

export interface Me {
  personId: string;
  name: string;
  role: 'office' | 'leadingGroup' | 'inspectionGroup' | 'unitHead' | 'disciplineCommission' | 'supervisionGroup';
  roleLabel: string;
  scope: { roundId?: string; unitId?: string; groupId?: string };
  expiresAt: string;
}

const KEY = 'xuncha.token';
export const session = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (t: string) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

let onUnauthenticated: () => void = () => undefined;
export const whenUnauthenticated = (fn: () => void) => {
  onUnauthenticated = fn;
};

async function failure(res: Response): Promise<ApiFailure> {
  let body: { error?: { code?: string; message?: string; issues?: Issue[] } } = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  const e = body.error ?? {};
  return new ApiFailure(res.status, e.code ?? 'error', e.message ?? `请求失败（HTTP ${res.status}）`, e.issues ?? []);
}

async function request(method: string, path: string, body?: unknown | FormData, anonymous = false): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.get();
  if (token && !anonymous) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch {
    throw new ApiFailure(0, 'network', '无法连接服务器，请检查网络后重试');
  }
  if (!res.ok) {
    const f = await failure(res);
    if (res.status === 401 && !anonymous) onUnauthenticated();
    throw f;
  }
  return res;
}

export const api = {
  get: async <T,>(path: string): Promise<T> => (await request('GET', path)).json() as Promise<T>,
  post: async <T,>(path: string, body: unknown, anonymous = false): Promise<T> => (await request('POST', path, body, anonymous)).json() as Promise<T>,
  upload: async <T,>(path: string, file: File): Promise<T> => {
    const fd = new FormData();
    fd.append('file', file, file.name);
    return (await request('POST', path, fd)).json() as Promise<T>;
  },
  /** Download with the session token, then hand the file to the browser. */
  download: async (path: string, fileName: string): Promise<void> => {
    const blob = await (await request('GET', path)).blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  },
  /** Open printable HTML (e.g. a notice) in a new window. */
  openHtml: async (path: string): Promise<void> => {
    const html = await (await request('GET', path)).text();
    const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
    window.open(url, '_blank');
  },
  redeem: async (t: string): Promise<{ token: string; me: Me }> => (await request('GET', `/api/auth/redeem?t=${encodeURIComponent(t)}`, undefined, true)).json() as Promise<{ token: string; me: Me }>,
};

export { inChinese };

/** The API's issue paths ("body.units.0.head.email") as the form fields name them ("units.0.head.email"). */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiFailure)) return {};
  const out: Record<string, string> = {};
  for (const i of e.issues) {
    const p = i.path.replace(/^body\.?/, '') || '(root)';
    out[p] ??= inChinese(i.message);
  }
  return out;
}
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A just-started round reaches the ledger a moment after the API accepts it: retry "not found" briefly. */
export async function whenRecorded<T>(fn: () => Promise<T>, tries = 20, waitMs = 500): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ApiFailure && e.status === 404) || i >= tries) throw e;
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
