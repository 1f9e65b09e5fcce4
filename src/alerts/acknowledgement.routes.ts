import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { auditEntry } from '../platform/audit.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { acknowledgeAlert } from './acknowledgement.service.js';
import { AcknowledgeReply } from './alerts.schemas.js';
import { ACK_LINK_PURPOSE } from './notification.deps.js';

// Acknowledging an alert from the e-mail's signed link, and by an agent for a customer on the
// phone. The link's GET only shows a button: mail scanners open links, and opening must not
// acknowledge. The POST checks the signature again; a tampered or expired link changes nothing.

const LinkParams = Type.Object({
  alert: Type.Optional(Type.String({ maxLength: 64 })),
  exp: Type.Optional(Type.String({ maxLength: 20 })),
  sig: Type.Optional(Type.String({ maxLength: 100 })),
});
type LinkQuery = { alert?: string; exp?: string; sig?: string };

export function acknowledgementRoutes(app: FastifyInstance, services: Services): void {
  const { db, templates, notices, clock } = services;

  const page = (reply: FastifyReply, status: number, key: string, locale: 'fr' | 'en', vars = {}) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(templates.render(key, locale, vars));

  async function checked(query: LinkQuery, reply: FastifyReply) {
    const verdict = notices.links.check(ACK_LINK_PURPOSE, query, clock.now());
    const alert =
      verdict === 'valid' && isUuid(query.alert)
        ? await db.consumptionAlert.findUnique({
            where: { id: query.alert },
            select: {
              id: true,
              episodeStart: true,
              meter: { select: { serial: true } },
              customer: { select: { locale: true } },
            },
          })
        : null;
    if (!alert) {
      await page(reply, verdict === 'expired' ? 410 : 400, 'pages/link-invalid.html', 'fr', {
        expired: verdict === 'expired',
      });
      return null;
    }
    return alert;
  }

  app.get(
    '/alerts/ack',
    { config: { access: 'public' }, schema: { hide: true, querystring: LinkParams } },
    async (request, reply) => {
      const query = request.query as LinkQuery;
      const alert = await checked(query, reply);
      if (!alert) return reply;
      const locale = alert.customer?.locale ?? 'fr';
      return page(reply, 200, 'pages/alert-ack.html', locale, {
        ...query,
        meterSerial: alert.meter.serial,
        since: DateTime.fromJSDate(alert.episodeStart, { zone: 'UTC' })
          .setLocale(locale)
          .toFormat('d LLLL yyyy'),
      });
    },
  );

  app.post(
    '/alerts/ack',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const form = (request.body ?? {}) as LinkQuery;
      const alert = await checked({ alert: form.alert, exp: form.exp, sig: form.sig }, reply);
      if (!alert) return reply;
      const outcome = await acknowledgeAlert(notices, alert.id, 'email');
      return page(reply, 200, 'pages/alert-acked.html', alert.customer?.locale ?? 'fr', {
        meterSerial: alert.meter.serial,
        already: outcome !== 'acknowledged',
      });
    },
  );

  app.post(
    '/api/alerts/:id/acknowledge',
    {
      config: { access: { users: STAFF } },
      schema: {
        tags: ['alerts'],
        params: Type.Object({ id: Type.String() }),
        response: { 200: AcknowledgeReply, 404: ApiErrorBody, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return reply.code(404).send({ error: 'not_found', message: 'no such alert' });
      const outcome = await acknowledgeAlert(notices, id, 'agent');
      if (outcome === 'not-open')
        return reply.code(409).send({ error: 'not_open', message: 'this alert is no longer open' });
      await db.auditLog.create({
        data: auditEntry(request.principal!, 'alert.acknowledged', 'consumption_alert', id, {
          via: 'agent',
          already: outcome === 'already',
        }),
      });
      return { outcome };
    },
  );
}
