-- The application's database role: what the worker (ledger and notice activities) and the API
-- need, and no more. Migrations stay with the owner; the worker and API either log in as
-- xuncha_app (give it a password: ALTER ROLE xuncha_app PASSWORD '…', from the deployment's
-- secrets) or log in as the owner and drop to it with DATABASE_APP_ROLE=xuncha_app (SET ROLE on
-- every new connection). Either way the audit trail can be appended to and read, never changed:
-- no UPDATE, DELETE or TRUNCATE on audit_log (the append-only trigger of 001 stays as a second wall).
DO $$ BEGIN
  CREATE ROLE xuncha_app LOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO xuncha_app', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO xuncha_app;

-- Every ledger table and view as it stands: read and write (the ledger's idempotent upserts,
-- notice states, tasks, login links…), sequences for their serial keys.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO xuncha_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO xuncha_app;
-- The audit trail: append and read only.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM xuncha_app;
-- Migrations are the owner's business.
REVOKE ALL ON schema_migrations FROM xuncha_app;
GRANT SELECT ON schema_migrations TO xuncha_app;

-- The API reads for unit heads and for informants through these roles (SET LOCAL ROLE).
GRANT xuncha_unit_reader, xuncha_informant_reader TO xuncha_app;

-- Tables a later migration adds are the application's too, unless that migration says otherwise
-- (a new append-only table must REVOKE UPDATE, DELETE, TRUNCATE as above).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO xuncha_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO xuncha_app;
