import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.js';
import type { Redis } from '../redis.js';
import { twilioSignatureCheck } from '../twilio-webhook.js';
import { type Access, allows, type Principal } from './principal.js';
import { bearerToken, resolveToken } from './tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

interface AccessDeps {
  db: Db;
  redis: Redis;
  twilioAuthToken: string;
  publicBaseUrl: string;
}

/**
 * Roles are enforced on every route: a route that does not declare `config.access` refuses to
 * register, so nothing is left open by omission.
 */
export function registerAccessControl(app: FastifyInstance, deps: AccessDeps): void {
  const checkSignature = twilioSignatureCheck(deps.twilioAuthToken, deps.publicBaseUrl);
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    // Routes added by plugins we trust (static files, API docs) are public on purpose.
    const pluginRoute =
      route.url.startsWith('/docs') || route.url.startsWith('/console') || route.prefix === '/console';
    if (!access && !pluginRoute && route.method !== 'HEAD') {
      throw new Error(`route ${route.method} ${route.url} must declare config.access`);
    }
    if (!access) return;
    const handlers = [route.preHandler ?? []].flat();
    if (access === 'twilio') route.preHandler = [checkSignature, ...handlers];
    else if (access !== 'public') route.preHandler = [authenticate(deps, access), ...handlers];
  });
}

function authenticate(deps: AccessDeps, access: Exclude<Access, 'public' | 'twilio'>) {
  return async function requirePrincipal(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    const principal = token ? await resolveToken(deps.db, deps.redis, token) : null;
    if (!principal) {
      await reply.code(401).send({ error: 'unauthenticated', message: 'a valid bearer token is required' });
      return;
    }
    if (!allows(access, principal)) {
      await reply
        .code(403)
        .send({ error: 'forbidden', message: `role ${principal.role} may not use this route` });
      return;
    }
    request.principal = principal;
  };
}
