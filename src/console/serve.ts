// The web console (巡察工作平台): a single-page Preact app bundled by esbuild once, in memory, at
// start-up (or read from a prebuilt bundle), served by the API's Fastify instance at `/`.
// Client routes fall back to index.html; `/api/*` is never answered with the page.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

export interface ConsoleAssets {
  html: string;
  js: string;
  css: string;
}

const ENTRY = path.join(__dirname, 'app', 'main.tsx');

export const INDEX_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>巡察工作平台</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<div id="app"><p class="loading">正在加载巡察工作平台…</p></div>
<script src="/app.js" defer></script>
</body>
</html>
`;

/** Bundle the app with esbuild's JS API, nothing written to disk. */
export async function bundleConsole(): Promise<ConsoleAssets> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    write: false,
    outdir: 'console-out',
    format: 'iife',
    platform: 'browser',
    target: ['es2020', 'chrome100'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = (ext: string) => out.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { html: INDEX_HTML, js: file('.js'), css: file('.css') };
}

/**
 * From the sources when they are here (development, tests); otherwise the prebuilt bundle next to
 * the compiled code (OUT/console beside OUT/src, written by `tsx src/console/serve.ts build OUT/console`).
 */
export async function loadConsole(distDir = path.resolve(__dirname, '../../console')): Promise<ConsoleAssets> {
  if (fs.existsSync(ENTRY)) return bundleConsole();
  const js = path.join(distDir, 'app.js');
  if (!fs.existsSync(js)) throw new Error(`console bundle missing: neither ${ENTRY} nor ${js}; run tsx src/console/serve.ts build ${distDir}`);
  return { html: INDEX_HTML, js: fs.readFileSync(js, 'utf8'), css: fs.readFileSync(path.join(distDir, 'app.css'), 'utf8') };
}

const NO_API = (url: string) => ({ error: { code: 'not_found', message: `没有此接口 no route GET ${url.split('?')[0]}` } });

export function registerConsole(app: FastifyInstance): void {
  const assets = loadConsole();
  // Start-up failures surface on the first request, with the bundler's message.
  assets.catch(() => undefined);
  const send = (type: string, pick: (a: ConsoleAssets) => string) => async (_req: unknown, reply: { type(t: string): unknown; header(k: string, v: string): unknown }) => {
    const a = await assets;
    reply.type(type);
    reply.header('cache-control', 'no-cache');
    return pick(a);
  };
  app.get('/', send('text/html; charset=utf-8', (a) => a.html));
  app.get('/app.js', send('application/javascript; charset=utf-8', (a) => a.js));
  app.get('/app.css', send('text/css; charset=utf-8', (a) => a.css));
  // SPA fallback: any other GET outside /api/ is a client route.
  app.get('/*', async (req, reply) => {
    if (req.url === '/api' || req.url.startsWith('/api/')) return reply.code(404).type('application/json; charset=utf-8').send(NO_API(req.url));
    const a = await assets;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(a.html);
  });
}

// `tsx src/console/serve.ts build [dir]`: write the bundle for a deployment without esbuild at run time.
if (require.main === module && process.argv[2] === 'build') {
  const dir = path.resolve(process.argv[3] ?? 'dist/console');
  void bundleConsole().then((a) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'app.js'), a.js);
    fs.writeFileSync(path.join(dir, 'app.css'), a.css);
    fs.writeFileSync(path.join(dir, 'index.html'), a.html);
    console.log(`console written to ${dir}`);
  });
}
