// `npm run api`: the HTTP API on API_HOST:API_PORT, with graceful shutdown on SIGINT/SIGTERM.
import { createMailer } from '../activities/mailer';
import { XunchaClient } from '../client/xuncha-client';
import { DEV_API_TOKEN_SECRET, loadConfig, redactConfig } from '../config';
import { createPool } from '../ledger/pool';
import { buildApi } from './server';

async function main(): Promise<void> {
  const config = loadConfig(); // a bad value stops start-up here, naming the variable
  console.log('[api] configuration', JSON.stringify(redactConfig(config)));
  if (config.API_TOKEN_SECRET === DEV_API_TOKEN_SECRET) console.warn('[api] WARNING: tokens are signed with the development secret; set API_TOKEN_SECRET in production');
  const pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_MAX, config.DATABASE_APP_ROLE);
  const mailer = createMailer(config);
  const xc = await XunchaClient.connect(config);
  const pending = new Set<Promise<unknown>>();
  const app = buildApi({ pool, xc, config, mailer, pending }, { logger: process.env.API_LOG !== '0' });
  await app.listen({ port: config.API_PORT, host: config.API_HOST });
  console.log(`[api] listening on http://${config.API_HOST}:${config.API_PORT} (public URL ${config.API_PUBLIC_URL}); OpenAPI at /api/openapi.json`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[api] ${signal}: finishing open requests, then stopping`);
    await app.close();
    await Promise.allSettled([...pending]);
    await xc.client.connection.close();
    await pool.end();
    mailer.close();
    console.log('[api] stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(`[api] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
