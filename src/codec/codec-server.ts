// The remote codec endpoint for the Temporal Web UI and CLI (`--ui-codec-endpoint`,
// `temporal workflow show --codec-endpoint … --codec-auth "Bearer …"`): POST /encode and POST /decode
// take and return `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`. Only callers with a
// configured bearer token may use it: anyone who can call /decode reads informants' names.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { parseOrThrow, ValidationError } from '../domain/validation';
import { AesGcmCodec, CodecError } from './aes-gcm-codec';
import { devKeyInUse, loadCodecConfig, redactCodecConfig, type CodecConfig } from './config';

export const DEFAULT_CODEC_PORT = 8234;
/** Large enough for a page of history (Temporal's own payload limit is 2 MB each). */
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

// The UI and CLI use standard base64 (Go's encoding/json, the browser's btoa); accept url-safe too.
const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({ metadata: z.record(z.string(), Base64).optional(), data: Base64.optional() });
const CodecRequest = z.object({ payloads: z.array(JsonPayload) });
type JsonPayload = z.infer<typeof JsonPayload>;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const b64 = (u: Uint8Array | null | undefined) => Buffer.from(u ?? new Uint8Array()).toString('base64');
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});

/** Refusals the server answers with a status and a readable JSON `{ error }`. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CodecServerOptions {
  /** 0 picks a free port. */
  port: number;
  config: CodecConfig;
  host?: string;
  maxBodyBytes?: number;
  /** One line per request (operation, count, token number), never payload contents. */
  log?: (line: string) => void;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

export async function startCodecServer(o: CodecServerOptions): Promise<CodecServer> {
  const codec = new AesGcmCodec(o.config);
  const host = o.host ?? '127.0.0.1';
  const maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = o.log ?? (() => undefined);

  const server = http.createServer((req, res) => {
    const origin = req.headers.origin;
    const cors: Record<string, string> = { Vary: 'Origin' };
    if (origin && o.config.corsOrigins.includes(origin)) {
      // Credentials allowed so the UI's "include cross-origin credentials" setting works too.
      Object.assign(cors, { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
    }
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (status === 204) {
        res.writeHead(204, { ...cors, ...headers });
        res.end();
        return;
      }
      res.writeHead(status, { ...cors, ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    handle(req, origin, cors).then(
      (r) => reply(r.status, r.body, r.headers),
      (err: unknown) => {
        if (err instanceof HttpError) return reply(err.status, { error: err.message }, err.headers);
        log(`[codec] internal error: ${err instanceof Error ? err.message : String(err)}`);
        reply(500, { error: 'internal error' });
      },
    );
  });

  async function handle(req: http.IncomingMessage, origin: string | undefined, cors: Record<string, string>): Promise<Reply> {
    const path = new URL(req.url ?? '/', 'http://codec').pathname;
    // `/encode`, `/decode`, or `/<namespace>/decode` as the CLI's --codec-endpoint templating produces.
    const op = /^(?:\/[^/]+)?\/(encode|decode)\/?$/.exec(path)?.[1] as 'encode' | 'decode' | undefined;
    if (!op) throw new HttpError(404, `no such endpoint "${path}": use POST /encode or POST /decode`);
    if (origin && !cors['Access-Control-Allow-Origin']) throw new HttpError(403, `origin ${origin} is not allowed (XUNCHA_CODEC_CORS_ORIGIN)`);
    if (req.method === 'OPTIONS') {
      // CORS preflight: it carries no credentials, so it is answered before authorisation.
      const headers = { 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'content-type, x-namespace, authorization', 'Access-Control-Max-Age': '600' };
      return { status: 204, headers };
    }
    if (req.method !== 'POST') throw new HttpError(405, `${req.method ?? '?'} is not allowed: use POST`, { Allow: 'POST, OPTIONS' });

    // Authorise before reading the body: strangers' input is never parsed.
    const challenge = { 'WWW-Authenticate': 'Bearer realm="xuncha-codec"' };
    if (o.config.authTokens.size === 0) throw new HttpError(401, 'codec access is not configured: set XUNCHA_CODEC_AUTH_TOKENS to allow operators', challenge);
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!presented) throw new HttpError(401, 'authorization required: send "Authorization: Bearer <token>"', challenge);
    const tokenNo = o.config.authTokens.find(presented);
    if (tokenNo === undefined) throw new HttpError(401, 'invalid bearer token', challenge);

    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req, maxBodyBytes));
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, `request body: invalid JSON: ${(e as Error).message}`);
    }
    let payloads: Payload[];
    try {
      payloads = parseOrThrow(CodecRequest, parsed, 'request body').payloads.map(fromJson);
    } catch (e) {
      if (e instanceof ValidationError) throw new HttpError(400, e.message);
      throw e;
    }
    try {
      const out = op === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
      log(`[codec] ${op} ${payloads.length} payload(s) namespace=${String(req.headers['x-namespace'] ?? '-')} token=#${tokenNo}`);
      return { status: 200, body: { payloads: out.map(toJson) } };
    } catch (e) {
      if (e instanceof CodecError) throw new HttpError(400, `${op}: ${e.message}`);
      throw e;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections from the UI would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      // Discard the rest (destroying the socket would lose the 413) and close the connection after it.
      req.off('data', onData);
      req.resume();
      reject(new HttpError(413, `request body is larger than ${limit} bytes`, { Connection: 'close' }));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const ServerEnv = z.object({
  CODEC_PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULT_CODEC_PORT),
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
});

/** `tsx src/codec/codec-server.ts`: serve the codec for `temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8234`. */
async function main(): Promise<void> {
  const config = loadCodecConfig();
  const cleaned = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ''));
  const { CODEC_PORT, CODEC_HOST } = parseOrThrow(ServerEnv, cleaned, 'codec server configuration');
  if (devKeyInUse(config)) console.warn('[codec] WARNING: the public dev-only key is configured; set XUNCHA_CODEC_KEYS for real data');
  if (config.authTokens.size === 0) console.warn('[codec] XUNCHA_CODEC_AUTH_TOKENS is not set: every request will be refused');
  const server = await startCodecServer({ port: CODEC_PORT, host: CODEC_HOST, config, log: (l) => console.log(l) });
  console.log(`[codec] listening on ${server.url}`, JSON.stringify(redactCodecConfig(config)));
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`[codec] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
