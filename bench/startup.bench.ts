// Start-up time of an api process, from `node` starting to /readyz answering 200: the built
// JavaScript (`npm run build`, then node dist/main.js) against the TypeScript sources run through
// tsx, alternately, in the same run. `npx tsx bench/startup.bench.ts` runs it alone.
import { execFileSync, spawn } from 'node:child_process';
import { createTestDatabase } from '../test/helpers/database.js';
import { type BenchOutcome, freePort, machine, median, runIfMain } from './support.js';

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 5);
const ROOT = new URL('..', import.meta.url).pathname;
const REDIS_URL = 'redis://127.0.0.1:6379/10';

const STARTS = {
  'node dist/main.js': ['dist/main.js'],
  'tsx src/main.ts': ['--import', 'tsx', 'src/main.ts'],
} as const;
type Start = keyof typeof STARTS;

async function timeToReady(start: Start, databaseUrl: string): Promise<number> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [...STARTS[start], '--role', 'api'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return performance.now() - began;
      if (child.exitCode !== null) throw new Error(`${start} exited with ${child.exitCode}`);
      if (performance.now() - began > 60_000) throw new Error(`${start} not ready within 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function runStartupBench(): Promise<BenchOutcome> {
  console.log('npm run build...');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const database = await createTestDatabase();
  const times: Record<Start, number[]> = { 'node dist/main.js': [], 'tsx src/main.ts': [] };
  try {
    for (let round = 1; round <= ROUNDS; round++)
      for (const start of Object.keys(STARTS) as Start[]) {
        const ms = await timeToReady(start, database.url);
        times[start].push(ms);
        console.log(`  round ${round}: ${start} ready in ${ms.toFixed(0)} ms`);
      }
  } finally {
    await database.drop();
  }
  const built = median(times['node dist/main.js']);
  const sources = median(times['tsx src/main.ts']);
  const summary = {
    date: new Date().toISOString().slice(0, 10),
    machine: machine({ postgres: 'local', redis: 'local' }),
    rounds: ROUNDS,
    medianMs: { built: Math.round(built), sources: Math.round(sources) },
    ratio: Number((built / sources).toFixed(2)),
    times,
  };
  return {
    name: 'startup',
    result: { summary, rows: [] },
    report: [
      `api start to /readyz 200, median of ${ROUNDS}: node dist/main.js ${Math.round(built)} ms, ` +
        `tsx src/main.ts ${Math.round(sources)} ms (ratio ${summary.ratio})`,
    ],
    passed: true,
  };
}

await runIfMain(import.meta.url, runStartupBench);
