import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import { z } from 'zod';
import { parseOrThrow } from '../domain/validation';

/** AES-256 needs exactly this many key bytes. */
export const KEY_BYTES = 32;

/**
 * DEV ONLY. A fixed, public key so that `npm start` works with no configuration. Anyone with this
 * source can read (and forge) payloads encrypted under it: production must set XUNCHA_CODEC_KEYS,
 * and start-up can refuse with `devKeyInUse()`.
 */
export const DEV_CODEC_KEY_ID = 'dev-only-insecure';
export const DEV_CODEC_KEY_BASE64 = '6+8uFc45Otqci9WlqNTmpVlOHfoBCVfNcPrzwtbYOZQ=';

export const DEFAULT_CORS_ORIGIN = 'http://127.0.0.1:8233';

/** The configured keys by id. Key bytes never show in logs, JSON or jest output. */
export class CodecKeyRing {
  readonly #keys: ReadonlyMap<string, Buffer>;
  constructor(entries: readonly (readonly [string, Buffer])[]) {
    this.#keys = new Map(entries);
  }
  get ids(): string[] {
    return [...this.#keys.keys()];
  }
  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }
  toJSON(): { keyIds: string[] } {
    return { keyIds: this.ids };
  }
  [inspect.custom](): string {
    return `CodecKeyRing(${this.ids.join(', ')})`;
  }
}

/** Bearer tokens for the codec endpoint, compared in constant time and never printed. */
export class CodecTokens {
  readonly #digests: readonly Buffer[];
  constructor(tokens: readonly string[]) {
    this.#digests = tokens.map(digest);
  }
  get size(): number {
    return this.#digests.length;
  }
  /** Which token (1-based, for audit logs) the presented one is, or undefined. */
  find(presented: string): number | undefined {
    const d = digest(presented);
    let found: number | undefined;
    // Compare with every token so the time taken does not tell which one (or whether any) matched.
    this.#digests.forEach((t, i) => {
      if (timingSafeEqual(t, d)) found = i + 1;
    });
    return found;
  }
  toJSON(): { tokens: number } {
    return { tokens: this.size };
  }
  [inspect.custom](): string {
    return `CodecTokens(${this.size})`;
  }
}
// Hashing first gives equal-length buffers for timingSafeEqual whatever the token lengths.
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export interface CodecConfig {
  readonly keys: CodecKeyRing;
  /** New payloads are encrypted under this key; any key in the ring decrypts. */
  readonly activeKeyId: string;
  readonly authTokens: CodecTokens;
  /** Web UI origins allowed to call the codec endpoint from a browser. */
  readonly corsOrigins: readonly string[];
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SLUG_RULE = 'must be a slug (lowercase letters, digits and single hyphens, at most 64 characters)';
const isSlug = (s: string) => s.length <= 64 && SLUG.test(s);
// Canonical standard base64 (what `openssl rand -base64 32` prints); Node's decoder alone accepts anything.
const isBase64 = (s: string) => s.length > 0 && s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s;

/** Comma-separated entries; an empty entry (say a trailing comma) is an error, not silently skipped. */
function entries(v: string): string[] {
  return v.split(',').map((e) => e.trim());
}

// Messages name the entry by position and key id only: key material must never reach a log.
const KeyList = z.string().transform((v, ctx) => {
  const keys: [string, Buffer][] = [];
  entries(v).forEach((entry, i) => {
    const at = `entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      ctx.addIssue({ code: 'custom', message: `${at}: must be "keyId:base64key"` });
      return;
    }
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!isSlug(id)) return ctx.addIssue({ code: 'custom', message: `${at}: key id ${SLUG_RULE}` });
    if (keys.some(([k]) => k === id)) return ctx.addIssue({ code: 'custom', message: `${at}: key id "${id}" is listed twice` });
    if (!isBase64(material)) return ctx.addIssue({ code: 'custom', message: `${at} ("${id}"): key must be standard base64` });
    const key = Buffer.from(material, 'base64');
    if (key.length !== KEY_BYTES) {
      return ctx.addIssue({ code: 'custom', message: `${at} ("${id}"): key must be exactly ${KEY_BYTES} bytes after base64 decoding, got ${key.length}` });
    }
    keys.push([id, key]);
  });
  return keys;
});

const TokenList = z.string().transform((v, ctx) => {
  const tokens = entries(v);
  tokens.forEach((t, i) => {
    // RFC 6750 token characters; length is the only strength check we can make.
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(t)) ctx.addIssue({ code: 'custom', message: `token ${i + 1}: must be a bearer token (letters, digits, -._~+/ and trailing =)` });
    else if (t.length < 16) ctx.addIssue({ code: 'custom', message: `token ${i + 1}: must be at least 16 characters` });
  });
  return tokens;
});

const OriginList = z.string().transform((v, ctx) => {
  return entries(v).map((o, i) => {
    let origin: string | undefined;
    try {
      const u = new URL(o);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.replace(/\/$/, '')) origin = u.origin;
    } catch {
      // reported below
    }
    if (!origin) ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: must be an origin such as ${DEFAULT_CORS_ORIGIN} (scheme, host and port; no path, no wildcard)` });
    return origin ?? '';
  });
});

export const CodecEnv = z
  .object({
    XUNCHA_CODEC_KEYS: KeyList.optional(),
    XUNCHA_CODEC_ACTIVE_KEY: z.string().refine(isSlug, SLUG_RULE).optional(),
    XUNCHA_CODEC_AUTH_TOKENS: TokenList.optional(),
    XUNCHA_CODEC_CORS_ORIGIN: OriginList.default([DEFAULT_CORS_ORIGIN]),
  })
  .transform((e, ctx): CodecConfig => {
    const keys = e.XUNCHA_CODEC_KEYS ?? [[DEV_CODEC_KEY_ID, Buffer.from(DEV_CODEC_KEY_BASE64, 'base64')]];
    const ids = keys.map(([id]) => id);
    const activeKeyId = e.XUNCHA_CODEC_ACTIVE_KEY ?? ids[ids.length - 1] ?? DEV_CODEC_KEY_ID;
    if (!ids.includes(activeKeyId)) {
      const where = e.XUNCHA_CODEC_KEYS ? 'XUNCHA_CODEC_KEYS' : `XUNCHA_CODEC_KEYS (unset, so only the dev key "${DEV_CODEC_KEY_ID}")`;
      ctx.addIssue({ code: 'custom', path: ['XUNCHA_CODEC_ACTIVE_KEY'], message: `must be one of the key ids in ${where}: ${ids.join(', ')}` });
      return z.NEVER;
    }
    return { keys: new CodecKeyRing(keys), activeKeyId, authTokens: new CodecTokens(e.XUNCHA_CODEC_AUTH_TOKENS ?? []), corsOrigins: e.XUNCHA_CODEC_CORS_ORIGIN };
  });

/** Parse the codec settings; a bad value throws `codec configuration: XUNCHA_CODEC_KEYS: entry 1 ("k1"): …`. */
export function loadCodecConfig(env: NodeJS.ProcessEnv = process.env): CodecConfig {
  // As in src/config.ts: an empty variable counts as unset.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return parseOrThrow(CodecEnv, cleaned, 'codec configuration');
}

/**
 * True when any configured key is the public dev key (under whatever id): payloads under it are
 * readable and forgeable by anyone, so production start-up should warn or refuse.
 */
export function devKeyInUse(c: CodecConfig): boolean {
  const dev = Buffer.from(DEV_CODEC_KEY_BASE64, 'base64');
  return c.keys.ids.some((id) => c.keys.key(id)?.equals(dev));
}

/** What may be printed: key ids and counts, never key material or tokens. */
export function redactCodecConfig(c: CodecConfig): Record<string, unknown> {
  return { keyIds: c.keys.ids, activeKeyId: c.activeKeyId, authTokens: c.authTokens.size, corsOrigins: c.corsOrigins, devKey: devKeyInUse(c) };
}
