import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import type { Services } from '../services.js';
import { stateKey } from './agent-state.store.js';
import { callWebhookRoutes } from './call-webhooks.routes.js';
import { distributionDeps } from './distribution.deps.js';
import { AcceptedCall, HoldBody, HoldReply, SoftphoneToken, TransferBody } from './distribution.schemas.js';
import { figuresRoutes } from './figures.routes.js';
import { hangUpCall, holdCall, transferCurrentCall } from './in-call.service.js';
import { acceptCall, declineCall } from './offers.service.js';
import { SoftphoneNotConfigured, softphoneToken } from './softphone.js';

const OfferParams = Type.Object({ offerId: Type.String({ pattern: '^CA[0-9A-Za-z]{8,64}\\.[0-9]{1,6}$' }) });

/** The agents' api for calls: offers, the call in progress, the softphone; and Twilio's webhooks. */
export function distributionRoutes(app: FastifyInstance, services: Services): void {
  figuresRoutes(app, services);
  callWebhookRoutes(app, services);
  const deps = distributionDeps(services);
  const staff = { access: { users: STAFF } };
  const me = (request: { principal: unknown }) =>
    request.principal as { id: string; displayName: string; agencyId: string | null };
  const notOnACall = { error: 'no_call', message: 'you are not on a call' };
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
    '/api/calls/softphone-token',
    {
      // Only agents take calls.
      config: { access: { users: ['AGENT'] } },
      schema: {
        tags: ['calls'],
        summary: "The console's softphone registration: a Twilio access token, or the simulator's",
        response: { 200: SoftphoneToken, 403: ApiErrorBody, 503: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const principal = request.principal as { id: string };
      try {
        return softphoneToken(
          services.settings.telephony,
          services.settings.twilio.accountSid,
          services.settings.softphone,
          principal.id,
          services.clock.now(),
        );
      } catch (err) {
        if (!(err instanceof SoftphoneNotConfigured)) throw err;
        return reply.code(503).send({ error: 'softphone_not_configured', message: err.message });
      }
    },
  );

  app.post(
    '/api/calls/current/hold',
    {
      config: staff,
      schema: {
        tags: ['calls'],
        summary: 'The agent puts the caller on hold, or takes them back',
        body: HoldBody,
        response: { 200: HoldReply, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const held = await holdCall(deps, me(request).id, (request.body as HoldBody).on);
      return held ?? reply.code(409).send(notOnACall);
    },
  );

  app.post(
    '/api/calls/current/transfer',
    {
      config: staff,
      schema: {
        tags: ['calls'],
        summary: 'The agent hands the call back to the queue, or to an available colleague',
        body: TransferBody,
        response: { 200: Type.Object({ callSid: Type.String() }), 409: ApiErrorBody, 422: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body as TransferBody;
      const agent = me(request);
      if (body.to === 'agent') {
        if (!body.agentId)
          return reply
            .code(422)
            .send({ error: 'agent_required', message: 'say which colleague takes the call' });
        if (body.agentId === agent.id)
          return reply.code(422).send({ error: 'same_agent', message: 'you are on this call already' });
        const target = await services.redis.hGet(stateKey(body.agentId), 'state');
        if (target !== 'AVAILABLE')
          return reply.code(409).send({
            error: 'agent_unavailable',
            message: 'this colleague is not available: choose another, or the queue',
          });
      }
      const moved = await transferCurrentCall(
        deps,
        agent,
        body.to === 'agent' && body.agentId ? { agentId: body.agentId } : null,
      );
      return moved ?? reply.code(409).send(notOnACall);
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
      if (!(await hangUpCall(deps, me(request).id))) return reply.code(409).send(notOnACall);
      return reply.code(204).send();
    },
  );
}
