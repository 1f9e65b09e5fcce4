import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createAgency, pageGivenUp } from '../support/oncall-fixture.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

// A night's paging with the worker process killed (SIGKILL) right after it claimed the first
// page message, and another worker process started in its place: the technician is paged once per
// attempt, the regional manager once. The api runs here (the simulator's phones report "no
// answer" to it over HTTP after their ring timeout); the workers are real processes on the same
// PostgreSQL and Redis, their clocks started at the same Tuesday night.

const TUESDAY_NIGHT = at('2026-11-24T22:30');
const ONCALL_ENV = {
  ONCALL_RETRY_DELAY_SECONDS: '0',
  ONCALL_RING_TIMEOUT_SECONDS: '5',
  ONCALL_ACK_TIMEOUT_SECONDS: '2',
  ONCALL_MANAGER_MAX_ATTEMPTS: '1',
};
let h: Harness;
let agent: string;
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  h = await startHarness({ clock: runningFrom(TUESDAY_NIGHT), env: ONCALL_ENV, listenOnPublicUrl: true });
  agent = await h.login('AGENT');
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await h?.close();
});

function startWorker(faultPoint?: string): WorkerProcess {
  const worker = startWorkerProcess({
    DATABASE_URL: h.settings.databaseUrl,
    REDIS_URL: h.settings.redisUrl,
    PUBLIC_BASE_URL: h.settings.publicBaseUrl,
    CLOCK_START: h.services.clock.now().toISOString(),
    QUIET_HOURS: 'none',
    QUIET_DAYS: '',
    SEND_BACKOFF_MS: '50',
    JOB_LOCK_MS: '1000',
    ...ONCALL_ENV,
    ...(faultPoint ? { FAULT_POINT: faultPoint } : {}),
  });
  processes.push(worker);
  return worker;
}

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

type Outbound = { sid: string; kind: string; to: string; body?: string };
const sentTo = async (mobile: string) =>
  ((await api('GET', '/api/simulator/outbound')).json() as Outbound[]).filter((i) => i.to === mobile);

describe('paging with a worker killed after its first claim', () => {
  it('[ON-9] pages the technician once per attempt and the regional manager once, then gives up', async () => {
    const agency = await createAgency(h.services.db);
    const first = startWorker('outbox.after-claim');

    const call = (
      await api('POST', '/api/simulator/calls', { from: agency.callers.covered, to: '+33970000001' })
    ).json() as {
      sid: string;
    };
    await api('POST', `/api/simulator/calls/${call.sid}/input`, { digits: '2' });
    await api('POST', `/api/simulator/calls/${call.sid}/input`, { digits: '1' });
    await api('POST', `/api/simulator/calls/${call.sid}/input`, { message: 'Plus de chauffage.' });

    const { signal } = await first.exited;
    expect(signal, first.output()).toBe('SIGKILL');
    // The attempt's call (sent by the attempt job) and its SMS (its own job) are claimed at the
    // same moment: the worker died holding one or both, neither handed to Twilio.
    const claimed = await h.services.db.message.findMany({ where: { status: 'SENDING' } });
    expect(claimed.length).toBeGreaterThanOrEqual(1);
    expect(claimed.every((m) => m.providerId === null)).toBe(true);

    startWorker();
    // Two technician attempts ring out unanswered, then the manager's one attempt: the page gives up.
    const page = await pageGivenUp(h.services.db, agency.agencyId, 90_000);
    await h.drained();

    const technician = await sentTo(agency.technician.mobile);
    const manager = await sentTo(agency.manager.mobile);
    expect(technician.filter((i) => i.kind === 'call')).toHaveLength(2);
    expect(technician.filter((i) => i.kind === 'sms' && i.body?.startsWith('ASTREINTE'))).toHaveLength(2);
    expect(manager.filter((i) => i.kind === 'call')).toHaveLength(1);
    expect(manager.filter((i) => i.kind === 'sms')).toHaveLength(1);
    expect(page.attempts.map((a) => [a.number, a.target])).toEqual([
      [1, 'TECHNICIAN'],
      [2, 'TECHNICIAN'],
      [3, 'MANAGER'],
    ]);
    // The claimed message went out once, recorded with its own id: none is left unsent.
    const rows = await h.services.db.message.findMany({
      where: { to: { in: [agency.technician.mobile, agency.manager.mobile] } },
    });
    expect(rows.filter((r) => r.status === 'SENDING' || r.status === 'QUEUED')).toEqual([]);
    expect(new Set(rows.map((r) => r.providerId)).size).toBe(rows.length);
  }, 120_000);
});

describe('paging with a worker killed between the end of an attempt and the next step', () => {
  it('[ON-9] goes on to the next attempts once the attempt is reported again, then the regional manager', async () => {
    // Only the worker under test runs jobs.
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    const agency = await createAgency(h.services.db);
    // Its customers were written straight to the database: indexed as an import would.
    await h.services.phoneIndex.rebuild();
    const first = startWorker('paging.after-attempt-ended');

    const call = (
      await api('POST', '/api/simulator/calls', { from: agency.callers.covered, to: '+33970000001' })
    ).json() as { sid: string };
    await api('POST', `/api/simulator/calls/${call.sid}/input`, { digits: '2' });
    await api('POST', `/api/simulator/calls/${call.sid}/input`, { digits: '1' });
    await api('POST', `/api/simulator/calls/${call.sid}/input`, { message: 'Fuite sous la chaudière.' });

    // The acknowledgement timer ended the first attempt; the worker died before the next step.
    const { signal } = await first.exited;
    expect(signal, first.output()).toBe('SIGKILL');
    const attempts = await h.services.db.pageAttempt.findMany({
      where: { page: { agencyId: agency.agencyId } },
    });
    expect(attempts.map((a) => a.outcome)).toEqual(['NO_ACK']);

    // The timer's job, taken over by the next worker (or the call's late "no answer"), reports it again.
    startWorker();
    const page = await pageGivenUp(h.services.db, agency.agencyId, 90_000);
    await h.drained();
    expect(page.attempts.map((a) => [a.number, a.target])).toEqual([
      [1, 'TECHNICIAN'],
      [2, 'TECHNICIAN'],
      [3, 'MANAGER'],
    ]);
    const technician = await sentTo(agency.technician.mobile);
    const manager = await sentTo(agency.manager.mobile);
    expect(technician.filter((i) => i.kind === 'call')).toHaveLength(2);
    expect(manager.filter((i) => i.kind === 'call')).toHaveLength(1);
  }, 120_000);
});
