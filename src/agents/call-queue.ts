import type { Redis } from '../platform/redis.js';
import { redisScript } from '../platform/redis-script.js';
import { AVAILABLE, WRAP_UP } from './agent-state.store.js';

// The calls waiting for an agent, in Redis, shared by every api and worker process. Every move
// of a call and of the agent it is offered to happens in one Lua script, so that two processes
// can never offer one call twice, give one agent two calls, or let two agents take one call.
//
//   calls:waiting          sorted set of the waiting calls: urgent first, then by arrival
//   calls:offer-deadlines  sorted set of the offers by their deadline (ms)
//   queued-call:<sid>      hash: line, needs (skills), pop (JSON), score, queuedAt (ms), state
//                          (waiting | offered | connected), offers, offerId, agentId, and
//                          callback (the number to call back) once the caller asked for it,
//                          held while the agent has the caller on hold, for/forUntil (ms) while
//                          a transfer to one agent holds the call for them, transferredBy
//
// An offer is "<callSid>.<n>", the n-th offer of the call: an answer to an older offer of the
// same call is recognised as such. Keys the scripts reach beyond KEYS (agent:<id>) rule out
// Redis Cluster, which the service does not use.

export const WAITING = 'calls:waiting';
export const OFFER_DEADLINES = 'calls:offer-deadlines';
export const queuedCallKey = (callSid: string) => `queued-call:${callSid}`;
export const callOfOffer = (offerId: string) => offerId.slice(0, offerId.lastIndexOf('.'));

/** Urgent calls sort before every other (their score is pushed back by this). */
const URGENT_HEAD_START_MS = 10 ** 13;
/** A call not answered within this is gone from Redis on its own (a lost hang-up). */
const CALL_TTL_SECONDS = 4 * 3600;

export type CallPlace = 'waiting' | 'offered' | 'connected';

export interface QueuedCallEntry {
  callSid: string;
  line: string;
  needs: string;
  pop: string;
  queuedAt: Date;
  urgent: boolean;
}

const ENQUEUE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'line', ARGV[2], 'needs', ARGV[3], 'pop', ARGV[4], 'score', ARGV[5],
  'state', 'waiting', 'offers', 0, 'queuedAt', ARGV[7])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return 1`;

/** Queues a call (once: a replayed webhook queues nothing). False when it was queued already. */
export async function enqueueCall(redis: Redis, call: QueuedCallEntry): Promise<boolean> {
  const score = call.queuedAt.getTime() - (call.urgent ? URGENT_HEAD_START_MS : 0);
  const added = await redisScript(redis, ENQUEUE)(
    [queuedCallKey(call.callSid), WAITING],
    [
      call.callSid,
      call.line,
      call.needs,
      call.pop,
      String(score),
      String(CALL_TTL_SECONDS),
      String(call.queuedAt.getTime()),
    ],
  );
  return added === 1;
}

// Pairs waiting calls (best first) with available agents (longest idle first) who have the
// skills, reserving both: the call is offered, the agent OFFERED, the deadline set.
const OFFER = `
local function takes(skills, needs)
  for need in string.gmatch(needs, '%S+') do
    local kind = string.match(need, '^([^:]+):')
    if not string.find(skills, ' ' .. need .. ' ', 1, true)
      and not string.find(skills, ' ' .. kind .. ':* ', 1, true) then return false end
  end
  return true
end
local agents = redis.call('ZRANGE', KEYS[2], 0, -1)
local offered = {}
if #agents == 0 then return offered end
local skills, taken, free = {}, {}, #agents
for _, agent in ipairs(agents) do skills[agent] = redis.call('GET', 'agent:skills:' .. agent) or '' end
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)) do
  local call = 'queued-call:' .. sid
  if redis.call('HGET', call, 'state') == 'waiting' then
    local needs = redis.call('HGET', call, 'needs') or ''
    -- Transferred to one agent: for them only, until the transfer's time is up.
    local target = redis.call('HGET', call, 'for')
    if target and tonumber(redis.call('HGET', call, 'forUntil') or '0') < tonumber(ARGV[4]) then
      redis.call('HDEL', call, 'for', 'forUntil')
      target = false
    end
    for _, agent in ipairs(agents) do
      if not taken[agent] and ((target and agent == target) or (not target and takes(skills[agent], needs))) then
        taken[agent] = true
        free = free - 1
        local offerId = sid .. '.' .. redis.call('HINCRBY', call, 'offers', 1)
        redis.call('HSET', call, 'state', 'offered', 'offerId', offerId, 'agentId', agent)
        redis.call('ZREM', KEYS[2], agent)
        redis.call('HSET', 'agent:' .. agent, 'state', 'OFFERED', 'reason', '', 'since', ARGV[1],
          'offerId', offerId, 'callSid', sid)
        redis.call('ZADD', KEYS[3], ARGV[2], offerId)
        table.insert(offered, offerId)
        table.insert(offered, agent)
        break
      end
    end
    if free == 0 then break end
  end
end
return offered`;

/** How many waiting calls one pass looks at: beyond, no agent would be free for them anyway. */
const SCAN_CALLS = 500;

export async function offerWaitingCalls(
  redis: Redis,
  now: Date,
  deadline: Date,
): Promise<Array<{ offerId: string; agentId: string }>> {
  const flat = (await redisScript(redis, OFFER)(
    [WAITING, AVAILABLE, OFFER_DEADLINES],
    [now.toISOString(), String(deadline.getTime()), String(SCAN_CALLS), String(now.getTime())],
  )) as string[];
  const pairs: Array<{ offerId: string; agentId: string }> = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push({ offerId: flat[i]!, agentId: flat[i + 1]! });
  return pairs;
}

const ACCEPT = `
local call = KEYS[1]
if redis.call('HGET', call, 'offerId') ~= ARGV[1] or redis.call('HGET', call, 'state') ~= 'offered'
  or redis.call('HGET', call, 'agentId') ~= ARGV[2] then return 0 end
redis.call('HSET', call, 'state', 'connected')
redis.call('HDEL', call, 'for', 'forUntil')
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HSET', 'agent:' .. ARGV[2], 'state', 'ON_CALL', 'reason', '', 'since', ARGV[4])
return 1`;

/** The agent takes the offer: false when it is not theirs, expired, withdrawn or taken already. */
export async function acceptOffer(
  redis: Redis,
  offerId: string,
  agentId: string,
  now: Date,
): Promise<boolean> {
  const callSid = callOfOffer(offerId);
  const accepted = await redisScript(redis, ACCEPT)(
    [queuedCallKey(callSid), WAITING, OFFER_DEADLINES],
    [offerId, agentId, callSid, now.toISOString()],
  );
  return accepted === 1;
}

// The offer ends without an answer (declined, expired, the console gone): the call waits again,
// in its place, and the agent goes to the state given.
const RELEASE = `
local call = KEYS[1]
if redis.call('HGET', call, 'offerId') ~= ARGV[1] or redis.call('HGET', call, 'state') ~= 'offered' then
  return false
end
local agent = redis.call('HGET', call, 'agentId')
if ARGV[6] ~= '' and agent ~= ARGV[6] then return false end
redis.call('HSET', call, 'state', 'waiting')
-- Unanswered, a transfer to one agent goes to anyone.
redis.call('HDEL', call, 'agentId', 'for', 'forUntil')
redis.call('ZREM', KEYS[2], ARGV[1])
local key = 'agent:' .. agent
if redis.call('HGET', key, 'offerId') == ARGV[1] and redis.call('HGET', key, 'state') == 'OFFERED' then
  redis.call('HSET', key, 'state', ARGV[2], 'reason', ARGV[3], 'since', ARGV[4])
  redis.call('HDEL', key, 'offerId', 'callSid')
  if ARGV[2] == 'AVAILABLE' then redis.call('ZADD', KEYS[3], ARGV[5], agent) end
end
return agent`;

/** Ends an offer unanswered; the agent it was offered to, or null if it had ended already. */
export async function releaseOffer(
  redis: Redis,
  offerId: string,
  agentGoesTo: { state: 'AVAILABLE' | 'BREAK'; reason: string | null },
  now: Date,
  /** Only if the offer is this agent's (an agent declining). */
  ofAgent = '',
): Promise<string | null> {
  const agent = await redisScript(redis, RELEASE)(
    [queuedCallKey(callOfOffer(offerId)), OFFER_DEADLINES, AVAILABLE],
    [offerId, agentGoesTo.state, agentGoesTo.reason ?? '', now.toISOString(), String(now.getTime()), ofAgent],
  );
  return typeof agent === 'string' ? agent : null;
}

// The call leaves the queue's hands: the caller hung up or left for the voicemail while waiting
// or offered (the agent offered it is available again), or the call with an agent ended (the
// agent goes to wrap-up).
const FINISH = `
local call = KEYS[1]
local state = redis.call('HGET', call, 'state')
if not state then return false end
-- A caller who asked to be called back hangs up, and keeps their place.
if ARGV[5] == '1' and state ~= 'connected' and redis.call('HEXISTS', call, 'callback') == 1 then return false end
local agent = redis.call('HGET', call, 'agentId') or ''
local offerId = redis.call('HGET', call, 'offerId') or ''
redis.call('ZREM', KEYS[2], ARGV[1])
if offerId ~= '' then redis.call('ZREM', KEYS[3], offerId) end
redis.call('DEL', call)
if agent == '' then return {state, '', offerId} end
local key = 'agent:' .. agent
if state == 'offered' then
  if redis.call('HGET', key, 'state') ~= 'OFFERED' or redis.call('HGET', key, 'callSid') ~= ARGV[1] then
    return {state, '', offerId}
  end
  redis.call('HSET', key, 'state', 'AVAILABLE', 'reason', '', 'since', ARGV[2])
  redis.call('HDEL', key, 'offerId', 'callSid')
  redis.call('ZADD', KEYS[4], ARGV[3], agent)
elseif state == 'connected' then
  if redis.call('HGET', key, 'state') ~= 'ON_CALL' or redis.call('HGET', key, 'callSid') ~= ARGV[1] then
    return {state, '', offerId}
  end
  redis.call('HSET', key, 'state', 'WRAP_UP', 'reason', '', 'since', ARGV[2])
  redis.call('HDEL', key, 'offerId')
  redis.call('ZADD', KEYS[5], ARGV[4], agent)
end
return {state, agent, offerId}`;

/**
 * Takes the call out of the queue. Returns where it was and the agent whose state this moved
 * (available again after an offer, in wrap-up after a call), or null if it was not queued.
 */
export async function finishCall(
  redis: Redis,
  callSid: string,
  now: Date,
  wrapUpEndsAt: Date,
  /** A hang-up: a caller waiting for their callback stays queued. */
  keepCallbacks = false,
): Promise<{ place: CallPlace; agentId: string | null; offerId: string | null } | null> {
  const result = (await redisScript(redis, FINISH)(
    [queuedCallKey(callSid), WAITING, OFFER_DEADLINES, AVAILABLE, WRAP_UP],
    [
      callSid,
      now.toISOString(),
      String(now.getTime()),
      String(wrapUpEndsAt.getTime()),
      keepCallbacks ? '1' : '0',
    ],
  )) as [CallPlace, string, string] | null;
  if (!result) return null;
  return { place: result[0], agentId: result[1] || null, offerId: result[2] || null };
}

// A call taken by an agent goes back to waiting, in its place (the agent's phone did not pick
// up, or Twilio could not move the caller): the agent goes to the state given.
const REQUEUE = `
local call = KEYS[1]
if redis.call('HGET', call, 'state') ~= 'connected' or redis.call('HGET', call, 'agentId') ~= ARGV[2] then
  return 0
end
redis.call('HSET', call, 'state', 'waiting')
redis.call('HDEL', call, 'agentId')
redis.call('ZADD', KEYS[2], redis.call('HGET', call, 'score'), ARGV[1])
local key = 'agent:' .. ARGV[2]
if redis.call('HGET', key, 'callSid') == ARGV[1] then
  redis.call('HSET', key, 'state', ARGV[3], 'reason', ARGV[4], 'since', ARGV[5])
  redis.call('HDEL', key, 'offerId', 'callSid')
  if ARGV[3] == 'AVAILABLE' then redis.call('ZADD', KEYS[3], ARGV[6], ARGV[2]) end
end
return 1`;

export async function requeueCall(
  redis: Redis,
  callSid: string,
  agentId: string,
  agentGoesTo: { state: 'AVAILABLE' | 'BREAK'; reason: string | null },
  now: Date,
): Promise<boolean> {
  const done = await redisScript(redis, REQUEUE)(
    [queuedCallKey(callSid), WAITING, AVAILABLE],
    [callSid, agentId, agentGoesTo.state, agentGoesTo.reason ?? '', now.toISOString(), String(now.getTime())],
  );
  return done === 1;
}

export interface Place {
  state: CallPlace;
  line: string;
  agentId: string | null;
  offerId: string | null;
  pop: string;
  /** The number to call back, when the caller asked for it. */
  callback: string | null;
  /** The agent has the caller on hold. */
  held: boolean;
  /** The agent who handed the call on, for the next one's pop. */
  transferredBy: string | null;
}

export async function placeOf(redis: Redis, callSid: string): Promise<Place | null> {
  const call = await redis.hGetAll(queuedCallKey(callSid));
  if (!call.state) return null;
  return {
    state: call.state as CallPlace,
    line: call.line ?? '',
    agentId: call.agentId || null,
    offerId: call.offerId || null,
    pop: call.pop ?? '{}',
    callback: call.callback || null,
    held: call.held === '1',
    transferredBy: call.transferredBy || null,
  };
}

// The caller asks to be called back: only while their call is still waiting or offered.
const KEEP_FOR_CALLBACK = `
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'waiting' and state ~= 'offered' then return 0 end
redis.call('HSET', KEYS[1], 'callback', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Keeps the call's place for `keepSeconds` (the caller is no longer on the line). */
export async function keepForCallback(
  redis: Redis,
  callSid: string,
  number: string,
  keepSeconds: number,
): Promise<boolean> {
  const kept = await redisScript(redis, KEEP_FOR_CALLBACK)(
    [queuedCallKey(callSid)],
    [number, String(keepSeconds)],
  );
  return kept === 1;
}

/** The caller's place among the waiting calls (1 = next), null when not waiting. */
export async function positionOf(redis: Redis, callSid: string): Promise<number | null> {
  const rank = await redis.zRank(WAITING, callSid);
  return rank === null ? null : rank + 1;
}

export async function overdueOffers(redis: Redis, now: Date): Promise<string[]> {
  return redis.zRangeByScore(OFFER_DEADLINES, '-inf', now.getTime());
}

export async function overdueWrapUps(redis: Redis, now: Date): Promise<string[]> {
  return redis.zRangeByScore(WRAP_UP, '-inf', now.getTime());
}

/** The calls waiting now (offered ones included), per line, and the longest wait of each. */
export async function waitingByLine(
  redis: Redis,
  now: Date,
): Promise<Array<{ line: string; waiting: number; longestWaitSeconds: number }>> {
  const sids = await redis.zRange(WAITING, 0, -1);
  const calls = await Promise.all(sids.map((sid) => redis.hmGet(queuedCallKey(sid), ['line', 'queuedAt'])));
  const lines = new Map<string, { waiting: number; oldest: number }>();
  for (const [line, queuedAt] of calls) {
    if (!line || !queuedAt) continue;
    const entry = lines.get(line) ?? { waiting: 0, oldest: Number(queuedAt) };
    entry.waiting += 1;
    entry.oldest = Math.min(entry.oldest, Number(queuedAt));
    lines.set(line, entry);
  }
  return [...lines].map(([line, { waiting, oldest }]) => ({
    line,
    waiting,
    longestWaitSeconds: Math.max(0, Math.round((now.getTime() - oldest) / 1000)),
  }));
}

// The agent puts the caller on hold or takes them back: only on their own call in progress.
const HOLD = `
if redis.call('HGET', KEYS[1], 'state') ~= 'connected' or redis.call('HGET', KEYS[1], 'agentId') ~= ARGV[1] then
  return 0
end
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'held', '1') else redis.call('HDEL', KEYS[1], 'held') end
return 1`;

export async function setHeld(
  redis: Redis,
  callSid: string,
  agentId: string,
  held: boolean,
): Promise<boolean> {
  return (await redisScript(redis, HOLD)([queuedCallKey(callSid)], [agentId, held ? '1' : '0'])) === 1;
}

// The agent hands the call on: it waits again in its place (for one agent when named, until
// forUntil), and the agent goes to wrap-up.
const TRANSFER = `
local call = KEYS[1]
if redis.call('HGET', call, 'state') ~= 'connected' or redis.call('HGET', call, 'agentId') ~= ARGV[2] then
  return 0
end
redis.call('HSET', call, 'state', 'waiting', 'transferredBy', ARGV[7])
redis.call('HDEL', call, 'agentId', 'held', 'for', 'forUntil')
redis.call('ZADD', KEYS[2], redis.call('HGET', call, 'score'), ARGV[1])
if ARGV[5] ~= '' then redis.call('HSET', call, 'for', ARGV[5], 'forUntil', ARGV[6]) end
local key = 'agent:' .. ARGV[2]
if redis.call('HGET', key, 'callSid') == ARGV[1] then
  redis.call('HSET', key, 'state', 'WRAP_UP', 'reason', '', 'since', ARGV[3])
  redis.call('HDEL', key, 'offerId')
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
end
return 1`;

export async function transferCall(
  redis: Redis,
  callSid: string,
  from: { agentId: string; displayName: string },
  to: { agentId: string; until: Date } | null,
  now: Date,
  wrapUpEndsAt: Date,
): Promise<boolean> {
  const done = await redisScript(redis, TRANSFER)(
    [queuedCallKey(callSid), WAITING, WRAP_UP],
    [
      callSid,
      from.agentId,
      now.toISOString(),
      String(wrapUpEndsAt.getTime()),
      to?.agentId ?? '',
      String(to?.until.getTime() ?? 0),
      from.displayName,
    ],
  );
  return done === 1;
}
