// `npm run bench`: every benchmark, one after the other, with its figures printed and saved.
// Exits 1 if a benchmark fails or a request was answered wrongly; missed targets are reported,
// not fatal (the figures are noisy on shared machines: see bench/README.md).
import { installCleanup } from './support.js';
import { runWebhookBench, saveResult } from './webhook.bench.js';

installCleanup();
try {
  const result = await runWebhookBench();
  const { summary, rows } = result;
  console.table(
    rows.map((r) => ({
      round: r.round,
      server: r.label,
      'req/s': Math.round(r.requestsPerSecond),
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      'non-2xx': r.non2xx,
      errors: r.errors,
      'wrong answers': r.wrongAnswers,
      'server µs/req': r.serverCpuUsPerRequest,
      'Redis µs/req': r.redisCpuUsPerRequest,
      answers: Object.entries(r.answers)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', '),
    })),
  );
  const m = summary.machine;
  console.log(
    `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; ` +
      `${summary.connections} connections, ${summary.rounds} rounds of ${summary.seconds} s (median); ` +
      `load average ${summary.loadAverage.before.toFixed(2)} before, ${summary.loadAverage.after.toFixed(2)} after`,
  );
  console.log(
    `bare Fastify ${summary.bareRequestsPerSecond} req/s (p99 ${summary.bareP99Ms} ms), ` +
      `signed webhook ${summary.webhookRequestsPerSecond} req/s (p50 ${summary.webhookP50Ms} ms, p99 ${summary.webhookP99Ms} ms)`,
  );
  console.log(
    `server CPU per request: bare ${summary.bareCpuUsPerRequest} µs, webhook ${summary.webhookCpuUsPerRequest} µs ` +
      `+ ${summary.webhookRedisCpuUsPerRequest} µs in Redis`,
  );
  const verdict = (met: boolean) => (met ? 'met' : 'NOT MET');
  console.log(
    `ratio ${summary.ratio} (target >= ${summary.targets.ratioAtLeast}: ${verdict(summary.met.ratio)}), ` +
      `webhook p99 ${summary.webhookP99Ms} ms (target < ${summary.targets.webhookP99UnderMs} ms: ${verdict(summary.met.webhookP99)}), ` +
      `failed requests ${summary.failedRequests}${summary.callSidsRepeated ? ' (CallSids repeated: raise MAX_RATE)' : ''}`,
  );
  console.log(`saved ${saveResult('webhook', result)}`);
  process.exit(summary.failedRequests === 0 ? 0 : 1);
} catch (err) {
  console.error('benchmark failed:', err);
  process.exit(1);
}
