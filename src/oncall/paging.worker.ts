import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { QUEUE_NAMES, takeoverAfter, workerConnection } from '../platform/queues.js';
import type { Services } from '../services.js';
import type { PagingJob } from './paging.deps.js';
import { attemptFailed, runAttempt } from './paging.service.js';

/** Runs page attempts and acknowledgement timers. Each job parses its payload and calls one function. */
export function startPagingWorker(services: Services): Worker {
  const { paging, logger, settings } = services;
  const worker = new Worker(
    QUEUE_NAMES.paging,
    async (job: Job) => {
      const { name, data } = job as unknown as PagingJob;
      if (name === 'attempt') return runAttempt(paging, data.pageId, data.number);
      if (name === 'ack-timeout') return attemptFailed(paging, data.attemptId, 'NO_ACK');
      throw new UnrecoverableError(`unknown paging job ${job.name}`);
    },
    {
      connection: workerConnection(services.redis),
      concurrency: settings.pagingConcurrency,
      ...takeoverAfter(settings.jobLockMs),
      // An attempt sends its page call: a worker that dies meanwhile leaves a stalled job, handed
      // over (then the call's send job asks Twilio before calling again) rather than failed.
      maxStalledCount: 20,
    },
  );
  worker.on('failed', (job, err) =>
    logger.error({ jobId: job?.id, err: err.message }, 'paging job attempt failed: BullMQ retries it'),
  );
  worker.on('error', (err) => logger.error({ err }, 'paging worker error'));
  return worker;
}
