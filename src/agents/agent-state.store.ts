import { SUPERVISORS } from '../platform/auth/principal.js';
import type { Db } from '../platform/db/client.js';
import type { Redis } from '../platform/redis.js';
import { redisScript } from '../platform/redis-script.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { Services } from '../services.js';
import type { AgentStateName, AgentStatus } from './agents.schemas.js';

// An agent's live state is in Redis, shared by every api and worker process; every change is
// also a row in PostgreSQL (agent_state_changes), for the day's figures and the audit, and the
// state read back from there when Redis has lost it.
//
//   agent:<userId>      hash: state, reason, since (ISO); offerId and callSid while a call has them
//   agents:available    sorted set of available agents by since (ms): the longest idle first
//   agents:active       set of agents not offline: the ones whose consoles are watched
//   agents:wrap-up      sorted set of agents in wrap-up by its end (ms)
//   agent:seen:<userId> refreshed by the api processes while a console of the agent is connected
//   agent:skills:<id>   what calls the agent takes (agent-skills.ts), read by the distribution
//
// The calls move agents between states in Lua scripts (src/agents/call-queue.ts), so that
// a state and the call it belongs to change together.

export interface AgentStateDeps {
  db: Db;
  redis: Redis;
  events: EventBus;
  now(): Date;
}

export function agentStateDeps(services: Services): AgentStateDeps {
  return { db: services.db, redis: services.redis, events: services.events, now: () => services.clock.now() };
}

export const stateKey = (userId: string) => `agent:${userId}`;
export const seenKey = (userId: string) => `agent:seen:${userId}`;
export const AVAILABLE = 'agents:available';
export const ACTIVE = 'agents:active';
export const WRAP_UP = 'agents:wrap-up';

type Live = Omit<AgentStatus, 'userId' | 'displayName'>;

/** The agent's state now: Redis, else the last recorded change, else offline since ever. */
export async function currentState(deps: AgentStateDeps, userId: string): Promise<Live> {
  const live = await deps.redis.hGetAll(stateKey(userId));
  if (live.state && live.since)
    return { state: live.state as AgentStateName, reason: live.reason || null, since: live.since };
  const last = await deps.db.agentStateChange.findFirst({
    where: { userId },
    orderBy: { id: 'desc' },
    select: { state: true, reason: true, at: true },
  });
  if (!last) return { state: 'OFFLINE', reason: null, since: new Date(0).toISOString() };
  const restored = { state: last.state, reason: last.reason, since: last.at.toISOString() };
  await writeLive(deps.redis, userId, restored);
  return restored;
}

type Agent = { id: string; displayName: string; agencyId: string | null };

/**
 * Records a change and makes it the live state; tells supervision and the agent's consoles.
 * With `expected`, only if the agent is still in that state (null otherwise): a call may have
 * moved them since they were read.
 */
export async function changeState(
  deps: AgentStateDeps,
  user: Agent,
  state: AgentStateName,
  reason: string | null,
  options: { expected?: AgentStateName; wrapUpEndsAt?: Date } = {},
): Promise<AgentStatus | null> {
  const live = { state, reason, since: deps.now().toISOString() };
  if (!(await writeLive(deps.redis, user.id, live, options))) return null;
  return recordChange(deps, user, live);
}

/** Records in PostgreSQL and tells the consoles a state already made live. */
export async function recordChange(deps: AgentStateDeps, user: Agent, live: Live): Promise<AgentStatus> {
  await deps.db.agentStateChange.create({
    data: { userId: user.id, state: live.state, reason: live.reason, at: new Date(live.since) },
  });
  const status = { userId: user.id, displayName: user.displayName, ...live };
  // The agent's own consoles and supervision: the other agents have no use for it.
  await deps.events.publish({
    type: 'agent.state',
    agencyId: user.agencyId,
    userId: user.id,
    roles: [...SUPERVISORS],
    data: { ...status },
  });
  return status;
}

// The live state and the sets that follow it, in one step; guarded by the state expected.
const WRITE_LIVE = `
local current = redis.call('HGET', KEYS[1], 'state') or 'OFFLINE'
if ARGV[1] ~= '' and current ~= ARGV[1] then return 0 end
local state, agent = ARGV[2], ARGV[7]
redis.call('HSET', KEYS[1], 'state', state, 'reason', ARGV[3], 'since', ARGV[4])
if state ~= 'OFFERED' and state ~= 'ON_CALL' and state ~= 'WRAP_UP' then
  redis.call('HDEL', KEYS[1], 'offerId', 'callSid')
end
if state == 'AVAILABLE' then redis.call('ZADD', KEYS[2], ARGV[5], agent) else redis.call('ZREM', KEYS[2], agent) end
if state == 'OFFLINE' then redis.call('SREM', KEYS[3], agent) else redis.call('SADD', KEYS[3], agent) end
if state == 'WRAP_UP' and ARGV[6] ~= '' then redis.call('ZADD', KEYS[4], ARGV[6], agent) else redis.call('ZREM', KEYS[4], agent) end
return 1`;

async function writeLive(
  redis: Redis,
  userId: string,
  live: Live,
  options: { expected?: AgentStateName; wrapUpEndsAt?: Date } = {},
): Promise<boolean> {
  const written = await redisScript(redis, WRITE_LIVE)(
    [stateKey(userId), AVAILABLE, ACTIVE, WRAP_UP],
    [
      options.expected ?? '',
      live.state,
      live.reason ?? '',
      live.since,
      String(Date.parse(live.since)),
      options.wrapUpEndsAt ? String(options.wrapUpEndsAt.getTime()) : '',
      userId,
    ],
  );
  return written === 1;
}

/** Every staff member's state, for supervision (those never connected are offline). */
export async function allStates(deps: AgentStateDeps): Promise<AgentStatus[]> {
  const users = await deps.db.user.findMany({
    where: { active: true },
    select: { id: true, displayName: true },
    orderBy: { displayName: 'asc' },
  });
  return Promise.all(
    users.map(async (u) => ({
      userId: u.id,
      displayName: u.displayName,
      ...(await currentState(deps, u.id)),
    })),
  );
}

/** The states agents at work are in (offline agents are everyone else: not counted). */
export const COUNTED_STATES = ['AVAILABLE', 'OFFERED', 'ON_CALL', 'WRAP_UP', 'BREAK'] as const;

/** How many agents are in each state now, from the live states. */
export async function countByState(redis: Redis): Promise<Record<(typeof COUNTED_STATES)[number], number>> {
  const ids = await redis.sMembers(ACTIVE);
  const states = await Promise.all(ids.map((id) => redis.hGet(stateKey(id), 'state')));
  return Object.fromEntries(
    COUNTED_STATES.map((state) => [state, states.filter((s) => s === state).length]),
  ) as Record<(typeof COUNTED_STATES)[number], number>;
}
