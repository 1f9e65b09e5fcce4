// `npm run db:migrate`: creates the database if needed and applies prisma/migrations.
import { redactUrl } from '../src/platform/config.js';
import { applyMigrations } from '../src/platform/db/migrations.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/contact_centre';
try {
  const { applied } = await applyMigrations(databaseUrl, (m) => console.log(m));
  console.log(
    applied.length
      ? `Database ${redactUrl(databaseUrl)}: ${applied.length} migration(s) applied.`
      : `Database ${redactUrl(databaseUrl)} is up to date.`,
  );
} catch (err) {
  const e = err as Error & { code?: string };
  if (e.code === 'ECONNREFUSED') {
    console.error(
      `Cannot reach PostgreSQL at ${redactUrl(databaseUrl)}. Start it with:\n  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  } else {
    console.error(e.message);
  }
  process.exit(1);
}
