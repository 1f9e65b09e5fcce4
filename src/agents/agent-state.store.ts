import type { Db } from '../platform/db/client.js';
import type { Redis } from '../platform/redis.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { Services } from '../services.js';
import type { AgentStateName, AgentStatus } from './agents.schemas.js';

// An agent's live state is in Redis, shared by every api and worker process; every change is
// also a row in PostgreSQL (agent_state_changes), for the day's figures and the audit, and the
// state read back from there when Redis has lost it.
//
//   agent:<userId>      hash: state, reason, since (ISO)
//   agents:available    sorted set of available agents by since (ms): the longest idle first
//   agents:active       set of agents not offline: the ones whose consoles are watched
//   agent:seen:<userId> refreshed by the api processes while a console of the agent is connected

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

/** Records a change and makes it the live state; tells supervision and the agent's consoles. */
export async function changeState(
  deps: AgentStateDeps,
  user: { id: string; displayName: string; agencyId: string | null },
  state: AgentStateName,
  reason: string | null,
): Promise<AgentStatus> {
  const at = deps.now();
  await deps.db.agentStateChange.create({ data: { userId: user.id, state, reason, at } });
  const live = { state, reason, since: at.toISOString() };
  await writeLive(deps.redis, user.id, live);
  const status = { userId: user.id, displayName: user.displayName, ...live };
  await deps.events.publish({ type: 'agent.state', agencyId: user.agencyId, data: { ...status } });
  return status;
}

async function writeLive(redis: Redis, userId: string, live: Live): Promise<void> {
  const multi = redis
    .multi()
    .hSet(stateKey(userId), { state: live.state, reason: live.reason ?? '', since: live.since });
  if (live.state === 'AVAILABLE') multi.zAdd(AVAILABLE, { score: Date.parse(live.since), value: userId });
  else multi.zRem(AVAILABLE, userId);
  if (live.state === 'OFFLINE') multi.sRem(ACTIVE, userId);
  else multi.sAdd(ACTIVE, userId);
  await multi.exec();
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
