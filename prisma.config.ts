import { defineConfig } from 'prisma/config';

// The CLI is used for `generate` (offline, see scripts/prisma-generate.sh). Migrations are
// applied by scripts/migrate.ts, which keeps Prisma's folder layout and _prisma_migrations table,
// so `prisma migrate deploy` works too wherever Prisma's schema engine can be downloaded.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/contact_centre',
  },
});
