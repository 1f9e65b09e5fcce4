import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { toNational } from '../identification/phone-number.js';
import { VOICE_LANGUAGE } from '../ivr/flow-engine.js';
import { sendTwiml, type TwilioParams } from '../platform/twilio-webhook.js';
import type { Services } from '../services.js';
import { callEnded } from './call-end.service.js';
import { callOfOffer, placeOf } from './call-queue.js';
import { distributionDeps } from './distribution.deps.js';
import { agentDidNotPickUp } from './in-call.service.js';
import { keepPlaceForCallback } from './queueing.service.js';
import { softphoneIdentity } from './softphone.js';

const { VoiceResponse } = twilio.twiml;

const twilioAccess = { access: 'twilio' } as const;

/**
 * What Twilio asks while the service moves a caller to an agent and back: ring the agent who
 * accepted (softphone or phone), hold, requeue, the waiting caller's choice, a callback, the end
 * of the agent's leg. A caller never hears an error: a failure answers the apology and voicemail.
 */
export function callWebhookRoutes(app: FastifyInstance, services: Services): void {
  const deps = distributionDeps(services);

  // Twilio fetches this when the accepted call is moved out of the queue: ring the agent.
  app.post('/twilio/voice/connect', { config: twilioAccess }, (request, reply) =>
    answerSafely(request, reply, 'could not ring the agent', (params, offer) =>
      ringAgentTwiml(params.CallSid ?? '', offer, params.From, null),
    ),
  );

  // The caller who kept their place picked up our callback: greet them, ring the agent.
  app.post('/twilio/voice/callback-answered', { config: twilioAccess }, (request, reply) =>
    answerSafely(request, reply, 'could not ring the agent for a callback', (_params, offer) =>
      ringAgentTwiml(callOfOffer(offer), offer, null, 'voice/callback-greeting'),
    ),
  );

  // The caller put on hold waits in a hold queue of their own, with its messages.
  app.post('/twilio/voice/hold', { config: twilioAccess }, (request, reply) =>
    answerSafely(request, reply, 'could not hold the caller', async (params) => {
      const locale = (await services.callStates.get(params.CallSid ?? ''))?.locale ?? 'fr';
      const r = new VoiceResponse();
      r.say({ language: VOICE_LANGUAGE[locale] }, services.templates.render('voice/on-hold', locale));
      r.enqueue(
        { waitUrl: '/twilio/voice/hold-wait', waitUrlMethod: 'POST' },
        `hold-${params.CallSid ?? ''}`,
      );
      return r.toString();
    }),
  );

  app.post('/twilio/voice/hold-wait', { config: twilioAccess }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const locale = (await services.callStates.get(params.CallSid ?? '').catch(() => null))?.locale ?? 'fr';
    const r = new VoiceResponse();
    r.say({ language: VOICE_LANGUAGE[locale] }, services.templates.render('voice/on-hold-wait', locale));
    r.pause({ length: 15 });
    return sendTwiml(reply, r.toString());
  });

  // A call handed back to the queue: the caller waits again as when they first came.
  app.post('/twilio/voice/requeue', { config: twilioAccess }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const state = params.CallSid ? await services.callStates.get(params.CallSid).catch(() => null) : null;
    return sendTwiml(reply, state?.reply ?? services.voice.apology('fr'));
  });

  // A caller waiting presses 1 (called back, keeping their place) or 2 (a message).
  app.post('/twilio/voice/queue-choice', { config: twilioAccess }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const leave = new VoiceResponse().leave().toString();
    try {
      const state = params.CallSid ? await services.callStates.get(params.CallSid) : null;
      if (
        params.Digits === '1' &&
        state?.from &&
        (await keepPlaceForCallback(deps, state.callSid, state.from))
      )
        return sendTwiml(reply, leave);
      // The queue's way out: the flow goes on to its message.
      if (params.Digits === '2') return sendTwiml(reply, leave);
    } catch (err) {
      request.log.error({ err, callSid: params.CallSid }, 'queue choice not kept: the caller waits on');
    }
    // Anything else: back to waiting (Twilio asks the wait URL again).
    return sendTwiml(reply, new VoiceResponse().toString());
  });

  // The agent's leg ended: the call is over, or the agent's phone did not pick up.
  app.post('/twilio/voice/agent-leg', { config: twilioAccess }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const { offer } = request.query as { offer?: string };
    // The queued call the offer was for (a callback's leg has a CallSid of its own).
    const callSid = offer?.includes('.') ? callOfOffer(offer) : (params.CallSid ?? '');
    const answered = params.DialCallStatus === 'completed' || params.DialCallStatus === 'answered';
    const hangUp = new VoiceResponse().hangup().toString();
    const place = await placeOf(services.redis, callSid);
    // The leg of a call put on hold, handed on, or taken since by another offer: the call goes on.
    if (place && (place.held || place.state !== 'connected' || (offer && place.offerId !== offer)))
      return sendTwiml(reply, new VoiceResponse().toString());
    if (!answered) {
      if (await agentDidNotPickUp(deps, callSid)) {
        // Back in their place: a caller on the line hears the same hold music and wait as before;
        // one we called back is told they will be called again.
        const state = await services.callStates.get(callSid);
        if (!place?.callback && state) return sendTwiml(reply, state.reply);
        if (place?.callback)
          return sendTwiml(
            reply,
            services.voice.say(
              state?.locale ?? 'fr',
              services.templates.render('voice/callback-kept', state?.locale ?? 'fr', {
                number: toNational(place.callback),
              }),
            ),
          );
      }
    }
    await callEnded(deps, callSid, 'hung-up');
    return sendTwiml(reply, hangUp);
  });

  // Our callback's call ended (the customer hung up, or never answered).
  app.post('/twilio/voice/callback-status', { config: twilioAccess }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const { offer } = request.query as { offer?: string };
    const status = params.CallStatus ?? '';
    if (offer?.includes('.') && ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status))
      await callEnded(deps, callOfOffer(offer), 'hung-up');
    return reply.code(204).send();
  });

  /** TwiML from `answer`, or the apology and a voicemail: a caller never hears an error. */
  async function answerSafely(
    request: FastifyRequest,
    reply: FastifyReply,
    failure: string,
    answer: (params: TwilioParams, offer: string) => Promise<string>,
  ) {
    const { offer } = request.query as { offer?: string };
    const params = (request.body ?? {}) as TwilioParams;
    try {
      if (!offer?.includes('.')) throw new Error('no offer in the URL');
      return sendTwiml(reply, await answer(params, offer));
    } catch (err) {
      request.log.error({ err, callSid: params.CallSid, offer }, failure);
      return sendTwiml(reply, services.voice.apology('fr'));
    }
  }

  /** Rings the agent who accepted `offer` (softphone or phone), after an optional greeting. */
  async function ringAgentTwiml(
    callSid: string,
    offer: string,
    callerNumber: string | null | undefined,
    greeting: string | null,
  ): Promise<string> {
    const place = await placeOf(services.redis, callSid);
    const state = await services.callStates.get(callSid);
    const locale = state?.locale ?? 'fr';
    if (place?.state !== 'connected' || !place.agentId || place.offerId !== offer) {
      services.logger.warn({ callSid, offer }, 'agent to ring for a call no agent has taken');
      return services.voice.apology(locale);
    }
    const agent = await services.db.user.findUnique({
      where: { id: place.agentId },
      select: { agentPhone: true },
    });
    const r = new VoiceResponse();
    if (greeting) r.say({ language: VOICE_LANGUAGE[locale] }, services.templates.render(greeting, locale));
    const dial = r.dial({
      action: `/twilio/voice/agent-leg?offer=${encodeURIComponent(offer)}`,
      method: 'POST',
      timeout: services.settings.distribution.agentRingSeconds,
      // The caller's number shows on the agent's phone, as it would on a desk phone.
      ...(callerNumber && callerNumber !== 'anonymous' ? { callerId: callerNumber } : {}),
    });
    if (agent?.agentPhone) dial.number(agent.agentPhone);
    else dial.client(softphoneIdentity(place.agentId));
    return r.toString();
  }
}
