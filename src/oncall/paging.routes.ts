import type { FastifyInstance, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { isUuid } from '../platform/ids.js';
import type { TwilioParams } from '../platform/twilio-webhook.js';
import type { Services } from '../services.js';
import { acknowledge } from './acknowledgement.service.js';
import { loadRequestDetails } from './page-content.js';
import { attemptFailed } from './paging.service.js';

// What the person paged hears when they pick up the page call: the request, then 1 to accept,
// 2 to refuse, 9 to hear it again. An answering machine gets the request and the SMS reply code
// as a voicemail message, and the attempt counts as failed (nobody accepted it).

const { VoiceResponse } = twilio.twiml;
const SAY = { language: 'fr-FR' } as const;
/** Times the request is read out to someone who presses nothing, before the call ends. */
const MAX_ROUNDS = 2;
const MACHINE = /^(machine|fax)/;

const pageUrl = (attemptId: string, round: number) =>
  `/twilio/voice/page?attemptId=${attemptId}&round=${round}`;

export function pagingRoutes(app: FastifyInstance, services: Services): void {
  const { db, templates, paging, logger } = services;
  const twiml = (reply: { type(t: string): unknown }, r: InstanceType<typeof VoiceResponse>) => {
    reply.type('text/xml; charset=utf-8');
    return r.toString();
  };

  async function load(request: FastifyRequest) {
    const { attemptId, round } = request.query as { attemptId?: string; round?: string };
    if (!isUuid(attemptId)) return null;
    const attempt = await db.pageAttempt.findUnique({ where: { id: attemptId }, include: { page: true } });
    if (!attempt) return null;
    const details = await loadRequestDetails(db, templates, attempt.page.caseId, paging.zone);
    return {
      attempt,
      round: Number(round ?? 0) || 0,
      vars: { ...details, replyCode: attempt.page.replyCode },
    };
  }

  const settled = (status: string) => status !== 'SCHEDULED' && status !== 'PAGING';

  app.post('/twilio/voice/page', { config: { access: 'twilio' } }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const r = new VoiceResponse();
    try {
      const found = await load(request);
      if (!found || settled(found.attempt.page.status)) {
        r.say(SAY, templates.render('voice/oncall-page-closed', 'fr'));
        r.hangup();
        return twiml(reply, r);
      }
      const { attempt, round, vars } = found;
      if (MACHINE.test(params.AnsweredBy ?? '')) {
        r.say(SAY, templates.render('voice/oncall-page-intro', 'fr', vars));
        r.say(SAY, templates.render('voice/oncall-page-voicemail', 'fr', vars));
        r.hangup();
        await attemptFailed(paging, attempt.id, 'MACHINE');
        return twiml(reply, r);
      }
      const gather = r.gather({
        input: ['dtmf'],
        numDigits: 1,
        timeout: 8,
        action: `/twilio/voice/page/answer?attemptId=${attempt.id}&round=${round}`,
        method: 'POST',
      });
      gather.say(SAY, templates.render('voice/oncall-page-intro', 'fr', vars));
      gather.say(SAY, templates.render('voice/oncall-page-menu', 'fr', vars));
      if (round + 1 < MAX_ROUNDS) r.redirect({ method: 'POST' }, pageUrl(attempt.id, round + 1));
      else r.say(SAY, templates.render('voice/oncall-page-goodbye', 'fr', vars));
      return twiml(reply, r);
    } catch (err) {
      logger.error({ err, callSid: params.CallSid }, 'page call TwiML failed: the SMS carries the page');
      r.hangup();
      return twiml(reply, r);
    }
  });

  app.post('/twilio/voice/page/answer', { config: { access: 'twilio' } }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const r = new VoiceResponse();
    try {
      const found = await load(request);
      if (!found) {
        r.say(SAY, templates.render('voice/oncall-page-closed', 'fr'));
        r.hangup();
        return twiml(reply, r);
      }
      const { attempt, round, vars } = found;
      switch (params.Digits) {
        case '1': {
          const result = await acknowledge(paging, attempt.id, 'key');
          r.say(
            SAY,
            templates.render(
              result.outcome === 'accepted' ? 'voice/oncall-page-accepted' : 'voice/oncall-page-closed',
              'fr',
              vars,
            ),
          );
          r.hangup();
          break;
        }
        case '2':
          await attemptFailed(paging, attempt.id, 'REFUSED');
          r.say(SAY, templates.render('voice/oncall-page-refused', 'fr', vars));
          r.hangup();
          break;
        case '9':
          r.redirect({ method: 'POST' }, pageUrl(attempt.id, round));
          break;
        default:
          if (params.Digits) r.say(SAY, templates.render('voice/oncall-page-not-understood', 'fr'));
          r.redirect({ method: 'POST' }, pageUrl(attempt.id, round + 1));
      }
      return twiml(reply, r);
    } catch (err) {
      logger.error({ err, callSid: params.CallSid }, 'page answer failed: the SMS carries the page');
      r.hangup();
      return twiml(reply, r);
    }
  });
}
