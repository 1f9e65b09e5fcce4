import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AlertStatus } from '../generated/prisma/enums.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import type { Services } from '../services.js';
import { ALERT_STATUSES, findSupplyPoint, listAlerts } from './alert-list.query.js';
import { AlertList, SupplyPointAlerts } from './alerts.schemas.js';

// The console's alerts screen: recent alerts across supply points (filtered by status, supply
// point or customer), and one supply point's alert history. Every member of staff sees every
// alert, like the rest of the alert routes: agents answer customers of any agency about them.

const ListQuery = Type.Object({
  status: Type.Optional(
    Type.String({
      maxLength: 100,
      description: 'OPEN, ACKNOWLEDGED, UNANSWERED or DEACTIVATED; several separated by commas',
      examples: ['OPEN,UNANSWERED'],
    }),
  ),
  supplyPointId: Type.Optional(Type.String({ format: 'uuid' })),
  customerId: Type.Optional(Type.String({ format: 'uuid' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
});
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** "OPEN,unanswered" → the statuses; a word that is none of them → null. */
function parseStatuses(text: string | undefined): AlertStatus[] | null {
  if (text === undefined || text.trim() === '') return [];
  const words = text.split(',').map((word) => word.trim().toUpperCase());
  const statuses = words.filter((word): word is AlertStatus => ALERT_STATUSES.includes(word as AlertStatus));
  return statuses.length === words.length ? [...new Set(statuses)] : null;
}

export function alertListRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services;
  const staff = { access: { users: STAFF } };

  app.get(
    '/api/alerts',
    {
      config: staff,
      schema: { tags: ['alerts'], querystring: ListQuery, response: { 200: AlertList, 400: ApiErrorBody } },
    },
    async (request, reply) => {
      const query = request.query as {
        status?: string;
        supplyPointId?: string;
        customerId?: string;
        limit: number;
      };
      const statuses = parseStatuses(query.status);
      if (statuses === null)
        return reply.code(400).send({
          error: 'invalid_request',
          message: `status must be ${ALERT_STATUSES.join(', ')} (several separated by commas), not "${query.status}"`,
        });
      return listAlerts(db, {
        statuses,
        supplyPointId: query.supplyPointId,
        customerId: query.customerId,
        limit: query.limit,
      });
    },
  );

  app.get(
    '/api/supply-points/:id/alerts',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        params: IdParams,
        querystring: HistoryQuery,
        response: { 200: SupplyPointAlerts, 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { limit } = request.query as { limit: number };
      const supplyPoint = await findSupplyPoint(db, id);
      if (!supplyPoint) return reply.code(404).send({ error: 'not_found', message: 'no such supply point' });
      return { supplyPoint, alerts: await listAlerts(db, { supplyPointId: id, limit }) };
    },
  );
}
