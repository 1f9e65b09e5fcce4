import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF } from '../platform/auth/principal.js';
import type { Services } from '../platform/services.js';
import { identificationChecklist } from './checklist.js';
import { candidatesFor, findByReference, identifyByNumber, statusOf } from './identify.js';

// The console's caller lookup: the same identification as the IVR, with what the agent must
// still have the caller confirm for each candidate.

const Query = Type.Object({
  phone: Type.Optional(Type.String({ maxLength: 40, description: 'in any French or E.164 writing' })),
  reference: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'customer reference, meter serial, or postcode among the matches',
    }),
  ),
  relation: Type.Optional(
    Type.Union([Type.Literal('HOLDER'), Type.Literal('THIRD_PARTY'), Type.Literal('UNKNOWN')], {
      default: 'UNKNOWN',
    }),
  ),
});

export function identificationRoutes(app: FastifyInstance, services: Services): void {
  const { db, phoneIndex, settings } = services;

  app.get(
    '/api/identification',
    { config: { access: { users: STAFF } }, schema: { tags: ['identification'], querystring: Query } },
    async (request, reply) => {
      const query = request.query as {
        phone?: string;
        reference?: string;
        relation?: 'HOLDER' | 'THIRD_PARTY' | 'UNKNOWN';
      };
      if (!query.phone && !query.reference)
        return reply
          .code(400)
          .send({ error: 'bad_request', message: 'give a phone number, a reference, or both' });
      const byNumber = query.phone ? await identifyByNumber(phoneIndex, query.phone) : null;
      let customerIds = byNumber?.customerIds ?? [];
      const referenceGiven = Boolean(query.reference);
      // A reference tells apart the customers sharing a number, or finds the customer on its own.
      if (query.reference)
        customerIds = await findByReference(
          db,
          query.reference,
          settings.ivr.referencePrefixes,
          customerIds.length > 1 ? customerIds : [],
        );
      const candidates = await candidatesFor(db, customerIds);
      const relation = query.relation ?? 'UNKNOWN';
      return {
        status: byNumber?.status === 'withheld' && !referenceGiven ? 'withheld' : statusOf(customerIds),
        e164: byNumber?.e164 ?? null,
        candidates: candidates.map((candidate) => ({
          ...candidate,
          checklist: identificationChecklist({
            relation,
            serviceContract: candidate.serviceContract,
            referenceGiven,
          }),
        })),
      };
    },
  );
}
