// The application's database role (migration 007): what the worker and API need, and no UPDATE,
// DELETE or TRUNCATE on the audit trail — refused by the database itself, whether the application
// logs in as xuncha_app or logs in as the owner and drops to it (DATABASE_APP_ROLE).
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createPool } from '../src/ledger/pool';
import { testConfig } from './support/helpers';

const config = testConfig();
let owner: Pool;
let dropped: Pool;
let loggedIn: Pool;
const password = randomBytes(12).toString('hex');

beforeAll(async () => {
  owner = createPool(config.DATABASE_URL, 1);
  await owner.query(`ALTER ROLE xuncha_app PASSWORD '${password}'`);
  dropped = createPool(config.DATABASE_URL, 1, 'xuncha_app');
  const url = new URL(config.DATABASE_URL);
  url.username = 'xuncha_app';
  url.password = password;
  loggedIn = createPool(url.toString(), 1);
});
afterAll(async () => {
  await owner?.query(`ALTER ROLE xuncha_app PASSWORD NULL`).catch(() => undefined);
  await Promise.all([owner?.end(), dropped?.end(), loggedIn?.end()]);
});

const cases = [
  ['DATABASE_APP_ROLE=xuncha_app (owner login, SET ROLE at connect)', () => dropped],
  ['logged in as xuncha_app', () => loggedIn],
] as const;

describe.each(cases)('as the application role — %s', (_name, pool) => {
  test('it is xuncha_app, not the owner', async () => {
    expect((await pool().query('SELECT current_user AS u')).rows).toEqual([{ u: 'xuncha_app' }]);
  });

  test('audit_log: INSERT and SELECT work; UPDATE, DELETE and TRUNCATE are refused with permission denied', async () => {
    const key = `app-role-${randomBytes(4).toString('hex')}`;
    await pool().query(
      `INSERT INTO audit_log (event_key, event_type, round_id, entity, entity_id, actor, occurred_at, details) VALUES ($1, 'test.event', 'r-app', 'round', 'r-app', 'tester', now(), '{"field":"value"}')`,
      [key],
    );
    expect((await pool().query('SELECT actor FROM audit_log WHERE event_key = $1', [key])).rows).toEqual([{ actor: 'tester' }]);
    await expect(pool().query(`UPDATE audit_log SET actor = 'someone-else' WHERE event_key = $1`, [key])).rejects.toThrow('permission denied for table audit_log');
    await expect(pool().query(`DELETE FROM audit_log WHERE event_key = $1`, [key])).rejects.toThrow('permission denied for table audit_log');
    await expect(pool().query(`TRUNCATE audit_log`)).rejects.toThrow('permission denied for table audit_log');
    // Nor can it lift the guard: it does not own the table or its trigger.
    await expect(pool().query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`)).rejects.toThrow(/must be owner/);
    expect((await owner.query('SELECT actor FROM audit_log WHERE event_key = $1', [key])).rows).toEqual([{ actor: 'tester' }]);
  });

  test('what the worker and API write is allowed: ledger rows, notice states, reads through the reader roles', async () => {
    const c = await pool().connect();
    try {
      await c.query('BEGIN');
      await c.query(`INSERT INTO people (person_id, name, email, roles) VALUES ('app-role-p', '测试', 'p@example.cn', '{}') ON CONFLICT (person_id) DO UPDATE SET name = EXCLUDED.name`);
      await c.query(`UPDATE people SET phone = '1' WHERE person_id = 'app-role-p'`);
      await c.query(
        `INSERT INTO notices (idempotency_key, template, recipient_role, recipient_email, subject, state) VALUES ('app-role-n', 'urge', 'office', 'p@example.cn', 's', 'pending')`,
      );
      await c.query(`UPDATE notices SET state = 'sent', attempts = attempts + 1 WHERE idempotency_key = 'app-role-n'`);
      await c.query('SET LOCAL ROLE xuncha_unit_reader');
      await c.query('SELECT count(*) FROM rectification_items');
      await expect(c.query('SELECT count(*) FROM audit_log')).rejects.toThrow('permission denied');
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  });

  test('migrations stay with the owner: no DDL, no schema_migrations writes', async () => {
    await expect(pool().query('CREATE TABLE app_role_probe (x int)')).rejects.toThrow(/permission denied/);
    await expect(pool().query(`INSERT INTO schema_migrations (version) VALUES ('999_probe')`)).rejects.toThrow(/permission denied/);
  });
});

test('a role the login may not take stops the connection instead of running as the owner', async () => {
  const bad = createPool(config.DATABASE_URL, 1, 'no_such_role');
  await expect(bad.query('SELECT 1')).rejects.toThrow(/no_such_role/);
  await bad.end();
  expect(() => createPool(config.DATABASE_URL, 1, 'x; DROP TABLE audit_log')).toThrow('DATABASE_APP_ROLE');
});
