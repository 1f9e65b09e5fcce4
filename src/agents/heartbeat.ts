import type { Redis } from '../platform/redis.js';
import { seenKey } from './agent-state.store.js';

// While a console of an agent is connected to this api process, says so in Redis every third of
// the grace period (agent:seen:<id>, expiring after the grace period): a process that dies stops
// saying it, and its agents go offline once the grace period has passed (offline-sweep.ts).

export function markSeen(redis: Redis, userIds: readonly string[], graceSeconds: number): Promise<unknown> {
  if (userIds.length === 0) return Promise.resolve();
  const multi = redis.multi();
  for (const id of userIds) multi.set(seenKey(id), '1', { EX: graceSeconds });
  return multi.exec();
}

export function startHeartbeat(
  redis: Redis,
  connectedHere: () => Promise<string[]>,
  graceSeconds: number,
  onError: (err: unknown) => void,
): () => void {
  const timer = setInterval(
    () => {
      connectedHere()
        .then((ids) => markSeen(redis, ids, graceSeconds))
        .catch(onError);
    },
    Math.max(1000, (graceSeconds * 1000) / 3),
  );
  timer.unref();
  return () => clearInterval(timer);
}
