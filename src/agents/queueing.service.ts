import type { Locale } from '../generated/prisma/enums.js';
import type { ScreenPop } from '../ivr/ivr.schemas.js';
import { callNeeds } from './agent-skills.js';
import { ACTIVE, recordChange } from './agent-state.store.js';
import {
  callOfOffer,
  enqueueCall,
  keepForCallback,
  offerWaitingCalls,
  placeOf,
  positionOf,
} from './call-queue.js';
import { agentSelect, type DistributionDeps, OPEN_CASE } from './distribution.deps.js';
import { acceptCall } from './offers.service.js';

// Each call queued for the agents goes to exactly one available agent with its skills, the
// longest idle first; the screen pop rings on that agent's console only. Accepted, the caller is
// moved out of the hold music to the agent (a <Dial> to the softphone or the agent's phone);
// after the call the agent has a wrap-up to file it, then takes the next one. Every move of a
// call and its agent is one atomic step in Redis (call-queue.ts); PostgreSQL keeps the record
// (queued_calls, agent_state_changes) for the figures. Here: queueing, waiting and offering; then
// offers.service.ts (the offer's end), in-call.service.ts, call-end.service.ts (and the wrap-up).

/** A call reaching the agents: queued (once, whatever Twilio retries), then offered if it can be. */
export async function queueCall(
  deps: DistributionDeps,
  call: { callSid: string; line: string; locale: Locale; customerIds: string[]; pop: ScreenPop },
): Promise<void> {
  const queuedAt = deps.now();
  const known = call.customerIds.length > 0;
  // Callers with an open urgent case go first.
  const urgent =
    known &&
    (await deps.db.case.count({
      where: { customerId: { in: call.customerIds }, urgency: 'URGENT', status: { in: [...OPEN_CASE] } },
    })) > 0;
  // One identified customer: their agency's agents (or agents of every agency) take the call.
  const contract =
    call.customerIds.length === 1
      ? await deps.db.contract.findFirst({
          where: { customerId: call.customerIds[0] },
          select: { agencyId: true },
          orderBy: { createdAt: 'asc' },
        })
      : null;
  // The record first: once in Redis, any process may offer the call and count the offer on it.
  await deps.db.queuedCall.createMany({
    data: [{ callSid: call.callSid, line: call.line, queuedAt, urgent }],
    skipDuplicates: true,
  });
  const added = await enqueueCall(deps.redis, {
    callSid: call.callSid,
    line: call.line,
    needs: callNeeds({ line: call.line, locale: call.locale, agencyId: contract?.agencyId ?? null }),
    pop: JSON.stringify(call.pop),
    queuedAt,
    urgent,
  });
  if (!added) return;
  await offerCalls(deps);
}

/** Offers the waiting calls to the free agents who take them; rings each agent's console. */
export async function offerCalls(deps: DistributionDeps): Promise<number> {
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + deps.settings.offerTimeoutSeconds * 1000);
  const offers = await offerWaitingCalls(deps.redis, now, expiresAt);
  await Promise.all(
    offers.map((offer) =>
      ringAgent(deps, offer.offerId, offer.agentId, now, expiresAt).catch((err) =>
        // The offer stands in Redis: the agent may still accept it, or it expires to the next.
        deps.logger.error({ err, offerId: offer.offerId }, 'offer not told to the agent'),
      ),
    ),
  );
  return offers.length;
}

export async function ringAgent(
  deps: DistributionDeps,
  offerId: string,
  agentId: string,
  now: Date,
  expiresAt: Date,
): Promise<void> {
  const callSid = callOfOffer(offerId);
  const [agent, place] = await Promise.all([
    deps.db.user.findUniqueOrThrow({ where: { id: agentId }, select: agentSelect }),
    placeOf(deps.redis, callSid),
  ]);
  const pop = JSON.parse(place?.pop ?? '{}') as ScreenPop;
  // The console rings first; the records it does not need follow (bench/README.md, distribution).
  await deps.events.publish({
    type: 'call.screen-pop',
    userId: agent.id,
    data: {
      ...pop,
      ...(place?.callback ? { callback: true, callerNumber: place.callback } : {}),
      ...(place?.transferredBy ? { transferredBy: place.transferredBy } : {}),
      reason: 'offered',
      at: now.toISOString(),
      offer: { offerId, expiresAt: expiresAt.toISOString(), autoAccept: agent.autoAccept },
    },
  });
  await Promise.all([
    recordChange(deps, agent, { state: 'OFFERED', reason: null, since: now.toISOString() }),
    deps.db.queuedCall.updateMany({ where: { callSid }, data: { offers: { increment: 1 } } }),
  ]);
  if (agent.autoAccept) await acceptCall(deps, offerId, agent);
}

/**
 * The caller asks to be called back rather than wait on the line: their place is kept, and the
 * agent who takes it calls them. False when the call is no longer waiting.
 */
export async function keepPlaceForCallback(
  deps: DistributionDeps,
  callSid: string,
  number: string,
): Promise<boolean> {
  const keepSeconds = deps.settings.callbackKeepHours * 3600;
  if (!(await keepForCallback(deps.redis, callSid, number, keepSeconds))) return false;
  await deps.db.queuedCall.updateMany({ where: { callSid }, data: { callback: true } });
  return true;
}

/**
 * The caller's place in the queue and the estimated wait: the calls ahead (and theirs) shared
 * among the agents at work (not offline), at the estimated handle time each.
 */
export async function waitingPlace(
  deps: DistributionDeps,
  callSid: string,
): Promise<{ position: number; minutes: number } | null> {
  const [position, atWork] = await Promise.all([positionOf(deps.redis, callSid), deps.redis.sCard(ACTIVE)]);
  if (position === null) return null;
  const seconds = (position * deps.settings.estimatedHandleSeconds) / Math.max(1, atWork);
  // Under a minute is said as such; beyond, whole minutes, never "1 minutes".
  return { position, minutes: seconds < 60 ? 0 : Math.max(2, Math.round(seconds / 60)) };
}
