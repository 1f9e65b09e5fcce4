#!/bin/sh
# One command for a living demo: checks PostgreSQL and Redis, installs, migrates, seeds, builds the
# console and starts the api and workers on http://localhost:3000 with the built-in telephony and
# e-mail simulator.
set -e
cd "$(dirname "$0")/.."

if ! node -e "require('net').connect(5432,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
  echo "PostgreSQL is not running on 127.0.0.1:5432. Start it with:"
  echo "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
  exit 1
fi
if ! node -e "require('net').connect(6379,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
  echo "Redis is not running on 127.0.0.1:6379. Start it with:"
  echo "  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no"
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci
fi
npm run --silent db:migrate
npm run --silent db:seed
# The console's production bundle (agent-console/dist), which the api then serves at /console/.
npm run --silent console:build
DEMO=true exec npx tsx src/main.ts
