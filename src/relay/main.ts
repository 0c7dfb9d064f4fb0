// `npm run relay`: the notice relay (通知中继) on NOTICE_RELAY_LISTEN (or the host and port of
// NOTICE_RELAY_URL), forwarding to SMTP_HOST:SMTP_PORT once per Message-ID. See src/relay/relay.ts.
import { createUpstreamMailer } from '../activities/mailer';
import { loadConfig, redactConfig } from '../config';
import { createPool } from '../ledger/pool';
import { startRelay } from './relay';

async function main(): Promise<void> {
  const config = loadConfig(); // a bad value stops start-up here, naming the variable
  const listen = config.NOTICE_RELAY_LISTEN ?? (config.NOTICE_RELAY_URL ? new URL(config.NOTICE_RELAY_URL).host : undefined);
  if (!listen) throw new Error('configuration: NOTICE_RELAY_URL or NOTICE_RELAY_LISTEN: one is required to start the notice relay');
  const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
  console.log('[relay] configuration', JSON.stringify(redactConfig(config)));
  const pool = createPool(config.DATABASE_URL, Math.max(config.DATABASE_POOL_MAX, 20), config.DATABASE_APP_ROLE);
  const upstream = createUpstreamMailer(config, { pool: true });
  const relay = await startRelay({ pool, upstream, host, port, retentionDays: config.NOTICE_RELAY_RETENTION_DAYS, log: process.env.RELAY_LOG === '0' ? () => undefined : undefined });
  console.log(`[relay] listening on smtp://${host}:${relay.port}, forwarding to ${config.SMTP_HOST}:${config.SMTP_PORT}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[relay] ${signal}: finishing open conversations, then stopping`);
    await relay.close();
    upstream.close();
    await pool.end();
    console.log('[relay] stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(`[relay] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
