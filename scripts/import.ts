// `npm run import -- <kind> <file> [--dry-run] [--force] [--batch <name>] [--json]`: imports a CSV file
// the utilities exchange (see docs/imports.md) into the database of DATABASE_URL, refreshing the
// caller phone index in REDIS_URL. Prints the report; exits 1 when the file had errors, 2 on a
// wrong command line or when PostgreSQL or Redis cannot be reached.

import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { rehomeAll } from '../src/appointments/absences.service.js';
import { createFrenchCalendar } from '../src/calendar/french-calendar.js';
import { contractsChanged } from '../src/follow-ups/contract-end.js';
import { createPhoneIndex } from '../src/identification/phone-index.js';
import { NotCsvError } from '../src/imports/csv-reader.js';
import { IMPORT_KINDS, isImportKind } from '../src/imports/import-report.js';
import { runImport } from '../src/imports/import-runner.js';
import { formatReport } from '../src/imports/report-text.js';
import { routingDataChanged } from '../src/oncall/routing-cache.js';
import { serviceClock } from '../src/platform/clock.js';
import { createDb } from '../src/platform/db/client.js';
import { connectRedis, createRedis } from '../src/platform/redis.js';
import { redactUrl, SettingsError } from '../src/platform/settings-reader.js';
import { createEventBus } from '../src/realtime/event-bus.js';
import { createServices } from '../src/services.js';
import { loadSettings } from '../src/settings.js';

const USAGE = `usage: npm run import -- <kind> <file> [--dry-run] [--force] [--batch <name>] [--json]
kinds: ${IMPORT_KINDS.join(', ')}`;

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const flags = { dryRun: false, force: false, json: false, batch: undefined as string | undefined };
const positional: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--dry-run') flags.dryRun = true;
  else if (arg === '--force') flags.force = true;
  else if (arg === '--json') flags.json = true;
  else if (arg === '--batch') flags.batch = args[++i] ?? usage('--batch needs a name');
  else if (arg.startsWith('--batch=')) flags.batch = arg.slice('--batch='.length);
  else if (arg === '--help' || arg === '-h') usage('');
  else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
  else positional.push(arg);
}
const [kind, file] = positional;
if (!kind || !file || positional.length > 2) usage('expected a kind and a file');
if (!isImportKind(kind)) usage(`unknown kind "${kind}"`);
if (flags.batch !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(flags.batch))
  usage(`--batch: letters, digits, ".", "_" and "-" only (got "${flags.batch}")`);

let content: Buffer;
try {
  content = await readFile(file);
} catch (err) {
  console.error(`cannot read ${file}: ${(err as Error).message}`);
  process.exit(2);
}

let settings: ReturnType<typeof loadSettings>;
try {
  settings = loadSettings(process.env, []);
} catch (err) {
  if (err instanceof SettingsError) usage(err.message);
  throw err;
}

const clock = serviceClock(settings.clockStart);
const db = createDb(settings.databaseUrl);
const redis = createRedis(settings.redisUrl, () => undefined);
let exitCode = 0;
try {
  try {
    await connectRedis(redis, settings.redisUrl);
    await db.$queryRaw`SELECT 1`;
  } catch (err) {
    console.error(
      `cannot reach PostgreSQL (${redactUrl(settings.databaseUrl)}) or Redis (${redactUrl(settings.redisUrl)}): ${(err as Error).message}`,
    );
    exitCode = 2;
  }
  if (exitCode === 0) {
    const report = await runImport(
      {
        db,
        phoneIndex: createPhoneIndex(db, redis, clock),
        calendar: createFrenchCalendar(settings.timeZone),
        clock,
        zone: settings.timeZone,
        maxUncoverPercent: settings.eligibilityMaxUncoverPercent,
        readingsMaxDailyLitres: settings.alerts.readingsMaxDailyLitres,
        routingChanged: () => routingDataChanged(redis),
        // [DP-4] [DP-5] Departed customers' cases and vacant homes, in the import's transaction.
        contractsChanged: (tx, changes) =>
          contractsChanged(
            {
              events: createEventBus(redis, () => clock.now()),
              clock,
              zone: settings.timeZone,
              settings: settings.followUps,
            },
            tx,
            changes,
          ),
        // Moving appointments tells customers: the whole service (outbox, templates) is built then only.
        async technicianUnavailable(periods) {
          const services = await createServices(settings);
          try {
            await rehomeAll(services.appointments, periods);
          } finally {
            await services.close();
          }
        },
      },
      {
        kind,
        content,
        dryRun: flags.dryRun,
        force: flags.force,
        batch: flags.batch,
        actor: { type: 'SYSTEM', id: `cli:${userInfo().username}` },
        source: 'cli',
      },
    );
    console.log(flags.json ? JSON.stringify(report, null, 2) : formatReport(report, file));
    exitCode = report.errors.length > 0 ? 1 : 0;
  }
} catch (err) {
  if (!(err instanceof NotCsvError)) throw err;
  console.error(`${file}: ${err.message}`);
  exitCode = 1;
} finally {
  await db.$disconnect().catch(() => undefined);
  if (redis.isOpen) await redis.close().catch(() => undefined);
}
process.exit(exitCode);
