import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/platform/auth/passwords.js';
import { type Harness, startHarness, TEST_PASSWORD } from '../support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const get = (url: string, token?: string) =>
  h.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('authentication and roles', () => {
  it('logs an agent in with a memory-hard password hash and returns a session token', async () => {
    const token = await h.login('AGENT');
    expect(token).toMatch(/^ccs_/);
    const me = await get('/api/auth/me', token);
    expect(me.json()).toMatchObject({ kind: 'user', role: 'AGENT' });
    const user = await h.services.db.user.findFirstOrThrow({ where: { role: 'AGENT' } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a wrong password without telling whether the account exists', async () => {
    await h.login('AGENT');
    const user = await h.services.db.user.findFirstOrThrow({ where: { role: 'AGENT' } });
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: user.email, password: 'nope' },
    });
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'nobody@test.example', password: TEST_PASSWORD },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('refuses sign-ins to an account after ten a minute, the right password too, and not to other accounts', async () => {
    const login = (email: string, password: string) =>
      h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    const email = 'cible@test.example';
    await h.services.db.user.create({
      data: { email, displayName: 'Cible', role: 'AGENT', passwordHash: await hashPassword(TEST_PASSWORD) },
    });
    const guesses = [];
    for (let i = 0; i < 10; i++) guesses.push((await login(email, `devine-${i}`)).statusCode);
    expect(guesses).toEqual(Array(10).fill(401));
    // The same account, however its address is written: refused, even with the right password.
    const blocked = await login('CIBLE@test.example', TEST_PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ error: 'too_many_requests' });
    // Another agent signs in meanwhile.
    expect(await h.login('AGENT')).toMatch(/^ccs_/);
  });

  it('refuses API routes without a token (401) and with the wrong role (403)', async () => {
    expect((await get('/api/cases')).statusCode).toBe(401);
    expect((await get('/api/cases', 'ccs_forged')).statusCode).toBe(401);
    const agent = await h.login('AGENT');
    expect((await get('/api/cases', agent)).statusCode).toBe(200);
    const create = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-tokens',
      headers: { authorization: `Bearer ${agent}` },
      payload: { name: 'x', role: 'IMPORT' },
    });
    expect(create.statusCode).toBe(403);
  });

  it('lets an admin create an API token, shown once and kept only as a hash, for machine clients', async () => {
    const admin = await h.login('ADMIN');
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-tokens',
      headers: { authorization: `Bearer ${admin}` },
      payload: { name: 'imports', role: 'INTEGRATION' },
    });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json() as { token: string; id: string };
    const row = await h.services.db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).not.toContain(token);
    expect((await get('/api/events?after=0-0', token)).statusCode).toBe(200);
    // A machine token is not a console user.
    expect((await get('/api/cases', token)).statusCode).toBe(403);
    const audit = await h.services.db.auditLog.findFirst({
      where: { action: 'api-token.created', entityId: id },
    });
    expect(audit).not.toBeNull();
  });

  it('shows an agent only the cases of their own agency (and those of none)', async () => {
    const db = h.services.db;
    const region = await db.region.create({ data: { code: 'RA', name: 'R' } });
    const lyon = await db.agency.create({ data: { code: 'AL', name: 'Lyon', regionId: region.id } });
    const metz = await db.agency.create({ data: { code: 'AM', name: 'Metz', regionId: region.id } });
    const lyonCase = await db.case.create({ data: { category: 'test', subject: 'Lyon', agencyId: lyon.id } });
    const metzCase = await db.case.create({ data: { category: 'test', subject: 'Metz', agencyId: metz.id } });
    const token = await h.login('AGENT');
    const me = (await get('/api/auth/me', token)).json() as { id: string };
    const user = await db.user.update({ where: { id: me.id }, data: { agencyId: lyon.id } });
    const session = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: user.email, password: TEST_PASSWORD },
    });
    const agent = (session.json() as { token: string }).token;
    const listed = (await get('/api/cases', agent)).json() as Array<{ id: string }>;
    expect(listed.map((c) => c.id)).toContain(lyonCase.id);
    expect(listed.map((c) => c.id)).not.toContain(metzCase.id);
    expect((await get(`/api/cases/${metzCase.id}`, agent)).statusCode).toBe(404);
    expect((await get(`/api/cases/${lyonCase.id}`, agent)).statusCode).toBe(200);
    const supervisor = await h.login('SUPERVISOR');
    expect((await get(`/api/cases/${metzCase.id}`, supervisor)).statusCode).toBe(200);
  });

  it('ends a session on logout', async () => {
    const token = await h.login('SUPERVISOR');
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/auth/logout',
          headers: { authorization: `Bearer ${token}` },
        })
      ).statusCode,
    ).toBe(204);
    expect((await get('/api/auth/me', token)).statusCode).toBe(401);
  });

  it('refuses to register a route that does not declare who may use it', async () => {
    const Fastify = (await import('fastify')).default;
    const { registerAccessControl } = await import('../../src/platform/auth/access.plugin.js');
    const app = Fastify();
    registerAccessControl(app, {
      db: h.services.db,
      redis: h.services.redis,
      twilioAuthToken: 't',
      publicBaseUrl: 'https://x',
    });
    expect(() => app.get('/open-by-mistake', async () => 'oops')).toThrow(
      'route GET /open-by-mistake must declare config.access',
    );
    await app.close();
  });
});

describe('operations endpoints', () => {
  it('reports liveness, readiness, metrics and the OpenAPI description', async () => {
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await get('/readyz')).json()).toEqual({ status: 'ready', postgres: true, redis: true });
    const metrics = await get('/metrics');
    expect(metrics.body).toContain('http_request_duration_seconds');
    expect(metrics.body).toContain('voice_fallbacks_total');
    const openapi = (await get('/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/cases', '/twilio/voice/incoming']),
    );
  });
});
