import { UnrecoverableError, Worker } from 'bullmq';
import { agentStateDeps } from '../agents/agent-state.store.js';
import { takeOfflineTheGone } from '../agents/offline-sweep.js';
import { notifyPendingAlerts } from '../alerts/notification.service.js';
import { billingHoldDeps, sweepBillingHolds } from '../cases/billing-holds.service.js';
import { holdingReplyDeps, sendHoldingReplies } from '../cases/holding-reply.service.js';
import { sweepTimers } from '../follow-ups/timers.js';
import { fileParkedCallEnds, fileParkedVoicemails } from '../ivr/voicemail.service.js';
import { sweepOutbox } from '../messaging/outbox.worker.js';
import { sweepPages } from '../oncall/page-sweep.js';
import { createQueue, QUEUE_NAMES, workerConnection } from '../platform/queues.js';
import type { Services } from '../services.js';
import { runTermination, terminationDeps } from '../termination/termination-run.js';

// Periodic work and safety nets: holding replies for cases near their deadline [CS-4], re-enqueue
// outbox rows whose job went missing, move on pages whose next step's job went missing, re-create the jobs of follow-up timers due soon, file voicemails parked while the database was away, notify
// alerts a crash left un-notified, rebuild the phone index (refreshed on every change; this is the
// backstop). Job schedulers are per queue, so several workers do not duplicate them.
const SWEEP_EVERY_MS = 60_000;
/** Agents whose consoles are gone are taken offline within this of their grace period's end. */
const AGENT_SWEEP_EVERY_MS = 15_000;
const PHONE_INDEX_REBUILD_EVERY_MS = 6 * 3600_000;

export function startMaintenanceWorker(services: Services): { worker: Worker; schedule(): Promise<void> } {
  const worker = new Worker(
    QUEUE_NAMES.maintenance,
    async (job) => {
      if (job.name === 'outbox-sweep') return { requeued: await sweepOutbox(services) };
      if (job.name === 'page-sweep') return sweepPages(services.paging);
      if (job.name === 'follow-up-timer-sweep') return { scheduled: await sweepTimers(services.followUps) };
      if (job.name === 'phone-index-rebuild') return { numbers: await services.phoneIndex.rebuild() };
      if (job.name === 'alert-notice-sweep') return { notified: await notifyPendingAlerts(services.notices) };
      if (job.name === 'billing-hold-sweep')
        return { placed: await sweepBillingHolds(billingHoldDeps(services)) };
      if (job.name === 'agent-offline-sweep')
        return { offline: await takeOfflineTheGone(agentStateDeps(services)) };
      if (job.name === 'holding-reply-sweep') return sendHoldingReplies(holdingReplyDeps(services));
      if (job.name === 'termination-run') {
        const lists = await runTermination(terminationDeps(services), { apply: true });
        return {
          day: lists.day,
          toTerminate: lists.toTerminate.length,
          toRemind: lists.toRemind.length,
          managementDecision: lists.managementDecision.length,
        };
      }
      if (job.name === 'voicemail-sweep')
        return {
          filed: await fileParkedVoicemails(services.db, services.redis, services.events),
          callEnds: await fileParkedCallEnds(services.db, services.redis),
        };
      throw new UnrecoverableError(`unknown maintenance job ${job.name}`);
    },
    { connection: workerConnection(services.redis), concurrency: 1 },
  );
  worker.on('error', (err) => services.logger.error({ err }, 'maintenance worker error'));
  return {
    worker,
    async schedule() {
      const queue = createQueue(QUEUE_NAMES.maintenance, services.redis);
      const every = {
        'outbox-sweep': SWEEP_EVERY_MS,
        'page-sweep': SWEEP_EVERY_MS,
        'voicemail-sweep': SWEEP_EVERY_MS,
        'follow-up-timer-sweep': SWEEP_EVERY_MS,
        'alert-notice-sweep': SWEEP_EVERY_MS,
        'billing-hold-sweep': SWEEP_EVERY_MS,
        'holding-reply-sweep': SWEEP_EVERY_MS,
        'agent-offline-sweep': AGENT_SWEEP_EVERY_MS,
        'phone-index-rebuild': PHONE_INDEX_REBUILD_EVERY_MS,
      };
      for (const [name, ms] of Object.entries(every))
        await queue.upsertJobScheduler(name, { every: ms }, { name });
      // [TR-4] Once a day, in the service's zone: the lists are printed the next night.
      const runAt = services.settings.termination.runMinute;
      await queue.upsertJobScheduler(
        'termination-run',
        { pattern: `${runAt % 60} ${Math.floor(runAt / 60)} * * *`, tz: services.settings.timeZone },
        { name: 'termination-run' },
      );
      await queue.close();
    },
  };
}
