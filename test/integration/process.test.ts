import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';
import { redisUrlForWorker } from '../support/redis-db.js';

// The entry point as an operator meets it: clear refusals at start-up, a clean stop on SIGTERM.
const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
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
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
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

  it('serves, then stops cleanly on SIGTERM', async () => {
    const port = String(20_000 + Math.floor(Math.random() * 10_000));
    const run = start({ PORT: port, HOST: '127.0.0.1' }, ['--role', 'all']);
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
    }
    expect(ready).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
