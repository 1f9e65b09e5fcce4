// `npm run bench`: every benchmark, one after the other, with its figures printed and saved.
// BENCH_ONLY=gather (or webhook, paging, alerts-detection, gateway, fanout, distribution, startup,
// slots, timers) runs one. Exits 1 if a benchmark fails or a request was answered wrongly; missed
// targets are reported, not fatal (the figures are noisy on shared machines: see bench/README.md).
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { runAlertsDetectionBench } from './alerts-detection.bench.js';
import { runDistributionBench } from './distribution.bench.js';
import { runFanoutBench } from './fanout.bench.js';
import { runGatewayBench } from './gateway.bench.js';
import { runGatherBench } from './gather.bench.js';
import { runPagingBench } from './paging.bench.js';
import { type BenchEntry, machineNow, writeReport } from './report.js';
import { runSlotsBench } from './slots.bench.js';
import { runStartupBench } from './startup.bench.js';
import { stormResultFile } from './storm/night-storm.js';
import { type BenchOutcome, installCleanup, printRows, saveResult } from './support.js';
import { runTimersBench } from './timers.bench.js';
import { runWebhookBench } from './webhook.bench.js';

const BENCHMARKS: Record<string, () => Promise<BenchOutcome>> = {
  webhook: runWebhookBench,
  gather: runGatherBench,
  paging: runPagingBench,
  'alerts-detection': runAlertsDetectionBench,
  gateway: runGatewayBench,
  fanout: runFanoutBench,
  distribution: runDistributionBench,
  startup: runStartupBench,
  slots: runSlotsBench,
  timers: runTimersBench,
};
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean) ?? Object.keys(BENCHMARKS);

installCleanup();
const loadBefore = loadavg()[0]!;
const entries: BenchEntry[] = [];
for (const name of only) {
  const run = BENCHMARKS[name];
  if (!run) {
    console.error(`unknown benchmark ${name} (BENCH_ONLY): ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(1);
  }
  console.log(`\n== ${name} ==`);
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 1000);
  try {
    const outcome = await run();
    // Paging and detection measure calls and queries, not autocannon runs: no rows to print.
    if (outcome.result.rows.length > 0) printRows(outcome.result.rows);
    for (const line of outcome.report) console.log(line);
    console.log(`saved ${saveResult(outcome.name, outcome.result)}`);
    entries.push({ name, passed: outcome.passed, seconds: seconds(), report: outcome.report });
  } catch (err) {
    console.error(`benchmark ${name} failed:`, err);
    entries.push({ name, passed: false, seconds: seconds(), report: [], error: String(err) });
  }
}
const date = new Date().toISOString().slice(0, 10);
// The night storm runs apart (`npm run load:night`, 10 minutes and more): its run of the day, if any.
if (existsSync(stormResultFile(date))) {
  const storm = JSON.parse(readFileSync(stormResultFile(date), 'utf8')) as Omit<BenchEntry, 'name'>;
  entries.push({
    name: 'night storm (npm run load:night)',
    passed: storm.passed,
    seconds: storm.seconds,
    report: storm.report,
  });
}
console.log(`\nreport: ${writeReport(date, machineNow(loadBefore), entries)}`);
process.exit(entries.every((e) => e.passed) ? 0 : 1);
