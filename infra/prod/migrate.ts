// Applies the ledger migrations (infra/migrations, src/ledger/migrate.ts) to DATABASE_URL and exits.
// The same entry point everywhere: prod.ts before the workers, the compose `migrate` service and
// the Kubernetes Job. Usage: node <app>/infra/prod/migrate.js
import { loadConfig } from '../../src/config';
import { migrate } from '../../src/ledger/migrate';
import { createPool } from '../../src/ledger/pool';

async function main(): Promise<void> {
  const pool = createPool(loadConfig().DATABASE_URL, 1);
  try {
    const applied = await migrate(pool);
    console.log(`migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);
  } finally {
    await pool.end();
  }
}

main().catch((err) => {
  console.error(`migrate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
