import type { FastifyInstance } from 'fastify';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import type { Services } from '../services.js';
import { ContactFormBody, ContactFormReceived } from './contact-form.schemas.js';
import { contactFormDeps, receiveContactForm } from './contact-form.service.js';

// [CS-4] The website's contact form, public: each message opens a request and is acknowledged by
// e-mail. Limited per sender's IP address (CONTACT_FORM_PER_MINUTE) and per e-mail address
// (CONTACT_FORM_PER_ADDRESS_PER_HOUR), so that nobody can use it to flood a mailbox; 429 beyond.
// Small bodies only.
const FORM_BODY_LIMIT = 16 * 1024;
const HOUR_MS = 3600_000;

export function contactFormRoutes(app: FastifyInstance, services: Services): void {
  const deps = contactFormDeps(services);
  const perAddress = app.createRateLimit({
    max: services.settings.contactFormPerAddressPerHour,
    timeWindow: HOUR_MS,
    keyGenerator: (request) => `to:${(request.body as ContactFormBody).email.trim().toLowerCase()}`,
  });
  app.post(
    '/api/contact-form',
    {
      bodyLimit: FORM_BODY_LIMIT,
      config: {
        access: 'public',
        rateLimit: { max: services.settings.contactFormPerMinute, timeWindow: 60_000 },
      },
      schema: {
        tags: ['cases'],
        summary: '[CS-4] A message from the website: opens a request and acknowledges it by e-mail',
        body: ContactFormBody,
        response: { 201: ContactFormReceived, 400: ApiErrorBody, 429: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const limited = await perAddress(request);
      if (!limited.isAllowed && limited.isExceeded)
        return reply.code(429).send({
          error: 'too_many_requests',
          message: `too many messages for this address: try again in ${Math.ceil(limited.ttlInSeconds / 60)} min`,
        });
      const received = await receiveContactForm(deps, request.body as ContactFormBody);
      return reply.code(201).send(received);
    },
  );
}
