import type { FastifyInstance } from 'fastify';
import { STAFF, SUPERVISORS } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import type { Services } from '../services.js';
import { registerAgentMetrics } from './agent-metrics.js';
import { AVAILABLE, agentStateDeps, allStates, changeState, currentState } from './agent-state.store.js';
import { refusalOf } from './agent-states.js';
import { AgentList, AgentStatus, Colleagues, StateChoice } from './agents.schemas.js';
import { agentChoseState } from './call-end.service.js';
import { distributionDeps } from './distribution.deps.js';
import { markSeen } from './heartbeat.js';

export function agentsRoutes(app: FastifyInstance, services: Services): void {
  const deps = agentStateDeps(services);
  const distribution = distributionDeps(services);
  registerAgentMetrics(services.metrics.registry, services.redis);
  const staff = { access: { users: STAFF } };
  const me = (request: { principal: unknown }) =>
    request.principal as { id: string; displayName: string; agencyId: string | null };

  app.get(
    '/api/agents/me',
    { config: staff, schema: { tags: ['agents'], response: { 200: AgentStatus } } },
    async (request) => {
      const user = me(request);
      return { userId: user.id, displayName: user.displayName, ...(await currentState(deps, user.id)) };
    },
  );

  app.put(
    '/api/agents/me/state',
    {
      config: staff,
      schema: {
        tags: ['agents'],
        summary: 'The agent goes available, on a break (with a reason) or offline',
        body: StateChoice,
        response: { 200: AgentStatus, 409: ApiErrorBody, 422: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const user = me(request);
      const { state, reason } = request.body as StateChoice;
      const from = await currentState(deps, user.id);
      const refused = refusalOf(from.state, state, reason);
      if (refused)
        return reply
          .code(refused.code === 'in_call' ? 409 : 422)
          .send({ error: refused.code, message: refused.message });
      // Whoever sets a state is at their console: seen now, not at the next heartbeat.
      if (state !== 'OFFLINE')
        await markSeen(services.redis, [user.id], services.settings.agentOfflineGraceSeconds);
      const changed = await changeState(deps, user, state, state === 'BREAK' ? reason!.trim() : null, {
        expected: from.state,
      });
      // A call was offered to the agent meanwhile: the console shows it, the choice waits.
      if (!changed)
        return reply.code(409).send({ error: 'in_call', message: 'a call has just been offered to you' });
      await agentChoseState(distribution, user.id, from.state, state);
      return changed;
    },
  );

  // Whom an agent on a call may hand it to: the colleagues available now.
  app.get(
    '/api/agents/available',
    { config: staff, schema: { tags: ['agents'], response: { 200: Colleagues } } },
    async (request) => {
      const ids = (await services.redis.zRange(AVAILABLE, 0, -1)).filter((id) => id !== me(request).id);
      if (ids.length === 0) return [];
      const users = await services.db.user.findMany({
        where: { id: { in: ids }, active: true },
        select: { id: true, displayName: true },
        orderBy: { displayName: 'asc' },
      });
      return users.map((u) => ({ userId: u.id, displayName: u.displayName }));
    },
  );

  app.get(
    '/api/agents',
    {
      config: { access: { users: SUPERVISORS } },
      schema: { tags: ['agents'], response: { 200: AgentList } },
    },
    async () => allStates(deps),
  );
}
