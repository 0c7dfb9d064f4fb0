import { z } from 'zod';
import { parseOrThrow } from './domain/validation';

const Bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be "true" or "false"' })
  .transform((v) => v === 'true' || v === '1');

const Port = z.coerce.number().int().min(1).max(65535);

/** Development-only token secret: the API warns at start-up while it is in use. */
export const DEV_API_TOKEN_SECRET = 'xuncha-development-token-secret-change-me-0000';

/** Every setting comes from the environment, parsed once at start-up; a bad value stops start-up. */
export const Env = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+\/[^/?]+/, 'must be a postgres:// URL with a database name')
    .default('postgres://postgres:postgres@127.0.0.1:5433/xuncha'),
  /** The database role the worker and API act as (SET ROLE on each connection), e.g. `xuncha_app` (migration 007). */
  DATABASE_APP_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain role name like xuncha_app')
    .optional(),
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: Port.default(1025),
  SMTP_SECURE: Bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASS: z.string().optional(),
  /**
   * The notice relay (src/relay, 通知中继), e.g. `smtp://127.0.0.1:2526`: when set, workers hand notices
   * to it and it forwards them to SMTP_HOST once per Message-ID, so a worker killed between the
   * relay's 250 and marking the notice sent does not send it twice. Unset: workers talk to SMTP_HOST.
   */
  NOTICE_RELAY_URL: z
    .string()
    .regex(/^smtp:\/\/[\w.-]+:\d+\/?$/, 'must be smtp://host:port')
    .optional(),
  /** Where the relay listens (host:port); by default the host and port of NOTICE_RELAY_URL. In a container: 0.0.0.0:2526. */
  NOTICE_RELAY_LISTEN: z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').optional(),
  /** How long the relay remembers a forwarded Message-ID (a worker's retry comes within minutes). */
  NOTICE_RELAY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  MAIL_FROM: z.string().min(3).default('巡察工作领导小组办公室 <xuncha-office@localhost>'),
  CONSOLE_URL: z.url().default('http://localhost:8080'),
  /** Notice task queue: e-mails per second across all notice workers. */
  NOTICE_RATE_PER_SECOND: z.coerce.number().positive().max(1000).default(20),
  /** Rounds, units, clues and letters cached per worker process (xuncha-rounds). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(2000),
  /** Rectification items cached per worker process (xuncha-items), apart from the above. */
  WORKER_MAX_CACHED_ITEMS: z.coerce.number().int().min(0).default(1000),
  WORKER_SHUTDOWN_GRACE: z.string().regex(/^\d+\s*(ms|s|m)$/, 'must be like "10s"').default('10s'),
  /** Worker tuning (README.md): slots per worker process; the defaults are the SDK's. */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2, 'must be at least 2 (sticky and normal queue)').max(2000).default(40),
  /**
   * Workflow task polls in flight per process (sticky and normal queue together; the SDK's default is
   * 10). With 10 the benchmark saw 30 of 40 slots idle while tasks waited 2-12 s on the server: the
   * worker could not fetch tasks as fast as it ran them. The SDK's guideline is half the slots.
   */
  WORKER_MAX_WORKFLOW_TASK_POLLS: z.coerce.number().int().min(2).max(1000).default(20),
  /** Ledger and calendar activities on the workflow task queue, per process. */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(2000).default(100),
  /** Notice activities in flight per process (the server-side NOTICE_RATE_PER_SECOND still applies). */
  WORKER_MAX_CONCURRENT_NOTICES: z.coerce.number().int().min(1).max(2000).default(100),
  /**
   * Notice task polls in flight per process (the SDK's default is 10). Each poll carries one notice, so
   * a worker fetches at most this many per poll round trip; see README "Notice polls".
   */
  WORKER_MAX_NOTICE_POLLS: z.coerce.number().int().min(1).max(1000).default(40),
  /** Postgres connections per process (worker or API). */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  /** Prometheus metrics of the worker's SDK core (sticky cache size, task latencies, slots) at http://<this>/metrics; off when unset. */
  WORKER_METRICS_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').optional(),
  /** Bench only (src/workers/memory-probe.ts): GET http://<this>/memory collects garbage in every isolate and reports RSS and heap; off when unset. */
  WORKER_MEMORY_PROBE_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').optional(),
  /** HTTP API (src/api): where it listens, the HS256 token secret, and the URL people reach it at. */
  API_PORT: Port.default(8080),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_API_TOKEN_SECRET),
  API_PUBLIC_URL: z.url().default('http://localhost:8080'),
});
export type Config = z.infer<typeof Env>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, so `SMTP_USER=` in a .env file means "none".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return parseOrThrow(Env, cleaned, 'configuration');
}

/** Configuration as it may be printed: passwords and credentials in URLs are masked. */
export function redactConfig(c: Config): Record<string, unknown> {
  return {
    ...c,
    DATABASE_URL: c.DATABASE_URL.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@'),
    SMTP_PASS: c.SMTP_PASS ? '***' : undefined,
    API_TOKEN_SECRET: '***',
  };
}
