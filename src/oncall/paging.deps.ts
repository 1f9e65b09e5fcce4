import { Job, type Queue } from 'bullmq';
import type { FrenchCalendar } from '../calendar/french-calendar.js';
import type { OutboxDeps } from '../messaging/outbox.service.js';
import type { Templates } from '../messaging/templates.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import type { FaultPoints } from '../platform/fault-points.js';
import type { Logger } from '../platform/logger.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { OnCallSettings } from './oncall.settings.js';
import type { RoutingData } from './routing-cache.js';

/** Pages still being worked on: anything else is settled (accepted, unreached, cancelled). */
export const OPEN_PAGE_STATUSES = ['SCHEDULED', 'PAGING'] as const;

/** What the on-call routing and paging code needs, built once with the other services. */
export interface PagingDeps {
  db: Db;
  events: EventBus;
  /** The `paging` queue: attempts and acknowledgement timers, as delayed jobs. */
  queue: Queue;
  outbox: OutboxDeps;
  templates: Templates;
  clock: Clock;
  logger: Logger;
  settings: OnCallSettings;
  calendar: FrenchCalendar;
  /** Contracts' routing data, kept per process until an import changes it. */
  routingData: RoutingData;
  /** The default time zone (TZ_DEFAULT) for what is said and written. */
  zone: string;
  /** Tests' crash points: paging.after-attempt-ended (src/platform/fault-points.ts). */
  faults?: FaultPoints;
}

// Job ids are deterministic (BullMQ ignores a second job with the same id, and ids may not hold
// ':'), so two processes scheduling the same attempt or timer schedule it once.
export const attemptJobId = (pageId: string, number: number) => `page-${pageId}-attempt-${number}`;
export const ackTimeoutJobId = (pageId: string, number: number) => `page-${pageId}-attempt-${number}-timeout`;

export type PagingJob =
  | { name: 'attempt'; data: { pageId: string; number: number } }
  | { name: 'ack-timeout'; data: { attemptId: string } };

const KEEP = { removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

export async function scheduleAttempt(
  deps: Pick<PagingDeps, 'queue'>,
  pageId: string,
  number: number,
  delayMs: number,
): Promise<void> {
  await deps.queue.add(
    'attempt',
    { pageId, number },
    { jobId: attemptJobId(pageId, number), delay: Math.max(0, delayMs), attempts: 5, backoff: 1000, ...KEEP },
  );
}

export async function scheduleAckTimeout(
  deps: Pick<PagingDeps, 'queue' | 'settings'>,
  pageId: string,
  number: number,
  attemptId: string,
): Promise<void> {
  await deps.queue.add(
    'ack-timeout',
    { attemptId },
    {
      jobId: ackTimeoutJobId(pageId, number),
      delay: deps.settings.ackTimeoutSeconds * 1000,
      attempts: 5,
      backoff: 1000,
      ...KEEP,
    },
  );
}

/** Drops a waiting job (a timer made pointless by an answer). A job already running is left alone. */
export async function cancelJob(deps: Pick<PagingDeps, 'queue'>, jobId: string): Promise<void> {
  try {
    await deps.queue.remove(jobId);
  } catch {
    // Locked by a worker: it finds the page settled and does nothing.
  }
}

/**
 * Runs a delayed job now, in one Redis script (BullMQ's `promote`, which moves it only if it is
 * still delayed). False when it was not delayed: released already, running, done or gone.
 */
export async function runDelayedJobNow(deps: Pick<PagingDeps, 'queue'>, jobId: string): Promise<boolean> {
  try {
    await new Job(deps.queue, 'promote', {}, {}, jobId).promote();
    return true;
  } catch (err) {
    if (err instanceof Error && /is not in the delayed state/.test(err.message)) return false;
    throw err;
  }
}
