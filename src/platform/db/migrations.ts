import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// Applies prisma/migrations the way `prisma migrate deploy` does (same folder layout, same
// _prisma_migrations bookkeeping, same advisory lock), without Prisma's schema engine, which
// cannot be downloaded on these machines. A database migrated here is one `prisma migrate deploy`
// accepts, and the other way round.

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

// Prisma Migrate's own lock key: this runner and `prisma migrate deploy` exclude each other too.
const PRISMA_MIGRATE_LOCK = 72_707_369;

export interface Migration {
  name: string;
  sql: string;
  /** sha256 of migration.sql, hex: what Prisma stores in _prisma_migrations.checksum. */
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Every migration folder, in name order (the timestamp prefix makes it chronological). */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    folders.map(async (name) => {
      const bytes = await readFile(join(dir, name, 'migration.sql')).catch(() => {
        throw new MigrationError(`prisma/migrations/${name} has no migration.sql`);
      });
      return { name, sql: bytes.toString('utf8'), checksum: sha256(bytes) };
    }),
  );
}

// Same table and column types as Prisma's schema engine creates on PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export async function applyMigrations(
  databaseUrl: string,
  log: (message: string) => void = () => undefined,
  options: { migrationsDir?: string } = {},
): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(options.migrationsDir);
  await ensureDatabase(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Session lock, held until every migration is done: a second process waits here, then finds
    // nothing left to apply.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at`,
    );
    const live = rows.filter((r) => r.rolled_back_at === null);
    refuseAfterFailure(live);
    const done = new Map(live.map((r) => [r.migration_name, r]));
    refuseEditedMigrations(migrations, done);
    const local = new Set(migrations.map((m) => m.name));
    for (const name of done.keys())
      if (!local.has(name)) log(`warning: ${name} is recorded in the database but not in prisma/migrations`);

    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !done.has(m.name))) {
      await applyOne(client, migration);
      log(`applied ${migration.name}`);
      applied.push(migration.name);
    }
    return { applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** Prisma's P3009: a migration started and never finished; someone has to look before going on. */
function refuseAfterFailure(rows: AppliedRow[]): void {
  const failed = rows.find((r) => r.finished_at === null);
  if (!failed) return;
  throw new MigrationError(
    `migration ${failed.migration_name} failed earlier and is not marked rolled back${failed.logs ? ` (${failed.logs.split('\n')[0]})` : ''}. ` +
      `Repair the database by hand, then mark it: UPDATE "_prisma_migrations" SET rolled_back_at = now() ` +
      `WHERE migration_name = '${failed.migration_name}' AND finished_at IS NULL (or \`prisma migrate resolve --rolled-back\`).`,
  );
}

function refuseEditedMigrations(migrations: Migration[], done: Map<string, AppliedRow>): void {
  for (const migration of migrations) {
    const row = done.get(migration.name);
    if (!row || row.checksum === migration.checksum) continue;
    // Prisma tolerates a checkout that only turned LF into CRLF; so do we.
    if (row.checksum === sha256(migration.sql.replace(/\r\n/g, '\n'))) continue;
    throw new MigrationError(
      `migration ${migration.name} was edited after it was applied (checksum ${migration.checksum.slice(0, 12)}…, ` +
        `database has ${row.checksum.slice(0, 12)}…): restore the file and add a new migration instead`,
    );
  }
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  // One transaction per migration (PostgreSQL DDL is transactional): a failure leaves nothing
  // half-applied. The statement that cannot run in a transaction (CREATE INDEX CONCURRENTLY,
  // ALTER TYPE ... ADD VALUE before use on PostgreSQL < 12) needs a migration of its own.
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    const message = (err as Error).message;
    // Kept as history, already rolled back (the transaction undid it), so the next run retries it.
    await client
      .query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, rolled_back_at, logs, applied_steps_count)
         VALUES ($1, $2, $3, now(), now(), $4, 0)`,
        [randomUUID(), migration.checksum, migration.name, message],
      )
      .catch(() => undefined);
    throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${message}`);
  }
}

/** Creates the database named in the URL when it does not exist yet (a fresh machine). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new MigrationError(`no database name in ${url.protocol}//${url.host}`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (err) {
    // Two processes creating it at once: the other one won (42P04, or 23505 from the catalog index).
    const code = (err as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw err;
  } finally {
    await admin.end();
  }
}
