import type { Redis } from './redis.js';

export type RedisScript = (keys: string[], args: string[]) => Promise<unknown>;

const loaded = new WeakMap<Redis, Map<string, RedisScript>>();

/**
 * A Lua script run atomically by Redis: sent once, then called by its hash (EVALSHA), and sent
 * again if Redis forgot it (a restart). What one script does, no other client sees half done.
 * One runner per client and script, so callers may ask for it on every use.
 */
export function redisScript(redis: Redis, source: string): RedisScript {
  const scripts = loaded.get(redis) ?? new Map<string, RedisScript>();
  loaded.set(redis, scripts);
  const known = scripts.get(source);
  if (known) return known;
  let sha: string | null = null;
  const run: RedisScript = async (keys, args) => {
    if (sha) {
      try {
        return await redis.evalSha(sha, { keys, arguments: args });
      } catch (err) {
        if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      }
    }
    sha = await redis.scriptLoad(source);
    return redis.evalSha(sha, { keys, arguments: args });
  };
  scripts.set(source, run);
  return run;
}
