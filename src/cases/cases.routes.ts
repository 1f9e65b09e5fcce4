import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { OPEN_CASE_STATUSES, visibleTo } from './case-scope.js';
import { CaseDetail, CaseList } from './cases.schemas.js';

const ListQuery = Type.Object({
  customerId: Type.Optional(Type.String({ format: 'uuid', description: "the customer's open cases" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export function casesRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services;
  const staff = { access: { users: STAFF } };

  app.get(
    '/api/cases',
    { config: staff, schema: { tags: ['cases'], querystring: ListQuery, response: { 200: CaseList } } },
    async (request) => {
      const { limit = 50, customerId } = request.query as { limit?: number; customerId?: string };
      return db.case.findMany({
        where: {
          status: { in: [...OPEN_CASE_STATUSES] },
          ...(customerId ? { customerId } : {}),
          ...visibleTo(request.principal!),
        },
        orderBy: { openedAt: 'desc' },
        take: limit,
        select: {
          id: true,
          number: true,
          kind: true,
          category: true,
          urgency: true,
          status: true,
          subject: true,
          openedAt: true,
          dueAt: true,
          needsIntervention: true,
          multiContact: true,
          detailsToCheck: true,
          waitingSince: true,
          waitingFor: true,
          sensitive: true,
          agencyId: true,
          holdingReplyAt: true,
          holdingCallDue: true,
          customer: { select: { reference: true, lastName: true, firstName: true } },
        },
      });
    },
  );

  app.get(
    '/api/cases/:id',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        params: Type.Object({ id: Type.String() }),
        response: { 200: CaseDetail, 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return reply.code(404).send({ error: 'not_found', message: 'no such case' });
      const kase = await db.case.findFirst({
        where: { id, ...visibleTo(request.principal!) },
        include: {
          customer: {
            select: {
              id: true,
              reference: true,
              lastName: true,
              firstName: true,
              postcode: true,
              city: true,
            },
          },
          events: { orderBy: { at: 'asc' } },
          contacts: { orderBy: { at: 'asc' } },
          messages: {
            orderBy: { createdAt: 'asc' },
            select: {
              id: true,
              direction: true,
              channel: true,
              status: true,
              body: true,
              createdAt: true,
              sentAt: true,
              deliveredAt: true,
              errorCode: true,
            },
          },
        },
      });
      if (!kase) return reply.code(404).send({ error: 'not_found', message: 'no such case' });
      return { ...kase, events: kase.events.map((e) => ({ ...e, id: e.id.toString() })) };
    },
  );
}
