import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { distributionDeps } from './agents/distribution.deps.js';
import { startHeartbeat } from './agents/heartbeat.js';
import { consoleClosed } from './agents/offers.service.js';
import { consoleSite } from './console-site/site.js';
import { MODULES } from './modules.js';
import { registerAccessControl } from './platform/auth/access.plugin.js';
import { authRoutes } from './platform/auth/auth.routes.js';
import { registerRateLimits } from './platform/http/rate-limit.js';
import { registerFormParser } from './platform/twilio-webhook.js';
import { followEvents } from './realtime/event-bus.js';
import { eventStreamRoutes } from './realtime/event-stream.routes.js';
import { presenceRoutes } from './realtime/presence.routes.js';
import { attachSocketGateway } from './realtime/socket-gateway.js';
import type { Services } from './services.js';

/** Builds the api with every plugin and route; starts nothing (entry points listen). */
export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { settings, logger, metrics } = services;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: settings.bodyLimitBytes,
    // Behind N proxies, the client is N hops back in X-Forwarded-For (0: the connection's peer):
    // the hops nearest the api are trusted, never what a client wrote in the header itself.
    trustProxy: (_address: string, hop: number) => hop < settings.trustProxyHops,
    // Twilio's request ids are the useful ones to correlate; ours stay short.
    requestIdHeader: 'i-twilio-idempotency-token',
  });

  registerFormParser(app, settings.bodyLimitBytes);
  registerAccessControl(app, {
    db: services.db,
    redis: services.redis,
    twilioAuthToken: settings.twilio.authToken,
    publicBaseUrl: settings.publicBaseUrl,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    // The voice routes answer their own fallback TwiML; anything reaching here from Twilio's
    // voice path (e.g. a body too large) still gets TwiML a caller can hear.
    if (request.url.startsWith('/twilio/voice/') && status >= 500) {
      metrics.voiceFallbacks.inc({ reason: 'error-handler' });
      return reply.code(200).type('text/xml; charset=utf-8').send(services.voice.apology('fr'));
    }
    const code = error.validation
      ? 'invalid_request'
      : status === 413
        ? 'body_too_large'
        : status >= 500
          ? 'internal_error'
          : (error.code ?? 'bad_request').toLowerCase();
    return reply
      .code(status)
      .send({ error: code, message: status >= 500 ? 'internal error' : error.message });
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    if (reply.statusCode === 403 && request.url.startsWith('/twilio/'))
      metrics.webhooksRejected.inc({ route: request.routeOptions.url ?? request.url });
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Contact centre API',
        version: '0.1.0',
        description: 'REST API of the service line, messaging gateway and agent console.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await registerRateLimits(app, services.redis);
  await app.register(fastifyStatic, {
    root: await consoleSite(logger, settings),
    prefix: '/console/',
    index: ['index.html'],
  });
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/console/'),
  );
  app.get('/console', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/console/'),
  );
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  // A logout closes the session's consoles (the gateway is attached below, before any request).
  authRoutes(app, services, (token) => sockets.sessionEnded(token));
  for (const module of MODULES) if ('routes' in module) module.routes(app, services);

  // An agent closing their last console while a call rings there: the call goes to the next agent.
  const distribution = distributionDeps(services);
  const sockets = attachSocketGateway(app, services, {
    consoleClosed: (userId, othersOpen) => consoleClosed(distribution, userId, othersOpen),
  });
  presenceRoutes(app, services.db, sockets.online);
  const stopHeartbeat = startHeartbeat(
    services.redis,
    sockets.connectedHere,
    settings.agentOfflineGraceSeconds,
    (err) => logger.warn({ err }, 'agent heartbeat failed'),
  );
  const stream = eventStreamRoutes(app, services);
  let stopFollowing: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    stopFollowing = followEvents(
      services.redis,
      (event) => {
        sockets.relay(event);
        stream.relay(event);
      },
      (err) => logger.warn({ err }, 'event stream read failed; retrying'),
    );
  });
  app.addHook('onClose', async () => {
    stopHeartbeat();
    await stopFollowing?.();
  });

  return app;
}
