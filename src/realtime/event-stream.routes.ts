import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { type Principal, SUPERVISORS } from '../platform/auth/principal.js';
import type { Services } from '../services.js';
import type { DomainEvent } from './event-bus.js';
import { mayReceive } from './rooms.js';

/**
 * A plain WebSocket of the same domain events, for integrations (wallboards, CTI). Authenticated
 * by `Authorization: Bearer <API token>` on the upgrade request; `?after=<event id>` resumes.
 */
export function eventStreamRoutes(
  app: FastifyInstance,
  services: Services,
): { relay(event: DomainEvent): void } {
  const clients = new Map<WebSocket, Principal>();

  app.get(
    '/events/stream',
    {
      websocket: true,
      config: { access: { tokens: ['INTEGRATION'], users: SUPERVISORS } },
      schema: { tags: ['realtime'], description: 'WebSocket of domain events (JSON, one per frame).' },
    },
    async (socket, request) => {
      const principal = request.principal!;
      const after = (request.query as { after?: string }).after;
      if (after && /^\d+-\d+$/.test(after)) {
        for (const event of await services.events.since(after, 5000))
          if (mayReceive(principal, event)) socket.send(JSON.stringify(event));
      }
      clients.set(socket, principal);
      socket.on('close', () => clients.delete(socket));
    },
  );

  app.addHook('preClose', async () => {
    for (const socket of clients.keys()) socket.close(1001, 'server shutting down');
  });

  return {
    relay(event) {
      const frame = JSON.stringify(event);
      for (const [socket, principal] of clients) if (mayReceive(principal, event)) socket.send(frame);
    },
  };
}
