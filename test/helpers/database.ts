import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, readMigrations } from '../../src/platform/db/migrations.js';

// Each test file gets its own database, cloned from a template migrated once (cloning takes
// milliseconds; migrating takes seconds). The template is rebuilt when the migrations change.

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const TEMPLATE = 'cc_test_template';
const LOCK_ID = 72_616_002;

const urlFor = (name: string) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensureTemplate(admin: pg.Client): Promise<void> {
  const migrations = await readMigrations();
  const fingerprint = createHash('sha256')
    .update(migrations.map((m) => `${m.name}:${m.checksum}`).join('\n'))
    .digest('hex');
  const current = await admin.query<{ description: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS description FROM pg_database WHERE datname = $1`,
    [TEMPLATE],
  );
  if (current.rows[0]?.description === fingerprint) return;
  if (current.rowCount) await admin.query(`DROP DATABASE "${TEMPLATE}" WITH (FORCE)`);
  await applyMigrations(urlFor(TEMPLATE));
  await admin.query(`COMMENT ON DATABASE "${TEMPLATE}" IS '${fingerprint}'`);
}

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cc_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(async (admin) => {
    // Test files start in parallel: one of them builds the template, the others wait.
    await admin.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    try {
      await ensureTemplate(admin);
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE}"`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]);
    }
  });
  return {
    url: urlFor(name),
    drop: () =>
      withAdmin(async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
