import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import twilio from 'twilio';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import type { TwilioParams } from '../platform/twilio-webhook.js';
import type { Services } from '../services.js';
import { placeOf } from './call-queue.js';
import { AcceptedCall } from './distribution.schemas.js';
import {
  acceptCall,
  agentDidNotPickUp,
  callEnded,
  declineCall,
  distributionDeps,
  hangUpCall,
} from './distribution.service.js';
import { figuresRoutes } from './figures.routes.js';

const { VoiceResponse } = twilio.twiml;

/** The softphone's identity at Twilio for an agent (the Voice SDK registers as it). */
export const softphoneIdentity = (userId: string) => `agent-${userId}`;

const OfferParams = Type.Object({ offerId: Type.String({ pattern: '^CA[0-9A-Za-z]{8,64}\\.[0-9]{1,6}$' }) });
/** How long the agent's phone rings before the caller goes back to waiting. */
const AGENT_RING_SECONDS = 20;
const twilioAccess = { access: 'twilio' } as const;

const sendTwiml = (reply: FastifyReply, twiml: string) =>
  reply.code(200).type('text/xml; charset=utf-8').send(twiml);

export function distributionRoutes(app: FastifyInstance, services: Services): void {
  figuresRoutes(app, services);
  const deps = distributionDeps(services);
  const staff = { access: { users: STAFF } };
  const me = (request: { principal: unknown }) =>
    request.principal as { id: string; displayName: string; agencyId: string | null };
  const noLonger = {
    error: 'offer_gone',
    message: 'this call is no longer offered to you: taken, expired or withdrawn',
  };

  app.post(
    '/api/calls/offers/:offerId/accept',
    {
      config: staff,
      schema: {
        tags: ['calls'],
        summary: 'The agent takes the call offered to them',
        params: OfferParams,
        response: { 200: AcceptedCall, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { offerId } = request.params as { offerId: string };
      const accepted = await acceptCall(deps, offerId, me(request));
      return accepted ?? reply.code(409).send(noLonger);
    },
  );

  app.post(
    '/api/calls/offers/:offerId/decline',
    {
      config: staff,
      schema: {
        tags: ['calls'],
        summary: 'The agent turns the offer down: it goes to the next agent',
        params: OfferParams,
        response: { 204: Type.Null(), 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { offerId } = request.params as { offerId: string };
      if (!(await declineCall(deps, offerId, me(request)))) return reply.code(409).send(noLonger);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/calls/current/hangup',
    {
      config: staff,
      schema: {
        tags: ['calls'],
        summary: 'The agent ends the call they are on; their wrap-up starts',
        response: { 204: Type.Null(), 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await hangUpCall(deps, me(request).id)))
        return reply.code(409).send({ error: 'no_call', message: 'you are not on a call' });
      return reply.code(204).send();
    },
  );

  // Twilio fetches this when the accepted call is moved out of the queue: ring the agent.
  app.post('/twilio/voice/connect', { config: twilioAccess }, async (request, reply) => {
    const { offer } = request.query as { offer?: string };
    const params = (request.body ?? {}) as TwilioParams;
    try {
      return sendTwiml(reply, await connectTwiml(params, offer));
    } catch (err) {
      // A caller never hears an error: the apology and a voicemail.
      request.log.error({ err, callSid: params.CallSid }, 'could not ring the agent');
      return sendTwiml(reply, services.voice.apology('fr'));
    }
  });

  async function connectTwiml(params: TwilioParams, offer: string | undefined): Promise<string> {
    const place = params.CallSid ? await placeOf(services.redis, params.CallSid) : null;
    const state = params.CallSid ? await services.callStates.get(params.CallSid) : null;
    if (place?.state !== 'connected' || !place.agentId || place.offerId !== offer) {
      services.logger.warn({ callSid: params.CallSid, offer }, 'connect for a call no agent has taken');
      return services.voice.apology(state?.locale ?? 'fr');
    }
    const agent = await services.db.user.findUnique({
      where: { id: place.agentId },
      select: { agentPhone: true },
    });
    const r = new VoiceResponse();
    const dial = r.dial({
      action: `/twilio/voice/agent-leg?offer=${encodeURIComponent(offer)}`,
      method: 'POST',
      timeout: AGENT_RING_SECONDS,
      // The caller's number shows on the agent's phone, as it would on a desk phone.
      ...(params.From && params.From !== 'anonymous' ? { callerId: params.From } : {}),
    });
    if (agent?.agentPhone) dial.number(agent.agentPhone);
    else dial.client(softphoneIdentity(place.agentId));
    return r.toString();
  }

  // The agent's leg ended: the call is over, or the agent's phone did not pick up.
  app.post('/twilio/voice/agent-leg', { config: twilioAccess }, async (request, reply) => {
    const params = (request.body ?? {}) as TwilioParams;
    const callSid = params.CallSid ?? '';
    const answered = params.DialCallStatus === 'completed' || params.DialCallStatus === 'answered';
    if (!answered && (await agentDidNotPickUp(deps, callSid))) {
      // Back in the queue in their place: the same hold music and wait as before.
      const state = await services.callStates.get(callSid);
      if (state) return sendTwiml(reply, state.reply);
    }
    await callEnded(deps, callSid, 'hung-up');
    return sendTwiml(reply, new VoiceResponse().hangup().toString());
  });
}
