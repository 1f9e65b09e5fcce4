// `npm run bench`: every benchmark, one after the other, with its figures printed and saved.
import { runWebhookBench, saveResult } from './webhook.bench.js';

const { summary, rows } = await runWebhookBench();
console.table(rows.map((r) => ({ ...r, requestsPerSecond: Math.round(r.requestsPerSecond) })));
console.log(summary);
console.log(`saved ${saveResult('webhook', { summary, rows })}`);
process.exit(0);
