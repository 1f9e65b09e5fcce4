import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { auditEntry } from '../platform/audit.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { CustomerAlertsDeactivated, CustomerAlertThreshold } from './alerts.schemas.js';
import { deactivateCustomerAlerts } from './customer-alerts.service.js';

// What agents do with a customer's alerts: adjust the threshold at the customer's request, switch
// them off (seeing them: alert-list.routes.ts). Every change goes to the audit log with who made
// it and why.

const ThresholdBody = Type.Object(
  {
    litresPerDay: Type.Union([Type.Integer({ minimum: 100, maximum: 1_000_000 }), Type.Null()], {
      description: 'daily volume above which this customer is alerted; null: back to the diameter default',
    }),
    reason: Type.String({ minLength: 3, maxLength: 500 }),
  },
  { additionalProperties: false },
);
const Reason = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 500 }) },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String() });

export function customerAlertsRoutes(app: FastifyInstance, services: Services): void {
  const { db, events, notices } = services;
  const staff = { access: { users: STAFF } };

  app.put(
    '/api/customers/:id/alert-threshold',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        params: IdParams,
        body: ThresholdBody,
        response: { 200: CustomerAlertThreshold, 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { litresPerDay, reason } = request.body as { litresPerDay: number | null; reason: string };
      const customer = isUuid(id)
        ? await db.customer.findUnique({ where: { id }, select: { alertThresholdLitres: true } })
        : null;
      if (!customer) return reply.code(404).send({ error: 'not_found', message: 'no such customer' });
      await db.$transaction([
        db.customer.update({ where: { id }, data: { alertThresholdLitres: litresPerDay } }),
        db.auditLog.create({
          data: auditEntry(request.principal!, 'alert-threshold.changed', 'customer', id, {
            from: customer.alertThresholdLitres,
            to: litresPerDay,
            reason,
          }),
        }),
      ]);
      await events.publish({ type: 'alert-threshold.changed', data: { customerId: id, litresPerDay } });
      return { customerId: id, alertThresholdLitres: litresPerDay };
    },
  );

  app.post(
    '/api/customers/:id/alerts/deactivate',
    {
      config: staff,
      schema: {
        tags: ['alerts'],
        params: IdParams,
        body: Reason,
        response: { 200: CustomerAlertsDeactivated, 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { reason } = request.body as { reason: string };
      if (!isUuid(id) || !(await db.customer.findUnique({ where: { id }, select: { id: true } })))
        return reply.code(404).send({ error: 'not_found', message: 'no such customer' });
      const deactivated = await deactivateCustomerAlerts(notices, id);
      await db.auditLog.create({
        data: auditEntry(request.principal!, 'alerts.deactivated', 'customer', id, {
          reason,
          openAlerts: deactivated,
        }),
      });
      return { customerId: id, deactivated };
    },
  );
}
