import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Locale } from '../generated/prisma/enums.js';
import { parseEmail, parsePhone } from '../imports/field-parsers.js';
import { auditEntry } from '../platform/audit.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { ContactDetailAdded, ContactDetailKind, ContactDetailNotices } from './identification.schemas.js';
import { isMobile } from './phone-number.js';

// [ID-6] Collecting a customer's phone number, e-mail or mobile comes with a legal notice the agent
// reads out: the do-not-call list for a phone number, consent to contract messages for an e-mail or
// a mobile (a mobile gets both). The console shows the text (GET /api/notices/contact-details) and
// the new detail is recorded only with the agent's word that it was given, audited with the notice.

const KIND = ContactDetailKind;
type Kind = ContactDetailKind;
/** The notices each kind of detail calls for (message-templates/<locale>/notices/). */
const NOTICES: Record<Kind, readonly string[]> = {
  PHONE: ['phone-collected'],
  MOBILE: ['phone-collected', 'contact-consent'],
  EMAIL: ['contact-consent'],
};

export function contactDetailsRoutes(app: FastifyInstance, services: Services): void {
  const { db, templates, phoneIndex, events } = services;
  const staff = { access: { users: STAFF } };

  app.get(
    '/api/notices/contact-details',
    {
      config: staff,
      schema: {
        tags: ['identification'],
        summary: '[ID-6] The legal notices to read to the customer when collecting this kind of detail',
        querystring: Type.Object({
          kind: KIND,
          locale: Type.Optional(Type.Union([Type.Literal('fr'), Type.Literal('en')])),
        }),
        response: { 200: ContactDetailNotices },
      },
    },
    async (request) => {
      const { kind, locale = 'fr' } = request.query as { kind: Kind; locale?: Locale };
      return {
        kind,
        notices: NOTICES[kind].map((key) => ({ key, text: templates.render(`notices/${key}`, locale) })),
      };
    },
  );

  app.post(
    '/api/customers/:id/contact-details',
    {
      config: staff,
      schema: {
        tags: ['identification'],
        summary: '[ID-6] Adds a phone number, mobile or e-mail to a customer, once the legal notice was read',
        params: Type.Object({ id: Type.String() }),
        body: Type.Object(
          { kind: KIND, value: Type.String({ minLength: 3, maxLength: 200 }), noticeGiven: Type.Boolean() },
          { additionalProperties: false },
        ),
        response: { 201: ContactDetailAdded, 404: ApiErrorBody, 422: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { kind, value, noticeGiven } = request.body as {
        kind: Kind;
        value: string;
        noticeGiven: boolean;
      };
      const customer = isUuid(id)
        ? await db.customer.findUnique({ where: { id }, select: { id: true } })
        : null;
      if (!customer) return reply.code(404).send({ error: 'not_found', message: 'no such customer' });
      if (!noticeGiven)
        return reply.code(422).send({
          error: 'notice_required',
          message: `read the customer the legal notice first (${NOTICES[kind].join(', ')}), then confirm it was given`,
        });
      const parsed = kind === 'EMAIL' ? parseEmail(value.trim()) : parsePhone(value);
      if ('error' in parsed) return reply.code(422).send({ error: 'invalid_value', message: parsed.error });
      const recorded = parsed.value;
      if (kind === 'MOBILE' && !isMobile(recorded))
        return reply.code(422).send({ error: 'invalid_value', message: `"${value}" is not a mobile number` });
      if (kind === 'EMAIL') {
        await db.customer.update({ where: { id }, data: { email: recorded, emailFailing: false } });
      } else {
        await db.customerPhone.upsert({
          where: { customerId_e164: { customerId: id, e164: recorded } },
          create: { customerId: id, e164: recorded, kind: isMobile(recorded) ? 'MOBILE' : 'LANDLINE' },
          update: { failing: false },
        });
        await phoneIndex.refresh([recorded]);
      }
      await db.auditLog.create({
        data: auditEntry(request.principal!, 'customer.contact-details.added', 'customer', id, {
          kind,
          notices: NOTICES[kind],
          noticeGiven: true,
        }),
      });
      await events.publish({ type: 'customer.contact-details.added', data: { customerId: id, kind } });
      return reply.code(201).send({ customerId: id, kind, value: recorded, notices: NOTICES[kind] });
    },
  );
}
