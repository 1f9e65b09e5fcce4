#!/bin/sh
# Generates Prisma Client (src/generated/prisma) with no download; run by `npm install`/`npm ci`
# (postinstall) and by `npm run prisma:generate`.
#
# Why: Prisma's CLI fetches its schema engine binary before running any command, and these machines
# cannot reach Prisma's servers. When PRISMA_SCHEMA_ENGINE_BINARY names a file that exists, the
# fetch is skipped; `generate` with the `prisma-client` generator never runs the engine, so any
# existing file will do: this script itself, which is there in every clone. Migrations do not use
# the CLI either: see src/platform/db/migrations.ts and scripts/prisma-diff.ts.
set -e
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/prisma ]; then
  # `npm ci --omit=dev`: the CLI is a devDependency. Do not fail the install; the app will say
  # the client is missing if nobody generated it in a build step.
  echo "prisma-generate: prisma CLI not installed (production install?), Prisma Client not generated" >&2
  exit 0
fi

PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(pwd)/scripts/prisma-generate.sh}" \
PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1 PRISMA_DISABLE_WARNINGS=1 \
  node_modules/.bin/prisma generate
