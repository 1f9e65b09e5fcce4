import { Queue, type QueueOptions } from 'bullmq';
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

/** BullMQ takes a node-redis client (one Redis library for the whole project). */
export function bullConnection(redis: Redis): QueueOptions['connection'] {
  return redis.duplicate() as unknown as QueueOptions['connection'];
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
  return new Queue(name, { connection: bullConnection(redis) });
}
