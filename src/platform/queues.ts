import { createNodeRedisClient, Queue, type QueueOptions } from 'bullmq';
import type { Redis } from './redis.js';

export const QUEUE_NAMES = {
  // One outbox queue per channel: a burst of SMS (rate-limited) never holds up a page call.
  outboxSms: 'outbox-sms',
  outboxVoice: 'outbox-voice',
  outboxEmail: 'outbox-email',
  maintenance: 'maintenance',
  paging: 'paging',
  alerts: 'alerts',
  alertNotices: 'alert-notices',
  followUps: 'follow-up-timers',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * BullMQ takes a node-redis client (one Redis library for the whole project). A queue's
 * commands fail at once while Redis is away (a webhook adding a job answers its fallback instead
 * of hanging).
 */
export function bullConnection(redis: Redis): QueueOptions['connection'] {
  return wrapped(redis, redis.duplicate());
}

/**
 * A worker's connection waits for Redis to come back instead: BullMQ's worker loop retries a
 * failed fetch at once when it does not recognise the error as a lost connection (node-redis's
 * "client is offline"), and spun, logging an error each turn, for as long as Redis was away.
 */
export function workerConnection(redis: Redis): QueueOptions['connection'] {
  return wrapped(redis, redis.duplicate({ disableOfflineQueue: false }));
}

// Wrapped here, once, rather than by each BullMQ connection over it: BullMQ leaves the wrapper of
// a connection it has closed still listening to the client, with no 'error' listener of its own,
// and a Redis blip then ends the process (an uncaught 'error' event). Errors are reported like
// the service's own connection's (logged and counted).
function wrapped(redis: Redis, client: Redis): QueueOptions['connection'] {
  const connection = createNodeRedisClient(client as never);
  connection.on('error', (err: Error) => redis.emit('error', err));
  return connection as unknown as QueueOptions['connection'];
}

/**
 * A worker's lock on its jobs, and how often it looks for jobs whose worker died (their lock
 * expired) to take them over.
 */
export function takeoverAfter(lockMs: number): { lockDuration: number; stalledInterval: number } {
  return { lockDuration: lockMs, stalledInterval: Math.min(lockMs, 30_000) };
}

/** A running consumer of one or several queues, as the entry point stops it. */
export interface Stoppable {
  close(force?: boolean): Promise<void>;
}

export function createQueue(name: QueueName, redis: Redis): Queue {
  const queue = new Queue(name, { connection: bullConnection(redis) });
  // Its connection reports Redis's errors (bullConnection); without a listener BullMQ prints them.
  queue.on('error', () => undefined);
  return queue;
}
