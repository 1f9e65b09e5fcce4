import type { FastifyInstance } from 'fastify';
import { confinedAgency, STAFF } from '../platform/auth/principal.js';
import type { Services } from '../services.js';
import { loadOnCallBoard } from './board.service.js';

// The console's on-call board. Staff only; an agent attached to an agency sees that agency's
// board (as with its cases), supervisors, admins and unattached agents see every agency.

export function boardRoutes(app: FastifyInstance, services: Services): void {
  app.get(
    '/api/oncall/board',
    {
      config: { access: { users: STAFF } },
      schema: {
        tags: ['oncall'],
        summary:
          'Per agency: who is on call now and in the current or next on-call period, open out-of-hours pages with their attempts, rota gaps ahead',
      },
    },
    async (request) => loadOnCallBoard(services, { agencyId: confinedAgency(request.principal!) }),
  );
}
