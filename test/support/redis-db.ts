import { createClient } from 'redis';

// Test files run in parallel workers: each worker uses its own Redis database (queues, call
// states and event streams of one file never reach another's workers), flushed before use.
// TEST_REDIS_BASE moves the range, so two suites on one machine do not flush each other's
// databases (databases 2-14 by default; the benchmarks use 15).
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
