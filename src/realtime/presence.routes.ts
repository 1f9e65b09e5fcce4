import type { FastifyInstance } from 'fastify';
import type { OnlineUser } from './presence.js';

// The supervisor's view of who is online and which case each one has open.
export function presenceRoutes(app: FastifyInstance, online: () => Promise<OnlineUser[]>): void {
  app.get(
    '/api/presence',
    { config: { access: { users: ['SUPERVISOR', 'ADMIN'] } }, schema: { tags: ['realtime'] } },
    async () => ({ users: await online() }),
  );
}
