import type { FastifyInstance } from 'fastify';
import { isDbReachable } from '../platform/db/client.js';
import { isRedisReachable } from '../platform/redis.js';
import type { Services } from '../services.js';
import { ClockReply } from './operations.schemas.js';

export function healthRoutes(app: FastifyInstance, services: Services): void {
  app.get('/healthz', { config: { access: 'public' }, schema: { tags: ['operations'] } }, async () => ({
    status: 'ok',
  }));

  // The service's time: consoles count deadlines down against it, not against the agent's PC
  // (whose clock may be wrong, and which a rehearsal's CLOCK_START does not move).
  app.get(
    '/api/clock',
    { config: { access: 'public' }, schema: { tags: ['operations'], response: { 200: ClockReply } } },
    async () => ({ now: services.clock.now().toISOString() }),
  );

  app.get(
    '/readyz',
    { config: { access: 'public' }, schema: { tags: ['operations'] } },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        isDbReachable(services.db),
        isRedisReachable(services.redis),
      ]);
      const ready = postgres && redis;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', postgres, redis });
    },
  );

  // For Prometheus inside the network; keep it off the public edge (see docs/operations.md).
  app.get(
    '/metrics',
    { config: { access: 'public' }, schema: { tags: ['operations'] } },
    async (_request, reply) => {
      return reply
        .type(services.metrics.registry.contentType)
        .send(await services.metrics.registry.metrics());
    },
  );
}
