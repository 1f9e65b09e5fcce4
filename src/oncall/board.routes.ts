import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { auditEntry } from '../platform/audit.js';
import { confinedAgency, STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { loadOnCallBoard } from './board.service.js';
import { OnCallBoard, PageOutcomeReply, PageOutcomeRequest } from './oncall.schemas.js';
import { recordPageOutcome } from './page-outcome.service.js';

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
        response: { 200: OnCallBoard },
      },
    },
    async (request) => loadOnCallBoard(services, { agencyId: confinedAgency(request.principal!) }),
  );

  app.post(
    '/api/pages/:id/outcome',
    {
      config: { access: { users: STAFF } },
      schema: {
        tags: ['oncall'],
        summary:
          '[ON-11] Records what the technician decided after calling the customer back (told by phone to the agent); the agency gets it by e-mail',
        params: Type.Object({ id: Type.String() }),
        body: PageOutcomeRequest,
        response: { 200: PageOutcomeReply, 400: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as PageOutcomeRequest;
      const principal = request.principal!;
      const agency = confinedAgency(principal);
      const page = isUuid(id)
        ? await services.db.page.findUnique({ where: { id }, select: { agencyId: true } })
        : null;
      if (!page || (agency && page.agencyId !== agency))
        return reply.code(404).send({ error: 'not_found', message: 'no such page' });
      if (body.outcome === 'INTERVENTION_PLANNED' && !body.interventionAt)
        return reply
          .code(400)
          .send({ error: 'invalid_request', message: 'interventionAt: required for INTERVENTION_PLANNED' });
      const result = await recordPageOutcome(services.paging, id, {
        outcome: body.outcome,
        interventionAt:
          body.outcome === 'INTERVENTION_PLANNED' && body.interventionAt
            ? new Date(body.interventionAt)
            : null,
        via: 'console',
        decidedBy: principal.kind === 'user' ? principal.displayName : 'API',
      });
      if (result.result === 'not-acknowledged')
        return reply
          .code(409)
          .send({ error: 'not_acknowledged', message: 'nobody has taken this page: it has no outcome yet' });
      if (result.result === 'not-found')
        return reply.code(404).send({ error: 'not_found', message: 'no such page' });
      await services.db.auditLog.create({
        data: auditEntry(principal, 'page.outcome', 'page', id, {
          outcome: body.outcome,
          interventionAt: body.interventionAt ?? null,
        }),
      });
      return { pageId: id, outcome: body.outcome, interventionAt: body.interventionAt ?? null };
    },
  );
}
