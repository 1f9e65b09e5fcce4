import { createClient } from 'redis';

// Test files run in parallel workers: each worker uses its own Redis database (queues, call
// states and event streams of one file never reach another's workers), flushed before use.
export function redisUrlForWorker(): string {
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  return `redis://127.0.0.1:6379/${2 + (pool % 14)}`;
}

export async function flushRedis(url: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  await client.flushDb();
  await client.close();
}
