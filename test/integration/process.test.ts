import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';
import { freePort } from '../support/free-port.js';
import { redisUrlForWorker } from '../support/redis-db.js';
import { until } from '../support/until.js';

// The entry point as an operator meets it: clear refusals at start-up, a clean stop on SIGTERM,
// and the production build (node dist/main.js) serving as the sources do.
const ROOT = new URL('../..', import.meta.url).pathname;
const FROM_SOURCES = ['--import', 'tsx', `${ROOT}src/main.ts`];
const BUILT = [`${ROOT}dist/main.js`];
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

function start(
  env: Record<string, string>,
  args: string[] = [],
  entry = FROM_SOURCES,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, [...entry, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: redisUrlForWorker(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += String(d);
  });
  child.stderr?.on('data', (d) => {
    output += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('the service process', () => {
  it('refuses to start with invalid settings, naming each one', async () => {
    const run = start({ PORT: 'eighty', TELEPHONY: 'twilio' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('PORT: expected an integer between 1 and 65535 (got "eighty")');
    expect(run.output()).toContain('TWILIO_AUTH_TOKEN: required when TELEPHONY=twilio');
  });

  it('says how to start Redis when it is not running', async () => {
    const run = start({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('Start it with: redis-server --daemonize yes');
  });

  async function servesThenStops(entry: string[]) {
    const port = String(await freePort());
    const run = start({ PORT: port, HOST: '127.0.0.1' }, ['--role', 'all'], entry);
    await until(
      () =>
        fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        ),
      30_000,
      '/readyz answering 200',
    );
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }

  it('serves, then stops cleanly on SIGTERM', async () => {
    await servesThenStops(FROM_SOURCES);
  });

  it('builds to JavaScript (npm run build) that node runs as it runs the sources', async () => {
    await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: ROOT });
    await servesThenStops(BUILT);
  }, 90_000);
});
