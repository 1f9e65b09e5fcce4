import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { auditEntry } from '../platform/audit.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { UUID_PATTERN } from '../platform/ids.js';
import type { Services } from '../services.js';
import { type CallerRelation, identificationChecklist } from './checklist.js';
import { ChecklistIncomplete, CustomerDetails, IdentificationReply } from './identification.schemas.js';
import { candidatesFor, findByReference, identifyByNumber, statusOf } from './identify.js';
import { type VerificationRequest, verifyIdentity } from './verification.js';

// The console's caller lookup: the same identification as the IVR, with what the agent must
// still have the caller confirm for each candidate.

const Relation = Type.Union([Type.Literal('HOLDER'), Type.Literal('THIRD_PARTY'), Type.Literal('UNKNOWN')], {
  default: 'UNKNOWN',
});

const Query = Type.Object({
  phone: Type.Optional(Type.String({ maxLength: 40, description: 'in any French or E.164 writing' })),
  reference: Type.Optional(
    Type.String({
      maxLength: 40,
      description: 'customer reference, meter serial, or postcode among the matches',
    }),
  ),
  customers: Type.Optional(
    Type.String({
      maxLength: 400,
      pattern: `^${UUID_PATTERN}(,${UUID_PATTERN}){0,9}$`,
      description: 'the customers the IVR matched (a screen pop), comma-separated ids',
    }),
  ),
  referenceGiven: Type.Optional(Type.Boolean({ description: 'the caller keyed their reference in the IVR' })),
  relation: Type.Optional(Relation),
});

const VerifyBody = Type.Object(
  {
    customerId: Type.String({ pattern: `^${UUID_PATTERN}$` }),
    relation: Relation,
    referenceGiven: Type.Boolean(),
    confirmed: Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 }),
    callSid: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export function identificationRoutes(app: FastifyInstance, services: Services): void {
  const { db, phoneIndex, settings } = services;

  app.get(
    '/api/identification',
    {
      config: { access: { users: STAFF } },
      schema: {
        tags: ['identification'],
        querystring: Query,
        response: { 200: IdentificationReply, 400: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const query = request.query as {
        phone?: string;
        reference?: string;
        customers?: string;
        referenceGiven?: boolean;
        relation?: CallerRelation;
      };
      if (!query.phone && !query.reference && !query.customers)
        return reply.code(400).send({
          error: 'bad_request',
          message: 'give a phone number, a reference, the matched customers, or several',
        });
      const byNumber = query.phone ? await identifyByNumber(phoneIndex, query.phone) : null;
      let customerIds = query.customers ? query.customers.split(',') : (byNumber?.customerIds ?? []);
      const referenceGiven = Boolean(query.reference) || query.referenceGiven === true;
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
        status:
          byNumber?.status === 'withheld' && !referenceGiven && !query.customers
            ? 'withheld'
            : statusOf(candidates.map((c) => c.id)),
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

  // The agent says what the caller confirmed; the masked details come back only when it is all.
  app.post(
    '/api/identification/verify',
    {
      config: { access: { users: STAFF } },
      schema: {
        tags: ['identification'],
        body: VerifyBody,
        response: { 200: CustomerDetails, 404: ApiErrorBody, 422: ChecklistIncomplete },
      },
    },
    async (request, reply) => {
      const body = request.body as VerificationRequest & { callSid?: string };
      const result = await verifyIdentity(db, body);
      if ('notFound' in result)
        return reply.code(404).send({ error: 'not_found', message: 'no such customer' });
      if (!result.verified)
        return reply.code(422).send({
          error: 'checklist_incomplete',
          message: `still to confirm with the caller: ${result.missing.join(', ')}`,
          missing: result.missing,
        });
      await db.auditLog.create({
        data: auditEntry(request.principal!, 'identity.verified', 'customer', body.customerId, {
          relation: body.relation,
          confirmed: body.confirmed,
          referenceGiven: body.referenceGiven,
          callSid: body.callSid ?? null,
        }),
      });
      return result.details;
    },
  );
}
