import type { Locale } from '../generated/prisma/enums.js';
import type { ScreenPop } from '../ivr/ivr.schemas.js';
import type { Logger } from '../platform/logger.js';
import type { Services } from '../services.js';
import { callNeeds, publishSkills } from './agent-skills.js';
import {
  ACTIVE,
  type AgentStateDeps,
  agentStateDeps,
  changeState,
  recordChange,
  stateKey,
  WRAP_UP,
} from './agent-state.store.js';
import { CONSOLE_CLOSED } from './agent-states.js';
import type { AgentStateName } from './agents.schemas.js';
import type { AgentsModuleSettings } from './agents.settings.js';
import { type CallControl, CallGone } from './call-control.js';
import {
  acceptOffer,
  callOfOffer,
  enqueueCall,
  finishCall,
  keepForCallback,
  OFFER_DEADLINES,
  offerWaitingCalls,
  overdueOffers,
  overdueWrapUps,
  placeOf,
  positionOf,
  releaseOffer,
  requeueCall,
  setHeld,
  transferCall,
} from './call-queue.js';
import type { AcceptedCall, OfferEnded } from './distribution.schemas.js';

// Each call queued for the agents goes to exactly one available agent with its skills, the
// longest idle first; the screen pop rings on that agent's console only. Accepted, the caller is
// moved out of the hold music to the agent (a <Dial> to the softphone or the agent's phone);
// after the call the agent has a wrap-up to file it, then takes the next one. Every move of a
// call and its agent is one atomic step in Redis (call-queue.ts); PostgreSQL keeps the record
// (queued_calls, agent_state_changes) for the figures.

export interface DistributionDeps extends AgentStateDeps {
  settings: AgentsModuleSettings['distribution'];
  control: CallControl;
  publicBaseUrl: string;
  logger: Logger;
  /** The number a callback shows: the service line's own, which the caller dialled. */
  callerIdFor(line: string): string;
}

export function distributionDeps(services: Services): DistributionDeps {
  return {
    ...agentStateDeps(services),
    settings: services.settings.distribution,
    control: services.callControl,
    publicBaseUrl: services.settings.publicBaseUrl,
    logger: services.logger,
    callerIdFor: (line) =>
      services.lines.byName(line)?.numbers[0] ?? services.settings.twilio.fromNumber ?? '+33970000000',
  };
}

/** Why an agent is moved to a break by the service rather than by their own choice. */
export const NOT_ANSWERING = 'sans réponse';

const OPEN_CASE = ['OPEN', 'IN_PROGRESS', 'WAITING'] as const;
const agentSelect = {
  id: true,
  displayName: true,
  agencyId: true,
  autoAccept: true,
  agentPhone: true,
} as const;

export const connectUrl = (deps: DistributionDeps, offerId: string) =>
  `${deps.publicBaseUrl}/twilio/voice/connect?offer=${encodeURIComponent(offerId)}`;
const holdUrl = (deps: DistributionDeps, offerId: string) =>
  `${deps.publicBaseUrl}/twilio/voice/hold?offer=${encodeURIComponent(offerId)}`;
const requeueUrl = (deps: DistributionDeps) => `${deps.publicBaseUrl}/twilio/voice/requeue`;
const callbackUrl = (deps: DistributionDeps, what: 'answered' | 'status', offerId: string) =>
  `${deps.publicBaseUrl}/twilio/voice/callback-${what}?offer=${encodeURIComponent(offerId)}`;

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
  const added = await enqueueCall(deps.redis, {
    callSid: call.callSid,
    line: call.line,
    needs: callNeeds({ line: call.line, locale: call.locale, agencyId: contract?.agencyId ?? null }),
    pop: JSON.stringify(call.pop),
    queuedAt,
    urgent,
  });
  if (!added) return;
  await deps.db.queuedCall.createMany({
    data: [{ callSid: call.callSid, line: call.line, queuedAt, urgent }],
    skipDuplicates: true,
  });
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

async function ringAgent(
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
  await recordChange(deps, agent, { state: 'OFFERED', reason: null, since: now.toISOString() });
  await deps.db.queuedCall.updateMany({ where: { callSid }, data: { offers: { increment: 1 } } });
  const pop = JSON.parse(place?.pop ?? '{}') as ScreenPop;
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
  if (agent.autoAccept) await acceptCall(deps, offerId, agent);
}

type Agent = { id: string; displayName: string; agencyId: string | null };

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
  await deps.events.publish({
    type: 'call.answered',
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
export async function consoleClosed(deps: DistributionDeps, agentId: string): Promise<void> {
  const offerId = await deps.redis.hGet(stateKey(agentId), 'offerId');
  if (!offerId) return;
  const now = deps.now();
  const released = await releaseOffer(
    deps.redis,
    offerId,
    { state: 'BREAK', reason: CONSOLE_CLOSED },
    now,
    agentId,
  );
  if (!released) return;
  const agent = await deps.db.user.findUnique({ where: { id: agentId }, select: agentSelect });
  if (agent)
    await recordChange(deps, agent, { state: 'BREAK', reason: CONSOLE_CLOSED, since: now.toISOString() });
  await offerCalls(deps);
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
    const agent = await deps.db.user.findUnique({ where: { id: agentId }, select: agentSelect });
    if (agent)
      await recordChange(deps, agent, { state: 'BREAK', reason: NOT_ANSWERING, since: now.toISOString() });
    await tellOfferEnded(deps, agentId, offerId, 'expired');
  }
  if (expired > 0) await offerCalls(deps);
  return expired;
}

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

/**
 * The agent's softphone or phone did not pick up the call they accepted: the caller waits again
 * in their place, and the agent goes on a break until they say they are back.
 */
export async function agentDidNotPickUp(deps: DistributionDeps, callSid: string): Promise<boolean> {
  const place = await placeOf(deps.redis, callSid);
  if (place?.state !== 'connected' || !place.agentId) return false;
  const agent = await deps.db.user.findUnique({ where: { id: place.agentId }, select: agentSelect });
  if (!agent) return false;
  await putBack(deps, callSid, agent, { state: 'BREAK', reason: NOT_ANSWERING });
  await offerCalls(deps);
  return true;
}

async function putBack(
  deps: DistributionDeps,
  callSid: string,
  agent: Agent,
  agentGoesTo: { state: 'AVAILABLE' | 'BREAK'; reason: string | null },
): Promise<void> {
  const now = deps.now();
  if (!(await requeueCall(deps.redis, callSid, agent.id, agentGoesTo, now))) return;
  await deps.db.queuedCall.updateMany({
    where: { callSid },
    data: { answeredAt: null, agentId: null, outcome: null },
  });
  await recordChange(deps, agent, { ...agentGoesTo, since: now.toISOString() });
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

async function wrapUpDone(deps: DistributionDeps, agentId: string, at: Date): Promise<void> {
  await deps.db.queuedCall.updateMany({
    where: { agentId, answeredAt: { not: null }, endedAt: { not: null }, wrapUpEndedAt: null },
    data: { wrapUpEndedAt: at },
  });
}

/** The agent hangs up: the caller's call ends, and the agent goes to wrap-up. */
export async function hangUpCall(deps: DistributionDeps, agentId: string): Promise<string | null> {
  const live = await deps.redis.hGetAll(stateKey(agentId));
  if (live.state !== 'ON_CALL' || !live.callSid) return null;
  try {
    await deps.control.hangUp(live.callSid);
  } catch (err) {
    if (!(err instanceof CallGone)) throw err;
  }
  await callEnded(deps, live.callSid, 'hung-up');
  return live.callSid;
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
  if (!(await keepForCallback(deps.redis, callSid, number))) return false;
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

/** The call the agent is on: its CallSid and offer, or null. */
async function callOf(
  deps: DistributionDeps,
  agentId: string,
): Promise<{ callSid: string; offerId: string } | null> {
  const live = await deps.redis.hGetAll(stateKey(agentId));
  if (live.state !== 'ON_CALL' || !live.callSid) return null;
  const place = await placeOf(deps.redis, live.callSid);
  if (place?.state !== 'connected' || place.agentId !== agentId || !place.offerId) return null;
  return { callSid: live.callSid, offerId: place.offerId };
}

/**
 * The agent puts the caller on hold (the caller leaves the bridge for a hold queue of their own:
 * hold messages, the agent's phone or softphone hangs up) or takes them back (the agent is rung
 * again). Null when the agent is on no call.
 */
export async function holdCall(
  deps: DistributionDeps,
  agentId: string,
  on: boolean,
): Promise<{ callSid: string; held: boolean } | null> {
  const call = await callOf(deps, agentId);
  if (!call || !(await setHeld(deps.redis, call.callSid, agentId, on))) return null;
  try {
    await deps.control.redirect(
      call.callSid,
      on ? holdUrl(deps, call.offerId) : connectUrl(deps, call.offerId),
    );
  } catch (err) {
    await setHeld(deps.redis, call.callSid, agentId, !on);
    if (!(err instanceof CallGone)) throw err;
    await callEnded(deps, call.callSid, 'hung-up');
    return null;
  }
  return { callSid: call.callSid, held: on };
}

/**
 * The agent hands the call on: back to the queue in its place (anyone takes it), or to a named
 * colleague who is available (theirs for one offer's time, then anyone's). The caller hears the
 * hold prompt again; the agent goes to wrap-up. Null when the agent is on no call.
 */
export async function transferCurrentCall(
  deps: DistributionDeps,
  agent: Agent,
  to: { agentId: string } | null,
): Promise<{ callSid: string } | null> {
  const call = await callOf(deps, agent.id);
  if (!call) return null;
  const now = deps.now();
  const offerTime = deps.settings.offerTimeoutSeconds * 1000;
  const wrapUpEndsAt = new Date(now.getTime() + deps.settings.wrapUpSeconds * 1000);
  const target = to ? { agentId: to.agentId, until: new Date(now.getTime() + offerTime) } : null;
  if (
    !(await transferCall(
      deps.redis,
      call.callSid,
      { agentId: agent.id, displayName: agent.displayName },
      target,
      now,
      wrapUpEndsAt,
    ))
  )
    return null;
  await recordChange(deps, agent, { state: 'WRAP_UP', reason: null, since: now.toISOString() });
  await deps.db.queuedCall.updateMany({
    where: { callSid: call.callSid },
    data: { answeredAt: null, agentId: null, outcome: null },
  });
  try {
    await deps.control.redirect(call.callSid, requeueUrl(deps));
  } catch (err) {
    if (!(err instanceof CallGone)) throw err;
    await callEnded(deps, call.callSid, 'hung-up');
    return { callSid: call.callSid };
  }
  await offerCalls(deps);
  return { callSid: call.callSid };
}

/** What the service does every second: expired offers, ended wrap-ups, and any call left waiting. */
export async function distributionSweep(
  deps: DistributionDeps,
): Promise<{ expired: number; wrapUpsEnded: number; offered: number }> {
  const expired = await expireOffers(deps);
  const wrapUpsEnded = await endWrapUps(deps);
  return { expired, wrapUpsEnded, offered: await offerCalls(deps) };
}

async function tellAgent(deps: DistributionDeps, agentId: string, state: AgentStateName, now: Date) {
  const agent = await deps.db.user.findUnique({ where: { id: agentId }, select: agentSelect });
  if (agent) await recordChange(deps, agent, { state, reason: null, since: now.toISOString() });
}

async function tellOfferEnded(
  deps: DistributionDeps,
  agentId: string,
  offerId: string,
  reason: OfferEnded['reason'],
): Promise<void> {
  const data: OfferEnded = { offerId, callSid: callOfOffer(offerId), reason };
  await deps.events.publish({ type: 'call.offer-ended', userId: agentId, data: { ...data } });
}
