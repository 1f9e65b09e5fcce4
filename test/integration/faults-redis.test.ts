import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import { startPagingWorker } from '../../src/oncall/paging.worker.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type AgencyFixture, createAgency, pageGivenUp } from '../support/oncall-fixture.js';
import { PhoneCall } from '../support/phone-call.js';
import { redisUrlForWorker } from '../support/redis-db.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTwilioApi, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// Redis goes away while a night call's page is being sent (issue 20's fault injection): the
// service reaches Redis through a proxy this test owns and cuts, never the server other tests
// share. The cut comes as the technician's call reaches Twilio: the call still leaves (the attempt
// sends it with PostgreSQL alone), /readyz says not ready, the fault is logged and counted. Once
// Redis is back the attempt is taken over, its SMS and acknowledgement timer follow, and the page
// goes on to the next attempts: every call and SMS sent once.

const LINE = '+33970000001';
const twilioApi = createTwilioApi();
const logged: string[] = [];
let proxy: TcpProxy;
let h: Harness;
let agency: AgencyFixture;
const workers: Stoppable[] = [];

beforeAll(async () => {
  twilioApi.listen();
  const redis = new URL(redisUrlForWorker());
  proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  redis.port = String(proxy.port);
  h = await startHarness({
    redisUrl: redis.toString(),
    clock: runningFrom(at('2026-11-24T22:30')),
    env: {
      ...TWILIO_TEST_ENV,
      // A job whose worker lost Redis is taken over a second after Redis is back.
      JOB_LOCK_MS: '1000',
      ONCALL_RETRY_DELAY_SECONDS: '0',
      ONCALL_ACK_TIMEOUT_SECONDS: '2',
      ONCALL_MANAGER_MAX_ATTEMPTS: '1',
    },
    logger: createLogger('info', { write: (line: string) => logged.push(line) }),
  });
  agency = await createAgency(h.services.db);
  workers.push(startPagingWorker(h.services), startOutboxWorker(h.services, { lockDurationMs: 1000 }));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(true)));
  await h?.close();
  await proxy?.close();
  twilioApi.close();
});

const readiness = async () => (await h.app.inject({ method: 'GET', url: '/readyz' })).json();
const redisErrors = async () => {
  const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
  return Number(/^redis_connection_errors_total (\d+)/m.exec(text)?.[1] ?? 0);
};

describe('Redis unreachable while a page is sent', () => {
  it('[ON-5] [ON-9] places the call, says not ready, logs and counts it, and pages on once back: each call and SMS once', async () => {
    const { technician, manager } = agency;
    // Redis goes away once the caller has hung up (the recording may release the page before).
    let cut = false;
    let hungUp = () => {};
    const callerGone = new Promise<void>((resolve) => {
      hungUp = resolve;
    });
    twilioApi.onCreate(async (kind, phase) => {
      if (kind === 'call' && phase === 'received' && !cut) {
        cut = true;
        await callerGone;
        proxy.cut();
      }
    });

    await new PhoneCall(h, agency.callers.covered, LINE).reportBreakdown();
    hungUp();

    await until(async () => cut, 10_000, 'the page call at Twilio');
    await until(
      async () => twilioApi.calls.filter((c) => c.to === technician.mobile).length === 1,
      10_000,
      'the call placed while Redis is away',
    );
    expect(await readiness()).toEqual({ status: 'not_ready', postgres: true, redis: false });
    await until(async () => (await redisErrors()) > 0, 10_000, 'the fault counted');
    expect(logged.some((line) => line.includes('redis connection problem'))).toBe(true);

    proxy.restore();
    await until(async () => (await readiness()).status === 'ready', 20_000, 'ready again');
    // Nobody acknowledges: the technician's second attempt, then the regional manager's one.
    const page = await pageGivenUp(h.services.db, agency.agencyId, 60_000);
    await h.drained();

    expect(page.attempts.map((a) => a.target)).toEqual(['TECHNICIAN', 'TECHNICIAN', 'MANAGER']);
    const to = (mobile: string) => ({
      calls: twilioApi.calls.filter((c) => c.to === mobile).length,
      sms: twilioApi.messages.filter((m) => m.to === mobile && m.body?.startsWith('ASTREINTE')).length,
    });
    expect(to(technician.mobile)).toEqual({ calls: 2, sms: 2 });
    expect(to(manager.mobile)).toEqual({ calls: 1, sms: 1 });
    const rows = await h.services.db.message.findMany({
      where: { to: { in: [technician.mobile, manager.mobile] }, purpose: 'oncall-page' },
    });
    expect(rows.filter((r) => r.status === 'QUEUED' || r.status === 'SENDING')).toEqual([]);
    expect(new Set(rows.map((r) => r.providerId)).size).toBe(rows.length);
  }, 120_000);
});
