import { recordChange, stateKey } from './agent-state.store.js';
import { CallGone } from './call-control.js';
import { callEnded } from './call-end.service.js';
import { placeOf, requeueCall, setHeld, transferCall } from './call-queue.js';
import {
  type Agent,
  agentSelect,
  connectUrl,
  type DistributionDeps,
  holdUrl,
  NOT_ANSWERING,
  requeueUrl,
} from './distribution.deps.js';
import { offerCalls } from './queueing.service.js';

// During the call: the agent's phone not picking up, hang-up, hold, transfer.

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

export async function putBack(
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

/** The call the agent is on: its CallSid and offer, or null. */
export async function callOf(
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
