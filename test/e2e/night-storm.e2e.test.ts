import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { redisUrlForWorker } from '../support/redis-db.js';

// The night storm's short run (issue 20; `npm run load:night` is the long one, bench/README.md):
// 20 callers at once on the out-of-hours line for 30 s (2-6 s pauses) through 2 apis and 2 workers, the
// technicians' phones answering, not answering, on voicemail or refusing through the signed
// webhooks, some callbacks twice, late or out of order, and Twilio's REST API answering 429 and 500
// for 5 s. Here after the other tests, one file at a time: five processes share the two cores.
const ROOT = new URL('../..', import.meta.url).pathname;

interface StormResult {
  calls: number;
  routed: number;
  passed: boolean;
  problems: string[];
  checks: {
    pages: number;
    escalated: number;
    recaps: number;
    lost: number;
    doubled: number;
    byBehaviour: Record<string, number>;
  };
}

it('[ON-5] [ON-9] a storm of night calls: one page per call, one call and SMS per attempt, escalation after two failures, one recap each', async () => {
  const resultFile = join(tmpdir(), `storm-${process.pid}.json`);
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}bench/storm/night-storm.ts`], {
    env: {
      ...process.env,
      STORM_SECONDS: '30',
      STORM_CALLERS: '20',
      // Callers quicker than a real one, so that the half-minute holds two calls each.
      STORM_PAUSE_MS: '2000-6000',
      STORM_SETTLE_SECONDS: '120',
      // Twilio turns requests away for 5 s, from the 10th second: retried, none lost or doubled.
      STORM_TWILIO_FAULT_SECONDS: '5',
      STORM_RESULT_FILE: resultFile,
      // Its own database and this worker's Redis database: beside the benchmarks' and other suites'.
      BENCH_PAGING_DATABASE: `cc_storm_test_${process.env.TEST_REDIS_BASE ?? '2'}`,
      BENCH_PAGING_REDIS_DB: new URL(redisUrlForWorker()).pathname.slice(1),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, output).toBe(0);
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as StormResult;
  rmSync(resultFile);
  expect(result.problems, output).toEqual([]);
  expect(result.passed).toBe(true);
  // Every caller routed, every page settled as its technician's phone decided.
  expect(result.calls).toBeGreaterThan(20);
  expect(result.routed).toBe(result.calls);
  expect(result.checks.pages).toBe(result.calls);
  expect(result.checks.recaps).toBe(result.calls);
  expect(Object.keys(result.checks.byBehaviour).sort()).toEqual([
    'accepts',
    'accepts-second-call',
    'never-answers',
    'voicemail-then-refuses',
  ]);
  expect(result.checks.escalated).toBe(
    result.checks.byBehaviour['never-answers']! + result.checks.byBehaviour['voicemail-then-refuses']!,
  );
  expect(result.checks.lost).toBe(0);
  expect(result.checks.doubled).toBe(0);
}, 300_000);
