import { UnrecoverableError, Worker } from 'bullmq';
import { createQueue, QUEUE_NAMES, workerConnection } from '../platform/queues.js';
import type { Services } from '../services.js';
import { type DetectionDeps, type DetectionOptions, detectAlerts } from './detection.service.js';

// The daily detection run: a BullMQ job scheduler on the `alerts` queue fires `detect` every day
// at ALERT_DETECTION_AT in TZ_DEFAULT (a cron pattern with its zone, so 07:00 stays 07:00 across
// daylight-saving changes). Schedulers are per queue: several workers never run it twice a day.

export const DETECTION_SCHEDULER = 'daily-detection';

export function detectionDeps(services: Services): DetectionDeps {
  return {
    db: services.db,
    events: services.events,
    clock: services.clock,
    zone: services.settings.timeZone,
    lookbackDays: services.settings.alerts.lookbackDays,
    logger: services.logger,
  };
}

/** "07:00" (as minutes) → the cron pattern "0 7 * * *". */
export function dailyPattern(minuteOfDay: number): string {
  return `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} * * *`;
}

/** Starts the worker and (re)declares the daily schedule; the hook is told each run's new alerts. */
export async function startAlertsWorker(
  services: Services,
  hooks: Pick<DetectionOptions, 'onDetected'> = {},
): Promise<Worker> {
  const worker = new Worker(
    QUEUE_NAMES.alerts,
    async (job) => {
      if (job.name !== 'detect') throw new UnrecoverableError(`unknown alerts job ${job.name}`);
      const ids = await detectAlerts(detectionDeps(services), { onDetected: hooks.onDetected });
      return { created: ids.length };
    },
    { connection: workerConnection(services.redis), concurrency: 1 },
  );
  worker.on('failed', (job, err) =>
    services.logger.error({ jobId: job?.id, err: err.message }, 'alert detection failed'),
  );
  worker.on('error', (err) => services.logger.error({ err }, 'alerts worker error'));
  const queue = createQueue(QUEUE_NAMES.alerts, services.redis);
  try {
    await queue.upsertJobScheduler(
      DETECTION_SCHEDULER,
      { pattern: dailyPattern(services.settings.alerts.detectionAtMinute), tz: services.settings.timeZone },
      { name: 'detect', opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } } },
    );
  } finally {
    await queue.close();
  }
  return worker;
}
