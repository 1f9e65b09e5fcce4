// `npm run alerts:detect [-- --day 2026-11-23]`: runs the consumption alert detection once, as the
// daily job does, on DATABASE_URL (events to REDIS_URL), and prints how many alerts it created.
// Like the daily job, it writes the new alerts' notices to the outbox at once (a running worker
// sends them); without a worker they wait in the outbox. Exits 2 on a wrong command line or when
// PostgreSQL or Redis cannot be reached.

import { detectionDeps } from '../src/alerts/alerts.worker.js';
import { isoDay } from '../src/alerts/day-numbers.js';
import { DetectionDayError, detectAlerts, detectionDay } from '../src/alerts/detection.service.js';
import { notifyPendingAlerts } from '../src/alerts/notification.service.js';
import { serviceClock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import { redactUrl, SettingsError } from '../src/platform/settings-reader.js';
import { createServices, type Services } from '../src/services.js';
import { loadSettings } from '../src/settings.js';

const USAGE = 'usage: npm run alerts:detect [-- --day YYYY-MM-DD]   (default: today in TZ_DEFAULT)';

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}

const args = process.argv.slice(2);
let day: string | undefined;
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--day') day = args[++i] ?? usage('--day needs a date');
  else if (arg.startsWith('--day=')) day = arg.slice('--day='.length);
  else if (arg === '--help' || arg === '-h') usage('');
  else usage(`unknown argument ${arg}`);
}

let settings: ReturnType<typeof loadSettings>;
try {
  settings = loadSettings(process.env, []);
} catch (err) {
  if (err instanceof SettingsError) usage(err.message);
  throw err;
}
const deps0 = { clock: serviceClock(settings.clockStart), zone: settings.timeZone };
let detectionOn: number;
try {
  detectionOn = detectionDay(deps0, day);
} catch (err) {
  if (err instanceof DetectionDayError) usage(`--day: ${err.message}`);
  throw err;
}

let services: Services | undefined;
let exitCode = 0;
try {
  // The command's own output is its summary line: the services log warnings only, unless asked.
  services = await createServices(settings, { logger: createLogger(process.env.LOG_LEVEL ?? 'warn') });
  await services.db.$queryRaw`SELECT 1`;
} catch (err) {
  console.error(
    `cannot reach PostgreSQL (${redactUrl(settings.databaseUrl)}) or Redis (${redactUrl(settings.redisUrl)}): ${(err as Error).message}`,
  );
  exitCode = 2;
}
try {
  if (services && exitCode === 0) {
    const started = performance.now();
    let notified = 0;
    const ids = await detectAlerts(detectionDeps(services), {
      day: isoDay(detectionOn),
      onDetected: async () => {
        notified = await notifyPendingAlerts(services!.notices);
      },
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${ids.length} consumption alert${ids.length === 1 ? '' : 's'} created (detection day ${isoDay(detectionOn)}, ` +
        `${settings.alerts.lookbackDays} days of readings, ${seconds} s); ${notified} notified`,
    );
  }
} finally {
  await services?.close().catch(() => undefined);
}
process.exit(exitCode);
