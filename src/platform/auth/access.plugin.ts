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
  interface FastifyInstance {
    /** Who may use each route ("GET /api/cases/:id"), as declared: the access test's inventory. */
    routeAccess: Map<string, Access>;
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
  app.decorate('routeAccess', new Map<string, Access>());

  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    // Routes added by plugins we trust (static files, API docs) are public on purpose.
    const pluginRoute =
      route.url.startsWith('/docs') || route.url.startsWith('/console') || route.prefix === '/console';
    if (!access && !pluginRoute && route.method !== 'HEAD') {
      throw new Error(`route ${route.method} ${route.url} must declare config.access`);
    }
    if (!access) return;
    for (const method of [route.method].flat()) app.routeAccess.set(`${method} ${route.url}`, access);
    // The caller is checked before anything of the request is read: a bearer token as the request
    // arrives (an unauthenticated body is never parsed, nor its schema errors told), Twilio's
    // signature once the form it covers is parsed, before its validation.
    if (access === 'twilio') route.preValidation = [checkSignature, ...[route.preValidation ?? []].flat()];
    else if (access !== 'public')
      route.onRequest = [authenticate(deps, access), ...[route.onRequest ?? []].flat()];
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
