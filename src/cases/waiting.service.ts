import {
  type Actor,
  type CaseActionDeps,
  type CaseActionResult,
  judgementIn,
  openCase,
} from './case-actions.service.js';
import { recordOnTimeline } from './timeline.js';

// [CS-3] A request waiting for a third party's agreement or authorisation (an owner, a
// co-ownership, another department) is exempt from its response deadline while it waits: the
// clock pauses, the case says why, and the deadline moves on by the time waited when it resumes.
// Supervision leaves a waiting case out of the overdue and due-soon counts.

export async function startWaiting(
  deps: CaseActionDeps,
  caseId: string,
  reason: string,
  actor: Actor,
): Promise<CaseActionResult<{ waitingSince: Date }>> {
  const judged = judgementIn(reason);
  if (judged) return judged;
  const { kase, error } = await openCase(deps.db, caseId, actor);
  if (error) return error;
  const at = deps.now();
  // Only a case not waiting yet: pausing twice would lose the first pause's start.
  const paused = await deps.db.case.updateMany({
    where: { id: caseId, waitingSince: null },
    data: { waitingSince: at, waitingFor: reason },
  });
  if (paused.count === 0)
    return {
      ok: false,
      code: 'waiting',
      message: `case ${kase.number} is already waiting for a third party`,
    };
  await recordOnTimeline(deps.db, deps.events, {
    caseId,
    agencyId: kase.agencyId,
    type: 'case.waiting',
    at,
    data: { reason, by: actor.displayName },
  });
  return { ok: true, value: { waitingSince: at } };
}

export async function stopWaiting(
  deps: CaseActionDeps,
  caseId: string,
  actor: Actor,
): Promise<CaseActionResult<{ dueAt: Date | null }>> {
  const { kase: current, error } = await openCase(deps.db, caseId, actor);
  if (error) return error;
  if (!current.waitingSince)
    return { ok: false, code: 'waiting', message: `case ${current.number} is not waiting for a third party` };
  const at = deps.now();
  const waitedMs = Math.max(0, at.getTime() - current.waitingSince.getTime());
  const dueAt = current.dueAt ? new Date(current.dueAt.getTime() + waitedMs) : null;
  const resumed = await deps.db.case.updateMany({
    where: { id: caseId, waitingSince: current.waitingSince },
    data: {
      waitingSince: null,
      waitingFor: null,
      dueAt,
      waitedSeconds: { increment: Math.round(waitedMs / 1000) },
    },
  });
  if (resumed.count === 0)
    return { ok: false, code: 'waiting', message: `case ${current.number} is not waiting for a third party` };
  await recordOnTimeline(deps.db, deps.events, {
    caseId,
    agencyId: current.agencyId,
    type: 'case.resumed',
    at,
    data: {
      waitedMinutes: Math.round(waitedMs / 60_000),
      dueAt: dueAt?.toISOString() ?? null,
      by: actor.displayName,
    },
  });
  return { ok: true, value: { dueAt } };
}
