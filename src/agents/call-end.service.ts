import { publishSkills } from './agent-skills.js';
import { changeState, WRAP_UP } from './agent-state.store.js';
import type { AgentStateName } from './agents.schemas.js';
import { finishCall, overdueWrapUps } from './call-queue.js';
import { agentSelect, type DistributionDeps, tellAgent, tellOfferEnded } from './distribution.deps.js';
import { expireOffers } from './offers.service.js';
import { offerCalls } from './queueing.service.js';

// The call's end and the wrap-up after it; the sweep every second that backs every step up.

/**
 * The caller's call ended (hung up) or left the queue for the voicemail. Waiting or offered, it
 * counts as abandoned (or left) and the agent offered it is free again; with an agent, the agent
 * goes to wrap-up. Safe to call more than once: the second call finds nothing.
 */
export async function callEnded(
  deps: DistributionDeps,
  callSid: string,
  how: 'hung-up' | 'left',
): Promise<void> {
  const now = deps.now();
  const wrapUpEndsAt = new Date(now.getTime() + deps.settings.wrapUpSeconds * 1000);
  const done = await finishCall(deps.redis, callSid, now, wrapUpEndsAt, how === 'hung-up');
  if (!done) return;
  if (done.place === 'connected') {
    await deps.db.queuedCall.updateMany({ where: { callSid, endedAt: null }, data: { endedAt: now } });
    if (done.agentId) await tellAgent(deps, done.agentId, 'WRAP_UP', now);
    return;
  }
  await deps.db.queuedCall.updateMany({
    where: { callSid, endedAt: null },
    data: { endedAt: now, outcome: how === 'left' ? 'LEFT' : 'ABANDONED' },
  });
  if (done.agentId) {
    await tellAgent(deps, done.agentId, 'AVAILABLE', now);
    if (done.offerId) await tellOfferEnded(deps, done.agentId, done.offerId, 'caller-left');
    await offerCalls(deps);
  }
}

/** Wrap-ups past their end: the agents are available again, and offered the next call. */
export async function endWrapUps(deps: DistributionDeps): Promise<number> {
  const now = deps.now();
  let ended = 0;
  for (const agentId of await overdueWrapUps(deps.redis, now)) {
    const agent = await deps.db.user.findUnique({ where: { id: agentId }, select: agentSelect });
    if (agent && (await changeState(deps, agent, 'AVAILABLE', null, { expected: 'WRAP_UP' }))) {
      ended++;
      await wrapUpDone(deps, agentId, now);
    } else await deps.redis.zRem(WRAP_UP, agentId);
  }
  if (ended > 0) await offerCalls(deps);
  return ended;
}

/** Called when an agent chose a state: the end of a wrap-up is recorded, availability offers. */
export async function agentChoseState(
  deps: DistributionDeps,
  agentId: string,
  from: AgentStateName,
  to: AgentStateName,
): Promise<void> {
  if (from === 'WRAP_UP') await wrapUpDone(deps, agentId, deps.now());
  if (to === 'AVAILABLE') {
    await publishSkills(deps.db, deps.redis, agentId);
    await offerCalls(deps);
  }
}

export async function wrapUpDone(deps: DistributionDeps, agentId: string, at: Date): Promise<void> {
  await deps.db.queuedCall.updateMany({
    where: { agentId, answeredAt: { not: null }, endedAt: { not: null }, wrapUpEndedAt: null },
    data: { wrapUpEndedAt: at },
  });
}

/** What the service does every second: expired offers, ended wrap-ups, and any call left waiting. */
export async function distributionSweep(
  deps: DistributionDeps,
): Promise<{ expired: number; wrapUpsEnded: number; offered: number }> {
  const expired = await expireOffers(deps);
  const wrapUpsEnded = await endWrapUps(deps);
  return { expired, wrapUpsEnded, offered: await offerCalls(deps) };
}
