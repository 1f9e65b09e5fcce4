import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { PlatformSettings } from '../config.js';
import type { Db } from '../db/client.js';
import { ApiErrorBody } from '../http/common.schemas.js';
import type { Redis } from '../redis.js';
import { LoginReply } from './auth.schemas.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { STAFF } from './principal.js';
import { bearerToken, createApiToken, createSession, endSession } from './tokens.js';

const LoginBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
const TokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.Union([Type.Literal('IMPORT'), Type.Literal('INTEGRATION')]),
  },
  { additionalProperties: false },
);

// Verifying against a real hash when the account does not exist keeps timing from telling
// which e-mail addresses have accounts.
let decoyHash: Promise<string> | undefined;

export interface AuthDeps {
  db: Db;
  redis: Redis;
  settings: Pick<PlatformSettings, 'sessionTtlSeconds' | 'loginPerMinute'>;
}

export function authRoutes(
  app: FastifyInstance,
  { db, redis, settings }: AuthDeps,
  /** Told of a logout once its session is gone: the consoles opened with it are closed. */
  sessionEnded: (token: string) => void = () => {},
): void {
  app.post(
    '/api/auth/login',
    {
      config: {
        access: 'public',
        // Per account, whatever the address it is tried from (a password guessed from many
        // machines), and not per address: a contact centre's agents sign in from one office
        // address at the start of a shift. Counted once the body is read (it names the account).
        rateLimit: {
          max: settings.loginPerMinute,
          timeWindow: 60_000,
          hook: 'preHandler',
          keyGenerator: (request) => (request.body as { email: string }).email.toLowerCase(),
        },
      },
      schema: {
        tags: ['auth'],
        body: LoginBody,
        response: { 200: LoginReply, 401: ApiErrorBody, 429: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body as { email: string; password: string };
      const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
      decoyHash ??= hashPassword('decoy-password-never-used');
      const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash), password);
      if (!user?.active || !valid)
        return reply
          .code(401)
          .send({ error: 'invalid_credentials', message: 'e-mail ou mot de passe incorrect' });
      const principal = {
        kind: 'user' as const,
        id: user.id,
        role: user.role,
        agencyId: user.agencyId,
        displayName: user.displayName,
        locale: user.locale,
      };
      const token = await createSession(redis, principal, settings.sessionTtlSeconds);
      await db.auditLog.create({
        data: { actorType: 'USER', actorId: user.id, action: 'login', entity: 'user', entityId: user.id },
      });
      return { token, user: principal };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: { users: STAFF } }, schema: { tags: ['auth'] } },
    async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (token) {
        await endSession(redis, token);
        sessionEnded(token);
      }
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    { config: { access: { users: STAFF } }, schema: { tags: ['auth'] } },
    async (request) => request.principal,
  );

  app.post(
    '/api/admin/api-tokens',
    { config: { access: { users: ['ADMIN'] } }, schema: { tags: ['auth'], body: TokenBody } },
    async (request, reply) => {
      const { name, role } = request.body as { name: string; role: 'IMPORT' | 'INTEGRATION' };
      const principal = request.principal!;
      const created = await createApiToken(db, name, role, principal.id);
      await db.auditLog.create({
        data: {
          actorType: 'USER',
          actorId: principal.id,
          action: 'api-token.created',
          entity: 'api_token',
          entityId: created.id,
          data: { name, role },
        },
      });
      // The token is shown once; only its hash is kept.
      return reply.code(201).send({ id: created.id, token: created.token, name, role });
    },
  );
}
