import { recordOnTimeline } from '../cases/timeline.js';
import type { RequestDetails } from './page-content.js';
import {
  ackTimeoutJobId,
  attemptJobId,
  cancelJob,
  OPEN_PAGE_STATUSES,
  type PagingDeps,
} from './paging.deps.js';
import { sendRecap } from './recap.service.js';

// Accepting a page, by key 1 on the page call or by SMS: the first acceptance settles the page,
// drops its pending timers and next attempt, and sends the recap.

export type AcknowledgeResult =
  | { outcome: 'accepted'; details: RequestDetails }
  | { outcome: 'already-settled'; status: string; caseNumber: string };

/** The person paged accepts (key 1 on the call, or an SMS reply): paging stops, the recap goes. */
export async function acknowledge(
  deps: PagingDeps,
  attemptId: string,
  via: 'key' | 'sms',
): Promise<AcknowledgeResult> {
  const { db } = deps;
  const now = deps.clock.now();
  const attempt = await db.pageAttempt.findUniqueOrThrow({
    where: { id: attemptId },
    include: { page: { include: { case: { select: { number: true } } } } },
  });
  const { page } = attempt;
  const settled = await db.page.updateMany({
    where: { id: page.id, status: { in: [...OPEN_PAGE_STATUSES] } },
    data: { status: 'ACKNOWLEDGED', acknowledgedAt: now },
  });
  if (settled.count === 0) {
    const current = await db.page.findUniqueOrThrow({ where: { id: page.id }, select: { status: true } });
    return { outcome: 'already-settled', status: current.status, caseNumber: String(page.case.number) };
  }
  // A late acceptance (after the attempt timed out) still counts: the person took the case.
  await db.pageAttempt.update({ where: { id: attemptId }, data: { outcome: 'ACCEPTED', endedAt: now } });
  const attempts = await db.pageAttempt.findMany({ where: { pageId: page.id }, select: { number: true } });
  const last = Math.max(attempt.number, ...attempts.map((a) => a.number));
  for (let n = 1; n <= last + 1; n++) {
    await cancelJob(deps, ackTimeoutJobId(page.id, n));
    if (n > last) await cancelJob(deps, attemptJobId(page.id, n));
  }
  await recordOnTimeline(db, deps.events, {
    caseId: page.caseId,
    agencyId: page.agencyId,
    type: 'page.acknowledged',
    at: now,
    data: { attempt: attempt.number, target: attempt.target, via },
  });
  const details = await sendRecap(deps, page.caseId);
  return {
    outcome: 'accepted',
    details,
  };
}
