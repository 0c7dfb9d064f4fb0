// Payload encryption: the codec round-trips every kind of payload, refuses tampered ones, rotates
// keys; a real workflow run leaves no informant's name readable in the server's history; the codec
// endpoint serves only operators with a token.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { inspect } from 'node:util';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { AesGcmCodec, CodecError, createDataConverter, devKeyInUse, ENCRYPTED_ENCODING, KEY_ID_METADATA, loadCodecConfig, redactCodecConfig } from '../src/codec';
import { startCodecServer, type CodecServer } from '../src/codec/codec-server';
import { DEFAULT_CORS_ORIGIN, DEV_CODEC_KEY_BASE64, DEV_CODEC_KEY_ID } from '../src/codec/config';
import type { echoPetition, EchoActivities } from './fixtures/codec-workflows';
import { temporalCli } from '../infra/stack';
import { timeSkippingEnv, uid } from './support/helpers';

const INFORMANT = '举报人：王某某';
const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const TOKEN = 'operator-token-0123456789abcdef';
const utf8 = (u: Uint8Array | null | undefined) => Buffer.from(u ?? new Uint8Array()).toString('utf8');
const meta = (p: Payload, key: string) => utf8(p.metadata?.[key]);
const codecWith = (env: Record<string, string>) => new AesGcmCodec(loadCodecConfig(env));

describe('codec configuration', () => {
  const refused = (env: Record<string, string>) => {
    try {
      loadCodecConfig(env);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(env)}`);
  };

  test('unset: the fixed dev-only key, flagged as such; the Web UI origin by default; no tokens', () => {
    const c = loadCodecConfig({});
    expect(c.activeKeyId).toBe(DEV_CODEC_KEY_ID);
    expect(devKeyInUse(c)).toBe(true);
    expect(c.corsOrigins).toEqual([DEFAULT_CORS_ORIGIN]);
    expect(c.authTokens.size).toBe(0);
    // Empty means unset, as in src/config.ts.
    expect(loadCodecConfig({ XUNCHA_CODEC_KEYS: '' }).activeKeyId).toBe(DEV_CODEC_KEY_ID);
  });

  test('keys listed: the last is active unless one is named; the dev key is detected under any id', () => {
    const c = loadCodecConfig({ XUNCHA_CODEC_KEYS: ` k1:${k1} , k2:${k2} `, XUNCHA_CODEC_AUTH_TOKENS: `${TOKEN},second-token-abcdefghij` });
    expect(c.keys.ids).toEqual(['k1', 'k2']);
    expect(c.activeKeyId).toBe('k2');
    expect(devKeyInUse(c)).toBe(false);
    expect(c.authTokens.size).toBe(2);
    expect(c.authTokens.find(TOKEN)).toBe(1);
    expect(c.authTokens.find('second-token-abcdefghij')).toBe(2);
    expect(c.authTokens.find(`${TOKEN}x`)).toBeUndefined();
    expect(loadCodecConfig({ XUNCHA_CODEC_KEYS: `k1:${k1},k2:${k2}`, XUNCHA_CODEC_ACTIVE_KEY: 'k1' }).activeKeyId).toBe('k1');
    expect(devKeyInUse(loadCodecConfig({ XUNCHA_CODEC_KEYS: `k1:${k1},pasted:${DEV_CODEC_KEY_BASE64}` }))).toBe(true);
    expect(loadCodecConfig({ XUNCHA_CODEC_CORS_ORIGIN: 'http://localhost:8233, https://temporal.example.cn/' }).corsOrigins).toEqual([
      'http://localhost:8233',
      'https://temporal.example.cn',
    ]);
  });

  test('secrets never show when the configuration is printed', () => {
    const c = loadCodecConfig({ XUNCHA_CODEC_KEYS: `k1:${k1}`, XUNCHA_CODEC_AUTH_TOKENS: TOKEN });
    for (const shown of [inspect(c, { depth: 10 }), JSON.stringify(c), JSON.stringify(redactCodecConfig(c))]) {
      expect(shown).toContain('k1');
      expect(shown).not.toContain(k1);
      expect(shown).not.toContain(Buffer.from(k1, 'base64').toString('hex'));
      expect(shown).not.toContain(TOKEN);
    }
  });

  test('bad values are refused naming the variable and the rule, never echoing key material or tokens', () => {
    const shortKey = randomBytes(16).toString('base64');
    const cases: [Record<string, string>, RegExp, string?][] = [
      [{ XUNCHA_CODEC_KEYS: 'k1:not*base64!' }, /^codec configuration: XUNCHA_CODEC_KEYS: entry 1 \("k1"\): key must be standard base64$/, 'not*base64!'],
      [{ XUNCHA_CODEC_KEYS: `k1:${k1},k2:${shortKey}` }, /XUNCHA_CODEC_KEYS: entry 2 \("k2"\): key must be exactly 32 bytes after base64 decoding, got 16$/, shortKey],
      [{ XUNCHA_CODEC_KEYS: `k1:${k1},k1:${k2}` }, /XUNCHA_CODEC_KEYS: entry 2: key id "k1" is listed twice/, k2],
      [{ XUNCHA_CODEC_KEYS: `Key One:${k1}` }, /XUNCHA_CODEC_KEYS: entry 1: key id must be a slug/, k1],
      [{ XUNCHA_CODEC_KEYS: k1 }, /XUNCHA_CODEC_KEYS: entry 1: must be "keyId:base64key"/, k1],
      [{ XUNCHA_CODEC_KEYS: `k1:${k1},` }, /XUNCHA_CODEC_KEYS: entry 2: must be "keyId:base64key"/, k1],
      [{ XUNCHA_CODEC_KEYS: `k1:${k1},k2:${k2}`, XUNCHA_CODEC_ACTIVE_KEY: 'k3' }, /XUNCHA_CODEC_ACTIVE_KEY: must be one of the key ids in XUNCHA_CODEC_KEYS: k1, k2$/, k2],
      [{ XUNCHA_CODEC_ACTIVE_KEY: 'k1' }, /XUNCHA_CODEC_ACTIVE_KEY: must be one of the key ids in XUNCHA_CODEC_KEYS \(unset, so only the dev key/],
      [{ XUNCHA_CODEC_AUTH_TOKENS: 'short-secret' }, /XUNCHA_CODEC_AUTH_TOKENS: token 1: must be at least 16 characters/, 'short-secret'],
      [{ XUNCHA_CODEC_AUTH_TOKENS: `${TOKEN},has space in it here` }, /XUNCHA_CODEC_AUTH_TOKENS: token 2: must be a bearer token/, 'has space'],
      [{ XUNCHA_CODEC_CORS_ORIGIN: 'http://127.0.0.1:8233/ui' }, /XUNCHA_CODEC_CORS_ORIGIN: entry 1: must be an origin/],
      [{ XUNCHA_CODEC_CORS_ORIGIN: '*' }, /XUNCHA_CODEC_CORS_ORIGIN: entry 1: must be an origin/],
    ];
    for (const [env, rule, secret] of cases) {
      const message = refused(env);
      expect(message).toMatch(rule);
      if (secret) expect(message).not.toContain(secret);
    }
  });
});

describe('AES-GCM payload codec', () => {
  const codec = codecWith({ XUNCHA_CODEC_KEYS: `k1:${k1}` });

  test('every kind of payload round-trips, encrypted under the active key id with a fresh IV each time', async () => {
    const values: unknown[] = [INFORMANT, 42, 0, null, undefined, true, { petition: { informant: INFORMANT, facts: ['一', 2, null] } }, [], new Uint8Array([0, 1, 2, 255])];
    const plain = values.map((v) => defaultPayloadConverter.toPayload(v));
    plain[0] = { ...plain[0], metadata: { ...plain[0]!.metadata, messageType: Buffer.from('xuncha.Petition') } };
    const encoded = await codec.encode(plain);
    expect(encoded).toHaveLength(values.length);
    for (const e of encoded) {
      expect(Object.keys(e.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
      expect(meta(e, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(meta(e, KEY_ID_METADATA)).toBe('k1');
      expect(utf8(e.data)).not.toContain('王某某');
    }
    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(values);
    decoded.forEach((d, i) => {
      const orig = plain[i]!;
      expect(Object.fromEntries(Object.entries(d.metadata ?? {}).map(([k, v]) => [k, utf8(v)]))).toEqual(
        Object.fromEntries(Object.entries(orig.metadata ?? {}).map(([k, v]) => [k, utf8(v)])),
      );
      expect(Buffer.from(d.data ?? new Uint8Array()).equals(Buffer.from(orig.data ?? new Uint8Array()))).toBe(true);
    });
    // Same plaintext, different ciphertext: equal petitions cannot be recognised in history.
    const [a, b] = await codec.encode([plain[0]!, plain[0]!]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(await codec.encode([])).toEqual([]);
  });

  test('payloads that are not encrypted pass through decode untouched (histories from before encryption)', async () => {
    const p = defaultPayloadConverter.toPayload({ old: 'plain' });
    const [out] = await codec.decode([p]);
    expect(out).toBe(p);
  });

  test('a flipped byte anywhere (IV, ciphertext, tag) fails authentication', async () => {
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ informant: INFORMANT })]);
    const data = sealed!.data!;
    for (const at of [0, 11, 12, Math.floor(data.length / 2), data.length - 1]) {
      const tampered = new Uint8Array(data);
      tampered[at] = tampered[at]! ^ 0x01;
      await expect(codec.decode([{ ...sealed, data: tampered }])).rejects.toThrow('encrypted payload under key "k1" failed authentication');
    }
    await expect(codec.decode([{ ...sealed, data: data.subarray(0, 20) }])).rejects.toThrow(CodecError);
    // The untouched payload still opens, so the failures above are the tampering's.
    expect(defaultPayloadConverter.fromPayload((await codec.decode([sealed!]))[0]!)).toEqual({ informant: INFORMANT });
  });

  test('keys rotate: old payloads decode under the new ring, new ones carry the new key id', async () => {
    const before = codecWith({ XUNCHA_CODEC_KEYS: `k1:${k1}` });
    const after = codecWith({ XUNCHA_CODEC_KEYS: `k1:${k1},k2:${k2}`, XUNCHA_CODEC_ACTIVE_KEY: 'k2' });
    const [old] = await before.encode([defaultPayloadConverter.toPayload('旧信访件')]);
    expect(meta(old!, KEY_ID_METADATA)).toBe('k1');
    expect(defaultPayloadConverter.fromPayload((await after.decode([old!]))[0]!)).toBe('旧信访件');
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload('新信访件')]);
    expect(meta(fresh!, KEY_ID_METADATA)).toBe('k2');
    // A payload relabelled with another configured key id does not open either.
    const relabelled = { ...old!, metadata: { ...old!.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(after.decode([relabelled])).rejects.toThrow('failed authentication');
  });

  test('an unknown key id is named in the error, without key material', async () => {
    const k2Only = codecWith({ XUNCHA_CODEC_KEYS: `k2:${k2}` });
    const [sealed] = await k2Only.encode([defaultPayloadConverter.toPayload(INFORMANT)]);
    const err = await codec.decode([sealed!]).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as Error).message).toBe('unknown encryption key id "k2" (configured: k1)');
    expect((err as Error).message).not.toContain(k1);
  });
});

/** Every Payload message anywhere in a history. */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return found;
  // Recognised by shape: the proto classes are not constructors one can test with instanceof.
  const v = value as Payload;
  if (v.data instanceof Uint8Array && typeof v.metadata === 'object') found.push(v);
  for (const v of Object.values(value)) payloadsIn(v, found);
  return found;
}
/** The base64 `data` of every payload in `temporal … --output json`. */
function jsonPayloadData(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => jsonPayloadData(v, found));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'payloads' && Array.isArray(v)) found.push(...v.map((p: { data?: string }) => p.data ?? ''));
      else jsonPayloadData(v, found);
    }
  }
  return found;
}
const historyBytes = (h: temporal.api.history.v1.IHistory) => Buffer.from(temporal.api.history.v1.History.encode(h).finish());

describe('a workflow run on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  const config = loadCodecConfig({ XUNCHA_CODEC_KEYS: `k1:${k1}`, XUNCHA_CODEC_AUTH_TOKENS: TOKEN });
  const dataConverter = createDataConverter(config);
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test("the server's history holds no informant's name; only the codec-enabled client reads the result", async () => {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/codec-workflows'), logger: new DefaultLogger('WARN') });
    const activities: EchoActivities = { annotate: async (text) => `已登记：${text}` };
    const worker = (taskQueue: string, encrypted: boolean) =>
      Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities, ...(encrypted ? { dataConverter } : {}) });
    const sealedQueue = uid('codec-sealed');
    const plainQueue = uid('codec-plain');
    const [sealedWorker, plainWorker] = await Promise.all([worker(sealedQueue, true), worker(plainQueue, false)]);
    const codecClient = new Client({ connection: env.connection, namespace: 'default', dataConverter });
    const plainClient = new Client({ connection: env.connection, namespace: 'default' });
    const input = { petitionId: 'pt-1', text: `${INFORMANT}反映县财政局违规发放津贴` };

    const { sealed, control } = await sealedWorker.runUntil(
      plainWorker.runUntil(async () => {
        const sealed = await codecClient.workflow.start<typeof echoPetition>('echoPetition', { taskQueue: sealedQueue, workflowId: uid('codec-wf'), args: [input] });
        // The control run, with no codec at all, shows that the search below finds the name when it is there.
        const control = await plainClient.workflow.start<typeof echoPetition>('echoPetition', { taskQueue: plainQueue, workflowId: uid('codec-control'), args: [input] });
        expect(await sealed.result()).toEqual({ ...input, annotated: `已登记：${input.text}` });
        await control.result();
        return { sealed, control };
      }),
    );

    const name = Buffer.from('王某某');
    const controlHistory = await plainClient.workflow.getHandle(control.workflowId).fetchHistory();
    expect(historyBytes(controlHistory).includes(name)).toBe(true);
    expect(payloadsIn(controlHistory).some((p) => utf8(p.data).includes('王某某'))).toBe(true);

    const history = await plainClient.workflow.getHandle(sealed.workflowId).fetchHistory();
    const payloads = payloadsIn(history);
    // Workflow input, activity input, activity result, workflow result.
    expect(payloads.length).toBeGreaterThanOrEqual(4);
    for (const p of payloads) {
      expect(meta(p, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(meta(p, KEY_ID_METADATA)).toBe('k1');
      expect(utf8(p.data)).not.toContain('王某某');
      expect(utf8(p.data)).not.toContain('举报人');
    }
    expect(historyBytes(history).includes(name)).toBe(false);

    // Without the key the result cannot even be read.
    await expect(plainClient.workflow.getHandle(sealed.workflowId).result()).rejects.toThrow();
    expect(await codecClient.workflow.getHandle(sealed.workflowId).result()).toEqual({ ...input, annotated: `已登记：${input.text}` });

    // What the Web UI does with a history payload: send it to the codec endpoint and read it.
    const server = await startCodecServer({ port: 0, config });
    try {
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(started).toBeDefined();
      const body = { payloads: [{ metadata: Object.fromEntries(Object.entries(started!.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(started!.data!).toString('base64') }] };
      const res = await fetch(`${server.url}/decode`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'x-namespace': 'default' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      const out = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
      expect(Buffer.from(out.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(out.payloads[0]!.data, 'base64').toString('utf8'))).toEqual(input);

      // Temporal's own remote-codec client, the CLI, reads the history through the endpoint with a token.
      // (Refusals are covered below: the CLI retries a 401 until its deadline, which only costs time here.)
      const show = (...extra: string[]) =>
        promisify(execFile)(temporalCli(), ['workflow', 'show', '--address', env.address, '--namespace', 'default', '--workflow-id', sealed.workflowId, '--output', 'json', '--codec-endpoint', server.url, ...extra]);
      const { stdout } = await show('--codec-auth', `Bearer ${TOKEN}`);
      // The JSON output keeps payloads as base64 JSON: decoded through the endpoint, they are plaintext.
      const shown = jsonPayloadData(JSON.parse(stdout)).map((d) => Buffer.from(d, 'base64').toString('utf8'));
      expect(shown.some((d) => d.includes(INFORMANT))).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('codec server', () => {
  const config = loadCodecConfig({ XUNCHA_CODEC_KEYS: `k1:${k1}`, XUNCHA_CODEC_AUTH_TOKENS: TOKEN, XUNCHA_CODEC_CORS_ORIGIN: 'http://127.0.0.1:8233,http://localhost:8233' });
  let server: CodecServer;
  const lines: string[] = [];
  beforeAll(async () => {
    server = await startCodecServer({ port: 0, config, log: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await server?.close();
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const jsonPayload = (v: unknown) => {
    const p = defaultPayloadConverter.toPayload(v);
    return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, m]) => [k, Buffer.from(m).toString('base64')])), data: Buffer.from(p.data!).toString('base64') };
  };
  const auth = { authorization: `Bearer ${TOKEN}` };

  test('refuses without a token and with a wrong one (401, JSON error, Bearer challenge)', async () => {
    const body = JSON.stringify({ payloads: [jsonPayload(INFORMANT)] });
    const missing = await post('/decode', body);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.json()).toEqual({ error: 'authorization required: send "Authorization: Bearer <token>"' });
    for (const authorization of [`Bearer ${TOKEN}x`, `Basic ${Buffer.from(`a:${TOKEN}`).toString('base64')}`, TOKEN]) {
      const wrong = await post('/encode', body, { authorization });
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as { error: string }).error).toMatch(/invalid bearer token|authorization required/);
    }
  });

  test('with no tokens configured every request is refused, saying access is not configured', async () => {
    const closed = await startCodecServer({ port: 0, config: loadCodecConfig({ XUNCHA_CODEC_KEYS: `k1:${k1}` }) });
    try {
      const res = await fetch(`${closed.url}/decode`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"payloads":[]}' });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/^codec access is not configured: set XUNCHA_CODEC_AUTH_TOKENS/);
    } finally {
      await closed.close();
    }
  });

  test('with the token: encode seals, decode returns the plaintext payloads; the namespaced path works too', async () => {
    const values = [{ informant: INFORMANT }, 7, null];
    const enc = await post('/encode', JSON.stringify({ payloads: values.map(jsonPayload) }), auth);
    expect(enc.status).toBe(200);
    const sealed = (await enc.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(sealed.payloads.map((p) => Buffer.from(p.metadata.encoding!, 'base64').toString())).toEqual([ENCRYPTED_ENCODING, ENCRYPTED_ENCODING, ENCRYPTED_ENCODING]);
    expect(Buffer.from(sealed.payloads[0]!.data, 'base64').toString('utf8')).not.toContain('王某某');

    const dec = await post('/default/decode', JSON.stringify(sealed), { ...auth, 'x-namespace': 'default' });
    expect(dec.status).toBe(200);
    const plain = (await dec.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    const back = plain.payloads.map((p) =>
      defaultPayloadConverter.fromPayload({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(p.data, 'base64') }),
    );
    expect(back).toEqual(values);
    // The audit line says who and how much, never what.
    expect(lines.some((l) => l.includes('decode 3 payload(s) namespace=default token=#1'))).toBe(true);
    expect(lines.join('\n')).not.toContain('王某某');
  });

  test('bad input gets a readable 400; unknown routes 404; other methods 405', async () => {
    const badJson = await post('/decode', '{"payloads": [', auth);
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/^request body: invalid JSON: /);
    const badShape = await post('/decode', JSON.stringify({ payloads: [{ data: 'not base64!' }] }), auth);
    expect(badShape.status).toBe(400);
    expect(await badShape.json()).toEqual({ error: 'request body: payloads.0.data: must be base64' });
    const noPayloads = await post('/decode', JSON.stringify({}), auth);
    expect(((await noPayloads.json()) as { error: string }).error).toMatch(/^request body: payloads: /);
    const foreign = await new AesGcmCodec(loadCodecConfig({ XUNCHA_CODEC_KEYS: `k9:${k2}` })).encode([defaultPayloadConverter.toPayload(1)]);
    const unknownKey = await post('/decode', JSON.stringify({ payloads: foreign.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(p.data!).toString('base64') })) }), auth);
    expect(unknownKey.status).toBe(400);
    expect(((await unknownKey.json()) as { error: string }).error).toBe('decode: unknown encryption key id "k9" (configured: k1)');
    expect((await post('/secrets', '{}', auth)).status).toBe(404);
    const get = await fetch(`${server.url}/decode`, { headers: auth });
    expect(get.status).toBe(405);
    const small = await startCodecServer({ port: 0, config, maxBodyBytes: 100 });
    try {
      const big = await fetch(`${small.url}/decode`, { method: 'POST', headers: auth, body: JSON.stringify({ payloads: [jsonPayload('x'.repeat(200))] }) });
      expect(big.status).toBe(413);
      expect(await big.json()).toEqual({ error: 'request body is larger than 100 bytes' });
    } finally {
      await small.close();
    }
  });

  test('CORS: the preflight is answered for the configured origins only, and responses carry the origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
      });
    for (const origin of ['http://127.0.0.1:8233', 'http://localhost:8233']) {
      const ok = await preflight(origin);
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
      expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
      const allowed = (ok.headers.get('access-control-allow-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
      expect(allowed).toEqual(expect.arrayContaining(['content-type', 'x-namespace', 'authorization']));
    }
    const evil = await preflight('http://evil.example.com');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();

    const res = await post('/decode', JSON.stringify({ payloads: [] }), { ...auth, origin: 'http://127.0.0.1:8233' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    // A refusal the browser must be able to read carries the header too.
    const refused = await post('/decode', '{}', { origin: 'http://127.0.0.1:8233' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
  });
});
