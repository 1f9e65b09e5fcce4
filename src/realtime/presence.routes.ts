import type { FastifyInstance } from 'fastify';
import { SUPERVISORS } from '../platform/auth/principal.js';
import type { Db } from '../platform/db/client.js';
import { type OnlineUser, PresenceReply } from './realtime.schemas.js';

// The supervisor's view of who is online and which case each one has open, with the numbers of
// those cases (one read, rather than one request per case from the console).
export function presenceRoutes(app: FastifyInstance, db: Db, online: () => Promise<OnlineUser[]>): void {
  app.get(
    '/api/presence',
    {
      config: { access: { users: SUPERVISORS } },
      schema: { tags: ['realtime'], response: { 200: PresenceReply } },
    },
    async () => {
      const users = await online();
      const viewed = [...new Set(users.flatMap((u) => u.viewing))];
      const cases = viewed.length
        ? await db.case.findMany({ where: { id: { in: viewed } }, select: { id: true, number: true } })
        : [];
      return { users, caseNumbers: Object.fromEntries(cases.map((c) => [c.id, c.number])) };
    },
  );
}
