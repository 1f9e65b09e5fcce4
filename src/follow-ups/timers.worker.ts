import { type Job, Worker } from 'bullmq';
import { QUEUE_NAMES, takeoverAfter, workerConnection } from '../platform/queues.js';
import type { Services } from '../services.js';
import { DEPARTURE_HANDLERS } from './departure-firing.js';
import { fireTimer, type TimerJob } from './timers.js';
import { VACANT_HANDLERS } from './vacant-housing.service.js';

/** Every kind of follow-up timer and what it does (one mechanism, handlers per capability). */
export const TIMER_HANDLERS = { ...DEPARTURE_HANDLERS, ...VACANT_HANDLERS };

/** Fires the follow-up timers whose delayed job has come. */
export function startTimersWorker(services: Services): Worker {
  const { followUps, logger, settings } = services;
  const worker = new Worker(
    QUEUE_NAMES.followUps,
    async (job: Job<TimerJob>) => ({ outcome: await fireTimer(followUps, TIMER_HANDLERS, job.data) }),
    {
      connection: workerConnection(services.redis),
      concurrency: settings.workerConcurrency,
      ...takeoverAfter(settings.jobLockMs),
    },
  );
  worker.on('failed', (job, err) =>
    logger.warn({ jobId: job?.id, err: err.message }, 'follow-up timer attempt failed'),
  );
  worker.on('error', (err) => logger.error({ err }, 'follow-up timers worker error'));
  return worker;
}
