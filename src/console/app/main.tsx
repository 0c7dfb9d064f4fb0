// 巡察工作平台: the entry. Signs in (pasted token, e-mailed link ?t=, or #token= from the redeem
// redirect), reads /api/me and shows the pages of the signed-in role.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, session, whenUnauthenticated, type Me } from './api';
import { Checks, Clues, Dashboard, ItemPage, Login, logout, Rounds, Tasks, UnitLedger } from './pages';
import { ErrorBox, Link, navigate, useLocation } from './ui';
import { Wizard } from './wizard';
import './styles.css';

const HOME: Record<Me['role'], string> = {
  office: '/rounds',
  leadingGroup: '/rounds',
  inspectionGroup: '/rounds',
  unitHead: '/ledger',
  disciplineCommission: '/clues',
  supervisionGroup: '/checks',
};
const NAV: Record<Me['role'], [string, string][]> = {
  office: [
    ['/rounds', '巡察轮次'],
    ['/rounds/new', '部署巡察'],
    ['/tasks', '待办'],
  ],
  leadingGroup: [
    ['/rounds', '巡察轮次'],
    ['/tasks', '待办'],
  ],
  inspectionGroup: [
    ['/rounds', '巡察轮次'],
    ['/tasks', '待办'],
  ],
  unitHead: [
    ['/ledger', '整改台账'],
    ['/tasks', '待办'],
  ],
  disciplineCommission: [
    ['/clues', '线索与问责'],
    ['/tasks', '待办'],
  ],
  supervisionGroup: [
    ['/checks', '回头看与察访'],
    ['/tasks', '待办'],
  ],
};

function Page({ me, path }: { me: Me; path: string }) {
  const p = path.split('?')[0]!;
  let m: RegExpMatchArray | null;
  if (p === '/' || p === '/login') {
    navigate(HOME[me.role], true);
    return null;
  }
  if (p === '/rounds') return <Rounds me={me} />;
  if (p === '/rounds/new' && me.role === 'office') return <Wizard me={me} />;
  if ((m = p.match(/^\/rounds\/([^/]+)\/units\/([^/]+)\/items\/([^/]+)$/))) return <ItemPage me={me} roundId={decodeURIComponent(m[1]!)} unitId={decodeURIComponent(m[2]!)} itemId={decodeURIComponent(m[3]!)} />;
  if ((m = p.match(/^\/rounds\/([^/]+)$/))) return <Dashboard me={me} roundId={decodeURIComponent(m[1]!)} />;
  if (p === '/ledger' && me.role === 'unitHead') return <UnitLedger me={me} />;
  if (p === '/tasks') return <Tasks />;
  if (p === '/clues') return <Clues me={me} />;
  if (p === '/checks') return <Checks />;
  return (
    <section class="page">
      <h1>页面不存在</h1>
      <p>
        <Link href={HOME[me.role]}>返回首页</Link>
      </p>
    </section>
  );
}

function App() {
  const path = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string>();

  async function signIn(token: string): Promise<void> {
    session.set(token);
    try {
      setMe(await api.get<Me>('/api/me'));
    } catch (e) {
      session.clear();
      setMe(null);
      throw e;
    }
  }

  useEffect(() => {
    whenUnauthenticated(() => {
      session.clear();
      setMe(null);
    });
    // A session handed over by the redeem redirect (#token=…) or an e-mailed link (/login?t=…).
    const hash = /^#token=(.+)$/.exec(location.hash);
    const t = location.pathname === '/login' ? new URLSearchParams(location.search).get('t') : null;
    (async () => {
      if (hash) {
        history.replaceState(null, '', location.pathname);
        await signIn(decodeURIComponent(hash[1]!));
      } else if (t) {
        const r = await api.redeem(t);
        history.replaceState(null, '', '/');
        await signIn(r.token);
      } else if (session.get()) {
        await signIn(session.get()!);
      } else setMe(null);
    })().catch((e) => {
      setError(errorText(e));
      setMe(null);
    });
  }, []);

  if (me === undefined) return <p class="loading">正在登录…</p>;
  if (me === null) {
    return (
      <main>
        <header class="top">
          <span class="brand">巡察工作平台</span>
        </header>
        <ErrorBox message={error} testid="login-error" />
        <Login onLogin={signIn} />
      </main>
    );
  }
  return (
    <main>
      <header class="top no-print">
        <span class="brand">巡察工作平台</span>
        <nav>
          {NAV[me.role].map(([href, text]) => (
            <Link key={href} href={href} class={path.split('?')[0] === href ? 'active' : ''} testid={`nav-${href.slice(1).replace(/\//g, '-')}`}>
              {text}
            </Link>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {me.name}（{me.roleLabel}）
        </span>
        <button
          type="button"
          class="secondary"
          data-testid="logout"
          onClick={() => {
            logout();
            setMe(null);
          }}
        >
          退出
        </button>
      </header>
      <Page me={me} path={path} />
    </main>
  );
}

render(<App />, document.getElementById('app')!);
