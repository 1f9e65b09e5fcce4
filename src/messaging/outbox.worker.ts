import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { MessageChannel } from '../generated/prisma/enums.js';
import { QUEUE_NAMES, type Stoppable, takeoverAfter, workerConnection } from '../platform/queues.js';
import type { Services } from '../services.js';
import { deliverMessage, SWEEP_AFTER_MS, scheduleSends, TemporaryDeliveryError } from './outbox.service.js';

const QUEUE_OF: Record<MessageChannel, string> = {
  SMS: QUEUE_NAMES.outboxSms,
  VOICE: QUEUE_NAMES.outboxVoice,
  EMAIL: QUEUE_NAMES.outboxEmail,
};

/**
 * Sends the outbox: one worker per channel, SMS at the sender's rate (SMS_RATE_PER_SECOND). A
 * killed worker's job is taken over by another once its lock expires.
 */
export function startOutboxWorker(services: Services, options: { lockDurationMs?: number } = {}): Stoppable {
  const { outbox, metrics, logger, settings } = services;
  const lockDuration = options.lockDurationMs ?? settings.jobLockMs;
  const workers = (Object.keys(QUEUE_OF) as MessageChannel[]).map((channel) => {
    const worker = new Worker(
      QUEUE_OF[channel],
      async (job: Job<{ messageId?: string }>) => {
        const messageId = job.data.messageId;
        if (!messageId) throw new UnrecoverableError('send job without messageId');
        const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        try {
          const result = await deliverMessage(outbox, messageId, isLastAttempt);
          metrics.messagesSent.inc({ channel, outcome: result.outcome });
          return result;
        } catch (err) {
          if (err instanceof TemporaryDeliveryError) metrics.messagesSent.inc({ channel, outcome: 'retry' });
          throw err;
        }
      },
      {
        connection: workerConnection(services.redis),
        concurrency: settings.workerConcurrency,
        ...takeoverAfter(lockDuration),
        // A worker that dies mid-send leaves a stalled job: hand it over rather than fail it.
        maxStalledCount: 20,
        // Shared by every worker of the queue (BullMQ keeps the count in Redis).
        ...(channel === 'SMS' ? { limiter: { max: settings.messaging.smsPerSecond, duration: 1000 } } : {}),
      },
    );
    worker.on('failed', (job, err) =>
      logger.warn({ jobId: job?.id, channel, err: err.message }, 'outbox job attempt failed'),
    );
    worker.on('error', (err) => logger.error({ err, channel }, 'outbox worker error'));
    return worker;
  });
  return {
    async close(force) {
      await Promise.all(workers.map((w) => w.close(force)));
    },
  };
}

/**
 * Re-enqueues rows still waiting after a while: covers a Redis outage between writing the row
 * and adding its job. The deterministic job id makes a re-add of a live job a no-op.
 */
export async function sweepOutbox(services: Services): Promise<number> {
  const cutoff = new Date(services.clock.now().getTime() - SWEEP_AFTER_MS);
  const waiting = await services.db.message.findMany({
    where: { direction: 'OUTBOUND', status: { in: ['QUEUED', 'SENDING'] }, updatedAt: { lt: cutoff } },
    select: { id: true, channel: true, essential: true, notBefore: true },
    take: 1000,
  });
  // One Redis round trip per channel (addBulk) rather than one per row.
  await scheduleSends(services.outbox, waiting);
  return waiting.length;
}
