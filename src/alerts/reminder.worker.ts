import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { QUEUE_NAMES, takeoverAfter, workerConnection } from '../platform/queues.js';
import type { Services } from '../services.js';
import { remindAlert } from './notification.service.js';

/** Runs alert reminders (delayed jobs on the `alert-notices` queue); one function per job. */
export function startReminderWorker(services: Services): Worker {
  const worker = new Worker(
    QUEUE_NAMES.alertNotices,
    async (job: Job<{ alertId?: string; n?: number }>) => {
      const { alertId, n } = job.data;
      if (job.name !== 'alert-reminder' || !alertId || !n)
        throw new UnrecoverableError(`bad job ${job.name}`);
      return remindAlert(services.notices, alertId, n);
    },
    {
      connection: workerConnection(services.redis),
      concurrency: services.settings.workerConcurrency,
      ...takeoverAfter(services.settings.jobLockMs),
    },
  );
  worker.on('error', (err) => services.logger.error({ err }, 'alert reminder worker error'));
  return worker;
}
