import { ACTIVE, type AgentStateDeps, changeState, currentState, seenKey } from './agent-state.store.js';
import { CONSOLE_CLOSED } from './agent-states.js';

// An agent whose consoles have all gone (closed, crashed, network lost) for longer than the grace
// period (AGENT_OFFLINE_GRACE_SECONDS) is taken offline, so that no call waits for them. The api
// processes refresh agent:seen:<id> while a console of the agent is connected (heartbeat.ts); the
// maintenance worker looks every 15 seconds. An agent offered or on a call is left to the call.

export async function takeOfflineTheGone(deps: AgentStateDeps): Promise<number> {
  let taken = 0;
  for (const userId of await deps.redis.sMembers(ACTIVE)) {
    if (await deps.redis.exists(seenKey(userId))) continue;
    const { state } = await currentState(deps, userId);
    if (state === 'OFFLINE' || state === 'OFFERED' || state === 'ON_CALL') continue;
    const user = await deps.db.user.findUnique({
      where: { id: userId },
      select: { id: true, displayName: true, agencyId: true },
    });
    if (!user) continue;
    if (await changeState(deps, user, 'OFFLINE', CONSOLE_CLOSED, { expected: state })) taken++;
  }
  return taken;
}
