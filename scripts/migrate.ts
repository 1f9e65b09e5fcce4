// `npm run db:migrate` (tsx scripts/migrate.ts): creates the database if needed and applies the
// migrations of prisma/migrations not applied yet. DATABASE_URL picks the database.

import { applyMigrations } from '../src/platform/db/migrations.js';
import { redactUrl } from '../src/platform/settings-reader.js';

const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/contact_centre';
const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

// Errors meaning "no server there" rather than "the server said no". Node reports a host with
// several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError holding one per address.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P03']);

function isUnreachable(err: unknown): boolean {
  const e = err as { code?: string; errors?: unknown[] };
  if (e.code && UNREACHABLE.has(e.code)) return true;
  return Array.isArray(e.errors) && e.errors.some(isUnreachable);
}

const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_URL;
const where = redactUrl(databaseUrl);
try {
  const { applied } = await applyMigrations(databaseUrl, (message) => console.log(message));
  console.log(
    applied.length
      ? `${where}: ${applied.length} migration(s) applied.`
      : `${where} is up to date: nothing to apply.`,
  );
} catch (err) {
  if (isUnreachable(err)) {
    console.error(`Cannot reach PostgreSQL for ${where}. Is it running? Start it with:\n  ${START_POSTGRES}`);
  } else {
    console.error(`Migrating ${where} failed: ${(err as Error).message}`);
  }
  process.exit(1);
}
