import { Queue, type QueueOptions } from 'bullmq';
import type { Redis } from './redis.js';

export const QUEUE_NAMES = {
  outbox: 'outbox',
  maintenance: 'maintenance',
  paging: 'paging',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** BullMQ takes a node-redis client (one Redis library for the whole project). */
export function bullConnection(redis: Redis): QueueOptions['connection'] {
  return redis.duplicate() as unknown as QueueOptions['connection'];
}

export function createQueue(name: QueueName, redis: Redis): Queue {
  return new Queue(name, { connection: bullConnection(redis) });
}
