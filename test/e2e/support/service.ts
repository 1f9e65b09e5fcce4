import { spawn } from 'node:child_process';
import { seedDemo } from '../../../prisma/seed.js';
import { createDb, type Db } from '../../../src/platform/db/client.js';
import { createRedis } from '../../../src/platform/redis.js';
import { createEventBus, type DomainEvent } from '../../../src/realtime/event-bus.js';
import { createTestDatabase } from '../../helpers/database.js';
import { at, runningFrom, TEST_START } from '../../support/clock.js';
import { freePort } from '../../support/free-port.js';
import { flushRedis, redisUrlForWorker } from '../../support/redis-db.js';

// The real service, started as an operator starts it (`node --import tsx src/main.ts --role all`)
// on a free loopback port, with the built-in telephony and e-mail simulator, a fresh database
// seeded with the demo data and its own Redis database.

const ROOT = new URL('../../../', import.meta.url).pathname;
const MAIN = new URL('../../../src/main.ts', import.meta.url).pathname;
const READY_WITHIN_MS = 60_000;
const STOP_WITHIN_MS = 15_000;
const KEPT_OUTPUT_CHARS = 200_000;

/** Demo accounts (prisma/seed.ts), all with the password demo1234. */
export const DEMO_ACCOUNTS = {
  agent: 'agent@demo.example', // an agent of agency AG-LYO
  agent2: 'agent2@demo.example', // an agent of agency AG-MET
  supervisor: 'superviseur@demo.example',
  admin: 'admin@demo.example',
} as const;
export const DEMO_PASSWORD = 'demo1234';
export type DemoAccount = keyof typeof DEMO_ACCOUNTS;

/** The out-of-hours and daytime service lines (ivr-flows/). */
export const LINES = { outOfHours: '+33970000001', daytime: '+33970000002' } as const;

/**
 * Instants for CLOCK_START. A Tuesday (no public holiday) in Paris: at night every demo agency is
 * on call for both on-call types; in the morning the daytime line is open for agents.
 */
export const TUESDAY_NIGHT = at('2026-11-24T22:30');
export const TUESDAY_MORNING = at('2026-11-24T10:00');

// On-call timings in seconds, so that a whole night (attempts, escalation, acknowledgement) happens
// within a test; alert reminders fast enough to be seen, slow enough not to race a test's steps.
const E2E_SETTINGS: Record<string, string> = {
  // The tests answer or decline every page call themselves: none ends unanswered under them.
  ONCALL_RING_TIMEOUT_SECONDS: '120',
  ONCALL_ACK_TIMEOUT_SECONDS: '8',
  ONCALL_RETRY_DELAY_SECONDS: '1',
  ONCALL_PAGE_AFTER_CALL_SECONDS: '2',
  ALERT_REMINDER_EVERY_SECONDS: '30',
  SEND_BACKOFF_MS: '200',
  // Rehearsed nights would otherwise hold non-essential SMS (alert notices) until the morning.
  QUIET_HOURS: 'none',
  QUIET_DAYS: '',
  SHUTDOWN_GRACE_MS: '5000',
};

export interface ServiceOptions {
  /** Where the service's clock starts (CLOCK_START); TEST_START when absent. */
  clockStart?: Date;
  /** More settings, or other values for the ones above. */
  env?: Record<string, string>;
}

export interface Service {
  /** http://127.0.0.1:<port> */
  url: string;
  databaseUrl: string;
  redisUrl: string;
  /** The service's own database, for fixtures and for checking what a screen shows. */
  db: Db;
  /** The service's time (its clock started at CLOCK_START and runs at the real pace). */
  now(): Date;
  /** Everything the process printed so far. */
  output(): string;
  /** A bearer token for a demo account, through the real login route. */
  token(account: DemoAccount): Promise<string>;
  /** Calls the api with a demo account's token; throws on a status other than 2xx. */
  api<T = unknown>(account: DemoAccount, method: string, path: string, body?: unknown): Promise<T>;
  /** Appends a domain event to the service's event stream, as a worker would. */
  publish(event: Omit<DomainEvent, 'id' | 'at'> & { at?: string }): Promise<string>;
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const [database, port] = await Promise.all([createTestDatabase(), freePort()]);
  const redisUrl = redisUrlForWorker();
  await flushRedis(redisUrl);
  const db = createDb(database.url);
  // No test depends on the day it is run: the service's clock starts where the test says.
  const clockStart = options.clockStart ?? TEST_START;
  const clock = runningFrom(clockStart);
  // The demo data as `npm run db:seed` writes it, with rotas for the week the clock starts in.
  await seedDemo(db, clockStart);

  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--role', 'all'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? ROOT,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: url,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'info',
      ...E2E_SETTINGS,
      CLOCK_START: clockStart.toISOString(),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  // Its own Redis client: a test's events go through the stream the service reads.
  const redis = createRedis(redisUrl, () => undefined);
  const events = createEventBus(redis, () => clock.now());
  let redisConnected: Promise<unknown> | null = null;
  const tokens = new Map<DemoAccount, string>();
  const service: Service = {
    url,
    databaseUrl: database.url,
    redisUrl,
    db,
    now: () => clock.now(),
    output: () => output,
    async token(account) {
      const known = tokens.get(account);
      if (known) return known;
      const response = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: DEMO_ACCOUNTS[account], password: DEMO_PASSWORD }),
      });
      if (!response.ok) throw new Error(`login as ${account}: ${response.status} ${await response.text()}`);
      const { token } = (await response.json()) as { token: string };
      tokens.set(account, token);
      return token;
    },
    async api<T>(account: DemoAccount, method: string, path: string, body?: unknown) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await service.token(account)}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return (text ? JSON.parse(text) : null) as T;
    },
    async publish(event) {
      redisConnected ??= redis.connect();
      await redisConnected;
      return events.publish(event);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const stopped = await Promise.race([exited, sleep(STOP_WITHIN_MS).then(() => 'late' as const)]);
        if (stopped === 'late') {
          child.kill('SIGKILL');
          await exited;
        }
      }
      if (redis.isOpen) await redis.close();
      await db.$disconnect();
      await database.drop();
    },
  };

  try {
    await waitUntilReady(url, exited, () => output);
  } catch (err) {
    await service.stop().catch(() => undefined);
    throw err;
  }
  return service;
}

async function waitUntilReady(
  url: string,
  exited: Promise<number | null>,
  output: () => string,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (exitCode !== undefined)
      throw new Error(`the service exited (code ${exitCode}) before it was ready:\n${output()}`);
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(200);
  }
  throw new Error(`the service was not ready within ${READY_WITHIN_MS} ms:\n${output()}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
