import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { bullConnection, QUEUE_NAMES } from '../platform/queues.js';
import type { Services } from '../platform/services.js';
import { deliverMessage, scheduleSend, TemporaryDeliveryError } from './outbox.service.js';

const SWEEP_AFTER_MS = 60_000;

/** Sends the outbox. A killed worker's job is taken over by another once its lock expires. */
export function startOutboxWorker(services: Services, options: { lockDurationMs?: number } = {}): Worker {
  const { outbox, metrics, logger, settings } = services;
  const worker = new Worker(
    QUEUE_NAMES.outbox,
    async (job: Job<{ messageId?: string }>) => {
      const messageId = job.data.messageId;
      if (!messageId) throw new UnrecoverableError('send job without messageId');
      const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      try {
        const result = await deliverMessage(outbox, messageId, isLastAttempt);
        metrics.messagesSent.inc({ channel: 'any', outcome: result.outcome });
        return result;
      } catch (err) {
        if (err instanceof TemporaryDeliveryError)
          metrics.messagesSent.inc({ channel: 'any', outcome: 'retry' });
        throw err;
      }
    },
    {
      connection: bullConnection(services.redis),
      concurrency: settings.workerConcurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      // A worker that dies mid-send leaves a stalled job: hand it over rather than fail it.
      maxStalledCount: 20,
      stalledInterval: Math.min(options.lockDurationMs ?? 30_000, 30_000),
    },
  );
  worker.on('failed', (job, err) =>
    logger.warn({ jobId: job?.id, err: err.message }, 'outbox job attempt failed'),
  );
  worker.on('error', (err) => logger.error({ err }, 'outbox worker error'));
  return worker;
}

/**
 * Re-enqueues rows still waiting after a while: covers a Redis outage between writing the row
 * and adding its job. The deterministic job id makes a re-add of a live job a no-op.
 */
export async function sweepOutbox(services: Services): Promise<number> {
  const cutoff = new Date(services.clock.now().getTime() - SWEEP_AFTER_MS);
  const waiting = await services.db.message.findMany({
    where: { direction: 'OUTBOUND', status: { in: ['QUEUED', 'SENDING'] }, updatedAt: { lt: cutoff } },
    select: { id: true, notBefore: true },
    take: 1000,
  });
  for (const row of waiting) await scheduleSend(services.outbox, row.id, row.notBefore);
  return waiting.length;
}
