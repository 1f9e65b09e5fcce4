import { SUPERVISORS } from '../platform/auth/principal.js';
import { changeState, recordChange, stateKey } from './agent-state.store.js';
import { CONSOLE_CLOSED } from './agent-states.js';
import { CallGone } from './call-control.js';
import {
  acceptOffer,
  callOfOffer,
  finishCall,
  OFFER_DEADLINES,
  overdueOffers,
  placeOf,
  releaseOffer,
} from './call-queue.js';
import {
  type Agent,
  callbackUrl,
  connectUrl,
  type DistributionDeps,
  NOT_ANSWERING,
  tellAgent,
  tellOfferEnded,
} from './distribution.deps.js';
import type { AcceptedCall } from './distribution.schemas.js';
import { putBack } from './in-call.service.js';
import { offerCalls } from './queueing.service.js';

// An offer's end: the agent accepts (the caller is brought to them, or called back), declines,
// lets it ring past its deadline, or closes their console; each is one atomic step in Redis.

/** The agent takes the call offered: null when the offer is not theirs or no longer stands. */
export async function acceptCall(
  deps: DistributionDeps,
  offerId: string,
  agent: Agent,
): Promise<AcceptedCall | null> {
  const now = deps.now();
  if (!(await acceptOffer(deps.redis, offerId, agent.id, now))) return null;
  const callSid = callOfOffer(offerId);
  await recordChange(deps, agent, { state: 'ON_CALL', reason: null, since: now.toISOString() });
  await deps.db.queuedCall.updateMany({
    where: { callSid },
    data: { answeredAt: now, agentId: agent.id, outcome: 'ANSWERED' },
  });
  const { agentPhone } = await deps.db.user.findUniqueOrThrow({
    where: { id: agent.id },
    select: { agentPhone: true },
  });
  const place = await placeOf(deps.redis, callSid);
  try {
    // A caller waiting on the line is moved to the agent; one who asked for a callback is called.
    if (place?.callback)
      await deps.control.callBack({
        to: place.callback,
        from: deps.callerIdFor(place.line),
        url: callbackUrl(deps, 'answered', offerId),
        statusCallbackUrl: callbackUrl(deps, 'status', offerId),
      });
    else await deps.control.redirect(callSid, connectUrl(deps, offerId));
  } catch (err) {
    if (err instanceof CallGone) {
      // The caller hung up as the agent accepted: abandoned, and the agent free again at once.
      await finishCall(deps.redis, callSid, now, now);
      await deps.db.queuedCall.updateMany({
        where: { callSid },
        data: { answeredAt: null, agentId: null, outcome: 'ABANDONED', endedAt: now },
      });
      await changeState(deps, agent, 'AVAILABLE', null, { expected: 'WRAP_UP' });
      await offerCalls(deps);
      return null;
    }
    // The caller is still in the hold music: back in their place, for the next agent.
    deps.logger.error({ err, callSid }, 'could not bring the caller to the agent: queued again');
    await putBack(deps, callSid, agent, { state: 'AVAILABLE', reason: null });
    return null;
  }
  // For supervision's figures.
  await deps.events.publish({
    type: 'call.answered',
    roles: [...SUPERVISORS],
    data: { callSid, offerId, agentId: agent.id, displayName: agent.displayName, at: now.toISOString() },
  });
  return { callSid, offerId, connectTo: agentPhone ? 'phone' : 'softphone' };
}

/** The agent turns the offer down: it goes to the next agent, and they are available again. */
export async function declineCall(deps: DistributionDeps, offerId: string, agent: Agent): Promise<boolean> {
  const now = deps.now();
  const released = await releaseOffer(
    deps.redis,
    offerId,
    { state: 'AVAILABLE', reason: null },
    now,
    agent.id,
  );
  if (!released) return false;
  await recordChange(deps, agent, { state: 'AVAILABLE', reason: null, since: now.toISOString() });
  await tellOfferEnded(deps, agent.id, offerId, 'declined');
  await offerCalls(deps);
  return true;
}

/**
 * The agent's last console closed while a call was offered to them: the call goes to the next
 * agent at once, and the agent on a break until they come back (a closed console answers nothing).
 */
export async function consoleClosed(
  deps: DistributionDeps,
  agentId: string,
  othersOpen: () => Promise<boolean>,
): Promise<void> {
  const offerId = await deps.redis.hGet(stateKey(agentId), 'offerId');
  // Most consoles close with no call ringing; another tab of the agent's keeps it ringing there.
  if (!offerId || (await othersOpenOrUnknown(deps, agentId, othersOpen))) return;
  const now = deps.now();
  const released = await releaseOffer(
    deps.redis,
    offerId,
    { state: 'BREAK', reason: CONSOLE_CLOSED },
    now,
    agentId,
  );
  if (!released) return;
  await tellAgent(deps, agentId, 'BREAK', now, CONSOLE_CLOSED);
  await offerCalls(deps);
}

/**
 * Whether another console of the agent is open, asked of every api process. Socket.IO counts the
 * processes first (every server subscribed on the Redis instance), then waits for each answer:
 * one that stops or restarts between being counted and answering, or is stalled, makes the
 * question fail. That used to end the hook, leaving the call ringing on a closed console until
 * the offer's deadline (and the agent on a break "not answering"): a console that no process
 * vouches for counts as closed.
 */
async function othersOpenOrUnknown(
  deps: DistributionDeps,
  agentId: string,
  othersOpen: () => Promise<boolean>,
): Promise<boolean> {
  try {
    return await othersOpen();
  } catch (err) {
    deps.logger.warn(
      { err, agentId },
      'no answer on whether the agent has another console open: the offer goes on',
    );
    return false;
  }
}

/** Offers past their deadline go to the next agent; the agent who let it ring goes on a break. */
export async function expireOffers(deps: DistributionDeps): Promise<number> {
  const now = deps.now();
  let expired = 0;
  for (const offerId of await overdueOffers(deps.redis, now)) {
    const agentId = await releaseOffer(deps.redis, offerId, { state: 'BREAK', reason: NOT_ANSWERING }, now);
    if (!agentId) {
      await deps.redis.zRem(OFFER_DEADLINES, offerId);
      continue;
    }
    expired++;
    await tellAgent(deps, agentId, 'BREAK', now, NOT_ANSWERING);
    await tellOfferEnded(deps, agentId, offerId, 'expired');
  }
  if (expired > 0) await offerCalls(deps);
  return expired;
}
