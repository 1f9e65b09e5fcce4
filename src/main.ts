import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { MODULES } from './modules.js';
import type { Stoppable } from './platform/queues.js';
import { RedisUnavailableError } from './platform/redis.js';
import { redactUrl, SettingsError } from './platform/settings-reader.js';
import { createServices, type Services } from './services.js';
import { loadSettings } from './settings.js';

// Entry point: `--role api|worker|all` (default all). Wires settings and starts; nothing else.

// Set once a stop signal arrived: start-up goes no further, and its errors are the stop's doing.
let stopping = false;

async function main(): Promise<void> {
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings();
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  let services: Services;
  try {
    services = await createServices(settings);
    await services.db.$queryRaw`SELECT 1`;
  } catch (err) {
    console.error(explainStartupFailure(err as Error, settings.databaseUrl, settings.redisUrl));
    process.exit(1);
  }
  const { logger } = services;

  let app: FastifyInstance | undefined;
  const workers: Stoppable[] = [];
  // Installed before anything starts: a SIGTERM during start-up (an orchestrator that changed its
  // mind) still stops cleanly, with what has started so far.
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight webhooks and jobs');
    const force = setTimeout(() => {
      logger.error('shutdown grace period over; exiting');
      process.exit(1);
    }, settings.shutdownGraceMs);
    force.unref();
    // Stop taking new work first, then let what is running finish.
    await Promise.allSettled([app?.close(), ...workers.map((w) => w.close())]);
    await services.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  if (settings.role !== 'worker') {
    app = await buildApp(services);
    await app.listen({ port: settings.port, host: settings.host });
  }
  if (settings.role !== 'api' && !stopping) {
    // The webhook reads callers from the phone index; build it from the database first (the api
    // falls back to PostgreSQL until it exists).
    const started = performance.now();
    const numbers = await services.phoneIndex.rebuild();
    logger.info({ numbers, ms: Math.round(performance.now() - started) }, 'phone index built');
    for (const module of MODULES)
      if ('startWorkers' in module) workers.push(...(await module.startWorkers(services)));
  }
  logger.info(
    {
      role: settings.role,
      telephony: settings.telephony,
      email: settings.email,
      publicBaseUrl: settings.publicBaseUrl,
      clock: settings.clockStart ? services.clock.now().toISOString() : 'system',
    },
    'started',
  );
  if (settings.demo && app) printDemoBanner(settings.publicBaseUrl, settings.port);
}

function explainStartupFailure(err: Error, databaseUrl: string, redisUrl: string): string {
  if (err instanceof RedisUnavailableError) {
    return `Cannot reach Redis at ${redactUrl(redisUrl)} (${err.message}).\nStart it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`;
  }
  if (
    /ECONNREFUSED|ENOTFOUND|database|postgres|connect/i.test(
      `${err.message} ${(err as { code?: string }).code ?? ''}`,
    )
  ) {
    return `Cannot reach PostgreSQL at ${redactUrl(databaseUrl)} (${err.message}).\nStart it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\nthen: npm run db:migrate`;
  }
  return `Start-up failed: ${err.stack ?? err.message}`;
}

function printDemoBanner(baseUrl: string, port: number): void {
  const url = baseUrl.includes('localhost') ? `http://localhost:${port}` : baseUrl;
  console.log(`
  Contact centre is running (simulated telephony and e-mail)
    console     ${url}/console/
    simulator   ${url}/console/simulator.html
    API docs    ${url}/docs
  Demo accounts (password: demo1234)
    agent       agent@demo.example
    supervisor  superviseur@demo.example
    admin       admin@demo.example
`);
}

main().catch((err) => {
  if (stopping) return; // the stop exits once it has closed what had started
  console.error(err);
  process.exit(1);
});
