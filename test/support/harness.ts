import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { hashPassword } from '../../src/platform/auth/passwords.js';
import { signTwilioRequest, type TwilioParams } from '../../src/platform/twilio-webhook.js';
import { createServices, type ServiceOverrides, type Services } from '../../src/services.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { createTestDatabase } from '../helpers/database.js';
import { runningFrom, TEST_START } from './clock.js';
import { freePort } from './free-port.js';
import { flushRedis, redisUrlForWorker } from './redis-db.js';
import { drained } from './until.js';

export const TEST_PASSWORD = 'correct horse battery';

export interface Harness {
  app: FastifyInstance;
  services: Services;
  settings: Settings;
  /** POSTs form params to a Twilio webhook path, signed as Twilio would sign them. */
  twilioPost(
    path: string,
    params: TwilioParams,
    options?: { signature?: string | null },
  ): Promise<LightMyRequestResponse>;
  /** Creates a user of that role (attached to an agency if given) and returns a bearer token for it. */
  login(role: 'AGENT' | 'SUPERVISOR' | 'ADMIN', options?: { agencyId?: string }): Promise<string>;
  /** An API token of that role for a machine client, made by an administrator through the api. */
  apiToken(role: 'IMPORT' | 'INTEGRATION', name?: string): Promise<string>;
  /**
   * Waits until the service's queues (outbox, paging, alert notices) have done what is due now,
   * or within `horizonMs` (a delay the test wants passed: an acknowledgement timeout, reminders).
   */
  drained(horizonMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions extends ServiceOverrides {
  env?: Record<string, string>;
  /** Reuse a database (a second api process on the same store). */
  databaseUrl?: string;
  /** Keep Redis as it is (a second process sharing it). */
  keepRedis?: boolean;
  /** Reach this file's Redis database another way (through a fault test's proxy). */
  redisUrl?: string;
  listen?: boolean;
  /**
   * Listens on a free port that PUBLIC_BASE_URL names, so that what the service posts to its own
   * webhooks over HTTP (the simulator's status callbacks, as a worker process does) arrives.
   */
  listenOnPublicUrl?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = options.databaseUrl ? null : await createTestDatabase();
  const redisUrl = options.redisUrl ?? redisUrlForWorker();
  if (!options.keepRedis) await flushRedis(redisUrl);
  const port = options.listenOnPublicUrl ? await freePort() : 0;
  const settings = loadSettings(
    {
      DATABASE_URL: options.databaseUrl ?? database!.url,
      REDIS_URL: redisUrl,
      PUBLIC_BASE_URL: port ? `http://127.0.0.1:${port}` : 'https://contact-centre.test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SEND_BACKOFF_MS: '50',
      // Tests run at any hour: quiet hours only where a test sets them.
      QUIET_HOURS: 'none',
      QUIET_DAYS: '',
      LINK_SIGNING_SECRET: 'test-link-signing-secret-0123456789',
      ...options.env,
    },
    [],
  );
  // No test depends on the day it is run: the service's clock starts where the test says, or at
  // TEST_START, and runs on at the real pace.
  const services = await createServices(settings, {
    ...options,
    clock: options.clock ?? runningFrom(TEST_START),
  });
  const app = await buildApp(services);
  if (options.listen || port) await app.listen({ port, host: '127.0.0.1' });
  else await app.ready();

  let users = 0;
  const harness: Harness = {
    app,
    services,
    settings,
    twilioPost(path, params, { signature } = {}) {
      const url = `${settings.publicBaseUrl}${path}`;
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      const sig =
        signature === undefined ? signTwilioRequest(settings.twilio.authToken, url, params) : signature;
      if (sig !== null) headers['x-twilio-signature'] = sig;
      return app.inject({
        method: 'POST',
        url: path,
        headers,
        payload: new URLSearchParams(params).toString(),
      });
    },
    async login(role, { agencyId } = {}) {
      users += 1;
      const email = `${role.toLowerCase()}${users}-${Date.now()}@test.example`;
      await services.db.user.create({
        data: {
          email,
          displayName: `${role} ${users}`,
          role,
          agencyId: agencyId ?? null,
          passwordHash: await hashPassword(TEST_PASSWORD),
        },
      });
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email, password: TEST_PASSWORD },
      });
      if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
      return (response.json() as { token: string }).token;
    },
    async apiToken(role, name = role.toLowerCase()) {
      const admin = await harness.login('ADMIN');
      const created = await app.inject({
        method: 'POST',
        url: '/api/admin/api-tokens',
        headers: { authorization: `Bearer ${admin}` },
        payload: { name, role },
      });
      if (created.statusCode !== 201) throw new Error(`API token not created: ${created.body}`);
      return (created.json() as { token: string }).token;
    },
    drained(horizonMs) {
      const { outboxQueues, pagingQueue, notices } = services;
      return drained([...Object.values(outboxQueues), pagingQueue, notices.queue], horizonMs);
    },
    async close() {
      await app.close();
      await services.close();
      await database?.drop();
    },
  };
  return harness;
}
