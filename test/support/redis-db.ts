import { createClient } from 'redis';

// Test files run in parallel workers: each worker uses its own Redis database (queues, call
// states and event streams of one file never reach another's workers), flushed before use.
// TEST_REDIS_BASE moves the range, so two suites on one machine do not flush each other's
// databases (2 + the worker's number by default: 2 and 3 on two cores, at most 14). The benchmarks
// use 1 (fan-out), 11 (gateway), 13 (alert detection), 14 (paging) and 15 (webhook, gather step,
// follow-up timers).
export function redisUrlForWorker(): string {
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  const base = Number(process.env.TEST_REDIS_BASE ?? '2');
  return `redis://127.0.0.1:6379/${base + ((pool - 1) % (15 - base))}`;
}

export async function flushRedis(url: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  await client.flushDb();
  await client.close();
}
