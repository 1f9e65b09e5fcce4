import { createClient } from 'redis';

function buildClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    // node-redis arms an AbortSignal timer per command (5 s by default): on the webhook path that
    // was 8% of the CPU. Callers that must not wait bound the whole request instead (see
    // voice.routes.ts); a lost connection still fails every pending command at once.
    commandOptions: { timeout: 0 },
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 3000), connectTimeout: 3000 },
  });
}

export type Redis = ReturnType<typeof buildClient>;

/**
 * A node-redis client that reconnects on its own. Commands issued while Redis is away fail fast
 * (no offline queue) so a webhook can answer its fallback instead of hanging.
 */
export function createRedis(url: string, onError: (err: Error) => void): Redis {
  const client = buildClient(url);
  client.on('error', onError);
  return client;
}

export async function isRedisReachable(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

export class RedisUnavailableError extends Error {}

/** Connects, or fails after `timeoutMs` instead of retrying forever (start-up must say what is wrong). */
export async function connectRedis(redis: Redis, url: string, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisUnavailableError(`Redis at ${url} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([redis.connect(), timeout]);
  } catch (err) {
    redis.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
