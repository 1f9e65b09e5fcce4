import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyMigrations, readMigrations } from '../../src/platform/db/migrations.js';

// Each test file gets its own database, cloned from a template migrated once (cloning takes tens of
// milliseconds; migrating takes a second). The template carries the fingerprint of the migrations
// it was built from (COMMENT ON DATABASE) and is rebuilt when they change.

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const TEMPLATE = 'cc_test_template';
// Advisory locks are per database: every worker takes this one while connected to `postgres`.
const TEMPLATE_LOCK = 72_616_002;
// Bump when the way the template is built changes, so old templates are rebuilt.
const TEMPLATE_FORMAT = 'v2';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const urlFor = (name: string) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
};
const quote = (name: string) => pg.escapeIdentifier(name);

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function migrationsFingerprint(): Promise<string> {
  const migrations = await readMigrations();
  const lines = [TEMPLATE_FORMAT, ...migrations.map((m) => `${m.name}:${m.checksum}`)];
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Caller holds TEMPLATE_LOCK. */
async function ensureTemplate(admin: pg.Client, fingerprint: string): Promise<void> {
  const current = await admin.query<{ description: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS description FROM pg_database WHERE datname = $1`,
    [TEMPLATE],
  );
  if (current.rows[0]?.description === fingerprint) return;
  // Missing, stale, or half-built by a run that died (no fingerprint yet): build it again.
  await admin.query(`DROP DATABASE IF EXISTS ${quote(TEMPLATE)} WITH (FORCE)`);
  await applyMigrations(urlFor(TEMPLATE));
  // Nobody connects to the template any more: a stray session would make every clone fail.
  await admin.query(`ALTER DATABASE ${quote(TEMPLATE)} WITH ALLOW_CONNECTIONS false`);
  await admin.query(`COMMENT ON DATABASE ${quote(TEMPLATE)} IS '${fingerprint}'`);
}

/** CREATE DATABASE ... TEMPLATE, retried while the template's last session is still closing. */
async function cloneTemplate(admin: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${quote(name)} TEMPLATE ${quote(TEMPLATE)}`);
      return;
    } catch (err) {
      // 55006: "source database is being accessed by other users"
      if ((err as { code?: string }).code !== '55006' || attempt === 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cc_test_${randomBytes(6).toString('hex')}`;
  const fingerprint = await migrationsFingerprint();
  await withAdmin(async (admin) => {
    // Vitest starts test files in parallel workers: one builds the template, the others wait.
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      await ensureTemplate(admin, fingerprint);
      await cloneTemplate(admin, name);
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
  return {
    url: urlFor(name),
    // WITH (FORCE) terminates the sessions a test left open (pools not closed, a failed test).
    drop: () =>
      withAdmin(
        async (admin) => void (await admin.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`)),
      ),
  };
}
