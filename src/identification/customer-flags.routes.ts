import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { auditEntry } from '../platform/audit.js';
import { SUPERVISORS } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { CutOffFlagReply } from './identification.schemas.js';

// [ID-7] The not-eligible-for-cut-off flag of a medical-assistance customer, set as soon as it is
// known: by a supervisor in the console (here) or by the eligibility import. A flag and nothing
// else: no reason, no free text is ever stored with it. Every change is audited.

const FlagBody = Type.Object({ notEligibleForCutOff: Type.Boolean() }, { additionalProperties: false });

export function customerFlagsRoutes(app: FastifyInstance, services: Services): void {
  const { db, events } = services;
  app.put(
    '/api/customers/:id/not-eligible-for-cut-off',
    {
      config: { access: { users: SUPERVISORS } },
      schema: {
        tags: ['identification'],
        summary: '[ID-7] Sets or clears the not-eligible-for-cut-off flag (supervisors; audited; no comment)',
        params: Type.Object({ id: Type.String() }),
        body: FlagBody,
        response: { 200: CutOffFlagReply, 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { notEligibleForCutOff } = request.body as { notEligibleForCutOff: boolean };
      const customer = isUuid(id)
        ? await db.customer.findUnique({ where: { id }, select: { notEligibleForCutOff: true } })
        : null;
      if (!customer) return reply.code(404).send({ error: 'not_found', message: 'no such customer' });
      if (customer.notEligibleForCutOff !== notEligibleForCutOff) {
        await db.$transaction([
          db.customer.update({ where: { id }, data: { notEligibleForCutOff } }),
          db.auditLog.create({
            data: auditEntry(request.principal!, 'customer.not-eligible-for-cut-off', 'customer', id, {
              from: customer.notEligibleForCutOff,
              to: notEligibleForCutOff,
            }),
          }),
        ]);
        await events.publish({
          type: 'customer.flags.changed',
          data: { customerId: id, notEligibleForCutOff },
        });
      }
      return { customerId: id, notEligibleForCutOff };
    },
  );
}
