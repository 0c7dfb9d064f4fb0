import { Pool, type PoolClient } from 'pg';

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** Tests drop and fill tables: refuse any database whose name does not say test. */
export function assertTestDatabase(url: string): void {
  const name = databaseName(url);
  if (!/test/i.test(name)) throw new Error(`refusing to run tests against database "${name}": its name must contain "test"`);
}

/**
 * A pool on the ledger. With `role` (DATABASE_APP_ROLE, e.g. `xuncha_app` of migration 007) every
 * connection starts as that role (startup option `-c role=…`): a connection that may not take it
 * fails instead of running as the login user.
 */
export function createPool(url: string, max = 10, role?: string): Pool {
  if (role && !/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`DATABASE_APP_ROLE: "${role}" is not a plain role name`);
  const pool = new Pool({ connectionString: url, max, application_name: 'xuncha', ...(role ? { options: `-c role=${role}` } : {}) });
  // An idle client losing its connection (e.g. Postgres restarting) must not crash the process.
  pool.on('error', (err) => console.error('[ledger] idle client error:', err.message));
  return pool;
}

/** Run `fn` in one transaction on one client: committed if it returns, rolled back if it throws. */
export async function withTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
