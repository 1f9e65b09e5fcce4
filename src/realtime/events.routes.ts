import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { mayReceive } from './rooms.js';

const Query = Type.Object({
  after: Type.String({ pattern: '^\\d+-\\d+$' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
});

export function eventsRoutes(app: FastifyInstance, services: Services): void {
  // Catch-up over HTTP: the same events the sockets carry, after a given event id.
  app.get(
    '/api/events',
    {
      config: { access: { users: ['AGENT', 'SUPERVISOR', 'ADMIN'], tokens: ['INTEGRATION'] } },
      schema: { tags: ['realtime'], querystring: Query },
    },
    async (request) => {
      const { after, limit = 1000 } = request.query as { after: string; limit?: number };
      const events = await services.events.since(after, limit);
      return {
        events: events.filter((e) => mayReceive(request.principal!, e)),
        latestId: await services.events.latestId(),
      };
    },
  );
}
