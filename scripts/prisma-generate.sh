#!/bin/sh
# Generates Prisma Client with no download. Prisma's CLI fetches its schema engine before any
# command, which these machines cannot do; pointing it at an existing file skips the fetch, and
# the `prisma-client` generator does not need the engine. Migrations: see src/platform/db/migrations.ts.
set -e
cd "$(dirname "$0")/.."
PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(pwd)/scripts/prisma-generate.sh}" \
PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 \
  npx --no-install prisma generate
