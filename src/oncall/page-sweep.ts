import { type PagingDeps, scheduleAttempt } from './paging.deps.js';
import { attemptFailed } from './paging.service.js';

// The paging's safety net, run every minute by the maintenance worker. Every step of a page waits
// in Redis as a delayed job; a Redis that loses its data (restarted without persistence, failed
// over before replicating) loses them, and a page would wait for ever. A page whose next step
// should have run more than a minute ago is moved on here. Each step is idempotent: a job still
// waiting keeps its place (same job id), and an attempt ended meanwhile is not ended twice.

const GRACE_MS = 60_000;
const BATCH = 500;

export interface PageSweep {
  /** Pages whose first attempt was started. */
  started: number;
  /** Attempts nobody acknowledged, ended. */
  timedOut: number;
  /** Pages moved on after an attempt that ended without its next step. */
  resumed: number;
}

export async function sweepPages(deps: PagingDeps): Promise<PageSweep> {
  const { db, settings } = deps;
  const now = deps.clock.now().getTime();
  const overdue = (seconds: number) => new Date(now - seconds * 1000 - GRACE_MS);
  const result: PageSweep = { started: 0, timedOut: 0, resumed: 0 };

  // Never started: due (the morning's deferred page, or the end-of-call backstop) a minute ago.
  const due = await db.page.findMany({
    where: {
      status: 'SCHEDULED',
      scheduledFor: { lt: overdue(settings.pageAfterCallSeconds) },
      attempts: { none: {} },
    },
    select: { id: true },
    take: BATCH,
  });
  for (const page of due) {
    await scheduleAttempt(deps, page.id, 1, 0);
    result.started += 1;
  }

  // Under way: the latest attempt's acknowledgement timer, or the step after it, is overdue.
  const paging = await db.page.findMany({
    where: { status: 'PAGING' },
    select: {
      attempts: {
        orderBy: { number: 'desc' },
        take: 1,
        select: { id: true, outcome: true, startedAt: true, endedAt: true },
      },
    },
    take: BATCH,
  });
  for (const { attempts } of paging) {
    const last = attempts[0];
    if (!last || last.outcome === 'ACCEPTED') continue;
    if (last.outcome === 'PENDING') {
      if (last.startedAt >= overdue(settings.ackTimeoutSeconds)) continue;
      await attemptFailed(deps, last.id, 'NO_ACK', { retryWaited: true });
      result.timedOut += 1;
    } else if (last.endedAt && last.endedAt < overdue(settings.retryDelaySeconds)) {
      await attemptFailed(deps, last.id, last.outcome, { retryWaited: true });
      result.resumed += 1;
    }
  }
  if (result.started + result.timedOut + result.resumed > 0)
    deps.logger.warn(result, 'pages moved on by the sweep: their delayed jobs were lost');
  return result;
}
