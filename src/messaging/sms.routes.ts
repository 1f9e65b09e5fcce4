import type { FastifyInstance } from 'fastify';
import { toE164 } from '../identification/phone-number.js';
import { handlePageReply } from '../oncall/page-replies.js';
import { isUuid } from '../platform/ids.js';
import type { TwilioParams } from '../platform/twilio-webhook.js';
import type { Services } from '../services.js';
import { applyProviderStatus } from './delivery-status.js';
import { routeReply } from './replies/reply-router.js';
import { fromTwilioStatus } from './twilio/twilio-vocabulary.js';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export function smsRoutes(app: FastifyInstance, services: Services): void {
  const { db, events, clock, phoneIndex } = services;

  // Every inbound SMS is stored (inbox row and inbound contact) once per MessageSid, whatever
  // its content. What a reply means is decided by the reply router (gateway issue).
  app.post('/twilio/sms/incoming', { config: { access: 'twilio' } }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const sid = params.MessageSid ?? params.SmsSid;
    if (!sid)
      return reply.code(400).send({ error: 'missing_message_sid', message: 'MessageSid is required' });
    const from = toE164(params.From) ?? params.From ?? 'unknown';
    const candidates = await phoneIndex.customerIdsFor(from);
    const customerId = candidates.length === 1 ? candidates[0]! : null;
    const at = clock.now();
    const stored = await db.$transaction(async (tx) => {
      const inserted = await tx.message.createMany({
        data: [
          {
            direction: 'INBOUND',
            channel: 'SMS',
            status: 'RECEIVED',
            purpose: 'reply',
            to: toE164(params.To) ?? params.To ?? '',
            from,
            body: params.Body ?? '',
            providerId: sid,
            customerId,
          },
        ],
        skipDuplicates: true,
      });
      if (inserted.count === 0) return false;
      await tx.contact.create({
        data: {
          providerId: sid,
          direction: 'INBOUND',
          channel: 'SMS',
          at,
          customerId,
          details: { candidates },
        },
      });
      return true;
    });
    if (stored) {
      await events.publish({
        type: 'sms.received',
        data: { messageSid: sid, customerId, candidates: candidates.length },
      });
      // Replies of the on-call staff to their pages; the rest goes to the reply router.
      const forPaging = await handlePageReply(services.paging, from, params.Body ?? '');
      if (!forPaging) await routeReply(services.replies, { from, body: params.Body ?? '', messageSid: sid });
    }
    return reply.code(200).type('text/xml; charset=utf-8').send(EMPTY_TWIML);
  });

  app.post('/twilio/sms/status', { config: { access: 'twilio' } }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const messageId = (request.query as { messageId?: string }).messageId;
    const status = fromTwilioStatus(params.MessageStatus ?? params.SmsStatus);
    if (!isUuid(messageId) || !status)
      return reply
        .code(400)
        .send({ error: 'bad_status_callback', message: 'messageId and a known MessageStatus are required' });
    await applyProviderStatus(db, events, {
      messageId,
      providerId: params.MessageSid,
      status,
      providerStatus: params.MessageStatus ?? params.SmsStatus,
      errorCode: params.ErrorCode,
      at: clock.now(),
    });
    return reply.code(204).send();
  });
}
