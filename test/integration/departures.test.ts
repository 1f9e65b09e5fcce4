import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweepTimers, timerJobId } from '../../src/follow-ups/timers.js';
import { startTimersWorker } from '../../src/follow-ups/timers.worker.js';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { runTimerJob } from '../support/timer-jobs.js';
import { createTwilioApi, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// Departures (DOMAIN.md section 6) and the durable follow-up timers under them: the api opens,
// moves, cancels and confirms; the timers fire through BullMQ delayed jobs, promoted here to
// stand for the days passing, with the service's clock set to the day.

const twilioApi = createTwilioApi();
const START = at('2026-12-07T10:00'); // a Monday morning
const clock = runningFrom(START);
let h: Harness;
let agent: string;
let outbox: Stoppable;
let timers: Stoppable;

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({ clock, env: { ...TWILIO_TEST_ENV } });
  agent = await h.login('AGENT');
  outbox = startOutboxWorker(h.services);
  timers = startTimersWorker(h.services);
});

afterAll(async () => {
  await timers.close();
  await outbox.close();
  await h.close();
  twilioApi.close();
});

beforeEach(() => clock.set(START));

let made = 0;
async function customer(options: { mobile?: string | null; email?: string | null } = {}) {
  made += 1;
  const n = String(made).padStart(3, '0');
  const mobile = options.mobile === undefined ? `+33640000${n}` : options.mobile;
  return h.services.db.customer.create({
    data: {
      reference: `DEP${n}`,
      lastName: 'Martin',
      firstName: 'Léa',
      addressLine: `${n} rue du Départ`,
      postcode: '69003',
      city: 'Lyon',
      email: options.email === undefined ? null : options.email,
      ...(mobile ? { phones: { create: { e164: mobile, kind: 'MOBILE' } } } : {}),
    },
  });
}

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

async function open(customerId: string, plannedDate = '2026-12-10', extra: object = {}) {
  const response = await api('POST', '/api/departures', { customerId, plannedDate, rented: false, ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { caseId: string; number: number };
}

const timerRows = (caseId: string) =>
  h.services.db.followUpTimer.findMany({ where: { caseId }, orderBy: { dueAt: 'asc' } });
const timerOf = async (caseId: string, kind: string) =>
  h.services.db.followUpTimer.findUniqueOrThrow({ where: { caseId_kind: { caseId, kind } } });
const departure = (caseId: string) => h.services.db.departure.findUniqueOrThrow({ where: { caseId } });
const reminders = (caseId: string) =>
  h.services.db.message.findMany({ where: { caseId, purpose: 'departure-reminder' } });

const runJob = (timer: { id: string; dueAt: Date }) => runTimerJob(h.services.followUps, timer);

describe('[DP-1] a departure signalled', () => {
  it('[DP-1] opens a departure case with the planned date and its two follow-ups, which agents see', async () => {
    const c = await customer();
    const { caseId } = await open(c.id, '2026-12-10', {
      email: 'lea.martin@test.example',
      mobile: '06 40 00 99 01',
    });
    const kase = await h.services.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(kase).toMatchObject({ category: 'departure', status: 'OPEN', customerId: c.id });
    expect(await departure(caseId)).toMatchObject({
      email: 'lea.martin@test.example',
      mobile: '+33640009901',
    });
    const listed = await api('GET', `/api/cases/${caseId}/timers`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().timers).toEqual([
      expect.objectContaining({
        kind: 'departure-reminder',
        state: 'PENDING',
        dueAt: at('2026-12-20T09:00').toISOString(),
      }),
      expect.objectContaining({
        kind: 'departure-call',
        state: 'PENDING',
        dueAt: at('2027-01-09T09:00').toISOString(),
      }),
    ]);
  });

  it('[DP-1] a rented home needs the owner’s or managing agent’s details', async () => {
    const c = await customer();
    const without = await api('POST', '/api/departures', {
      customerId: c.id,
      plannedDate: '2026-12-10',
      rented: true,
    });
    expect(without.statusCode).toBe(422);
    expect(without.json().error).toBe('owner_required');
    const nameOnly = await api('POST', '/api/departures', {
      customerId: c.id,
      plannedDate: '2026-12-10',
      rented: true,
      owner: { name: 'Régie Dupont' },
    });
    expect(nameOnly.statusCode).toBe(422);
    const { caseId } = await open(c.id, '2026-12-10', {
      rented: true,
      owner: { name: 'Régie Dupont', phone: '04 78 00 00 01' },
    });
    expect(await departure(caseId)).toMatchObject({ ownerName: 'Régie Dupont', ownerPhone: '+33478000001' });
  });

  it('[DP-1] bad input: a date in the past or years ahead, a bad mobile, a second open departure', async () => {
    const c = await customer();
    const post = (extra: object) =>
      api('POST', '/api/departures', {
        customerId: c.id,
        plannedDate: '2026-12-10',
        rented: false,
        ...extra,
      });
    const past = await post({ plannedDate: '2026-12-06' });
    expect(past.statusCode).toBe(422);
    expect(past.json().message).toContain('in the past');
    const ahead = await post({ plannedDate: '2028-12-10' });
    expect(ahead.statusCode).toBe(422);
    expect(ahead.json().message).toContain('days ahead');
    expect((await post({ mobile: '04 78 00 00 01' })).statusCode).toBe(422);
    expect((await post({ plannedDate: '2026-02-30' })).statusCode).toBe(400);
    expect((await post({ plannedDate: '2026-12-07' })).statusCode).toBe(201); // today is fine
    const second = await post({ plannedDate: '2026-12-20' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toBe('duplicate');
    expect(await h.services.db.departure.count({ where: { customerId: c.id } })).toBe(1);
  });
});

describe('[DP-2] follow-ups after the planned date', () => {
  it('[DP-2] +10 days without news: the reminder goes by SMS at its time and only then, traced on the case', async () => {
    const c = await customer();
    const { caseId } = await open(c.id);
    const reminder = await timerOf(caseId, 'departure-reminder');
    // The job run a minute early (a clock ahead) fires nothing; the sweep brings it back.
    clock.set(new Date(reminder.dueAt.getTime() - 60_000));
    await runJob(reminder);
    expect((await timerOf(caseId, 'departure-reminder')).state).toBe('PENDING');
    expect(await reminders(caseId)).toHaveLength(0);
    clock.set(reminder.dueAt);
    expect(await sweepTimers(h.services.followUps)).toBeGreaterThanOrEqual(1);
    await until(async () => (await timerOf(caseId, 'departure-reminder')).state === 'FIRED');
    const mobile = `+33640000${String(made).padStart(3, '0')}`;
    const sms = await until(async () => twilioApi.messages.find((m) => m.to === mobile));
    expect(sms.body).toContain('dossier');
    const contact = await until(() =>
      h.services.db.contact.findFirst({ where: { caseId, direction: 'OUTBOUND', channel: 'SMS' } }),
    );
    expect(contact.summary).toContain('Relance');
    expect((await timerOf(caseId, 'departure-call')).state).toBe('PENDING');
  });

  it('[DP-2] the reminder goes by e-mail when the customer gave one', async () => {
    const c = await customer();
    const { caseId } = await open(c.id, '2026-12-10', { email: 'parti@test.example' });
    const reminder = await timerOf(caseId, 'departure-reminder');
    clock.set(reminder.dueAt);
    await runJob(reminder);
    const [message] = await reminders(caseId);
    expect(message).toMatchObject({ channel: 'EMAIL', to: 'parti@test.example' });
    expect(message!.subject).toContain('jeudi 10 décembre 2026');
  });

  it('[DP-2] a customer without e-mail nor mobile: the reminder is a letter on the print list', async () => {
    const c = await customer({ mobile: null, email: null });
    const { caseId } = await open(c.id);
    const reminder = await timerOf(caseId, 'departure-reminder');
    clock.set(reminder.dueAt);
    await runJob(reminder);
    expect(await reminders(caseId)).toHaveLength(0);
    expect((await departure(caseId)).letterDue).toBe(true);
    const fired = await timerOf(caseId, 'departure-reminder');
    expect(fired.state).toBe('FIRED');
    expect((fired.data as { letter: string }).letter).toContain('Madame, Monsieur');
  });

  it('[DP-2] +30 days: a task for agents to phone the customer', async () => {
    const c = await customer();
    const { caseId } = await open(c.id);
    const call = await timerOf(caseId, 'departure-call');
    clock.set(new Date(call.dueAt.getTime() - 1000));
    await runJob(call);
    expect((await departure(caseId)).callDue).toBe(false);
    clock.set(call.dueAt);
    await sweepTimers(h.services.followUps);
    await until(async () => (await departure(caseId)).callDue);
    const shown = (await api('GET', `/api/departures/${caseId}`)).json();
    expect(shown).toMatchObject({ callDue: true, status: 'OPEN' });
  });
});

describe('[DP-3] a postponed or cancelled move', () => {
  it('[DP-3] moving the date moves both follow-ups; an old job already in the queue fires nothing', async () => {
    const c = await customer();
    const { caseId } = await open(c.id, '2026-12-10');
    const [oldReminder, oldCall] = await timerRows(caseId);
    const queue = h.services.followUps.queue;
    // Days away, a timer has no job yet; minutes before its time, the sweep adds it.
    expect(await queue.getJob(timerJobId(oldReminder!))).toBeUndefined();
    clock.set(new Date(oldReminder!.dueAt.getTime() - 5 * 60_000));
    await sweepTimers(h.services.followUps);
    expect(await queue.getJob(timerJobId(oldReminder!))).toBeDefined();

    const moved = await api('PATCH', `/api/departures/${caseId}`, { plannedDate: '2026-12-31' });
    expect(moved.statusCode, moved.body).toBe(200);
    const [reminder, call] = await timerRows(caseId);
    expect(reminder).toMatchObject({ id: oldReminder!.id, state: 'PENDING', dueAt: at('2027-01-10T09:00') });
    expect(call).toMatchObject({ id: oldCall!.id, state: 'PENDING', dueAt: at('2027-01-30T09:00') });
    // The old time comes: its job finds the timer moved.
    clock.set(oldReminder!.dueAt);
    await (await queue.getJob(timerJobId(oldReminder!)))!.promote();
    await until(async () => !(await queue.getJob(timerJobId(oldReminder!))));
    expect((await timerOf(caseId, 'departure-reminder')).state).toBe('PENDING');
    expect(await reminders(caseId)).toHaveLength(0);
    clock.set(reminder!.dueAt);
    await runJob(reminder!);
    expect((await timerOf(caseId, 'departure-reminder')).state).toBe('FIRED');
    expect(await reminders(caseId)).toHaveLength(1);
  });

  it('[DP-3] cancelled on day 5: the case is cancelled and its follow-ups with it', async () => {
    const c = await customer();
    const { caseId } = await open(c.id, '2026-12-10');
    clock.set(at('2026-12-15T11:00'));
    const cancelled = await api('POST', `/api/departures/${caseId}/cancel`, {
      reason: 'Déménagement annulé',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toEqual({ status: 'CANCELLED', day: 5, outcome: 'cancelled' });
    expect((await timerRows(caseId)).map((t) => t.state)).toEqual(['CANCELLED', 'CANCELLED']);
    const reminder = await timerOf(caseId, 'departure-reminder');
    clock.set(reminder.dueAt);
    // The sweep finds nothing pending: no job, no reminder.
    await sweepTimers(h.services.followUps);
    expect(await h.services.followUps.queue.getJob(timerJobId(reminder))).toBeUndefined();
    expect(await reminders(caseId)).toHaveLength(0);
  });

  it('[DP-3] cancelled on day 15: closed as handled, the call never becomes due', async () => {
    const c = await customer();
    const { caseId } = await open(c.id, '2026-12-10');
    const reminder = await timerOf(caseId, 'departure-reminder');
    clock.set(reminder.dueAt);
    await runJob(reminder);
    clock.set(at('2026-12-25T16:00'));
    const cancelled = await api('POST', `/api/departures/${caseId}/cancel`, {});
    expect(cancelled.json()).toEqual({ status: 'CLOSED', day: 15, outcome: 'closed' });
    expect((await timerOf(caseId, 'departure-call')).state).toBe('CANCELLED');
    expect((await h.services.db.case.findUniqueOrThrow({ where: { id: caseId } })).status).toBe('CLOSED');
  });

  it('[DP-3] cancelled on day 35: closed, and the pending call task finalised; a cancellation after closure is refused', async () => {
    const c = await customer();
    const { caseId } = await open(c.id, '2026-12-10');
    for (const kind of ['departure-reminder', 'departure-call']) {
      const timer = await timerOf(caseId, kind);
      clock.set(timer.dueAt);
      await runJob(timer);
    }
    expect((await departure(caseId)).callDue).toBe(true);
    clock.set(at('2027-01-14T10:00'));
    const cancelled = await api('POST', `/api/departures/${caseId}/cancel`, {});
    expect(cancelled.json()).toEqual({ status: 'CLOSED', day: 35, outcome: 'closed-call-finalised' });
    expect((await departure(caseId)).callDue).toBe(false);
    const again = await api('POST', `/api/departures/${caseId}/cancel`, {});
    expect(again.statusCode).toBe(409);
    expect((await api('PATCH', `/api/departures/${caseId}`, { plannedDate: '2027-02-01' })).statusCode).toBe(
      409,
    );
  });
});

describe('a departure confirmed', () => {
  it('the actual departure recorded stops the customer’s consumption alerts and ends the follow-ups', async () => {
    const c = await customer();
    const { caseId } = await open(c.id, '2026-12-10');
    clock.set(at('2026-12-11T10:00'));
    const confirmed = await api('POST', `/api/departures/${caseId}/confirmed`, {
      departedAt: at('2026-12-10T18:00').toISOString(),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().timersCancelled).toBe(2);
    expect(await h.services.db.customer.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({
      alertsActive: false,
      departedAt: at('2026-12-10T18:00'),
    });
    const future = await api('POST', `/api/departures/${caseId}/confirmed`, {
      departedAt: at('2026-12-20T18:00').toISOString(),
    });
    expect(future.statusCode).toBe(422);
    const again = await api('POST', `/api/departures/${caseId}/confirmed`, {
      departedAt: at('2026-12-10T18:00').toISOString(),
    });
    expect(again.statusCode).toBe(409);
  });
});

describe('durable follow-up timers', () => {
  it('[DP-2] a worker restart and a Redis flush in the middle of a timer: the sweep re-creates it and it fires once', async () => {
    const c = await customer();
    const { caseId } = await open(c.id);
    const reminder = await timerOf(caseId, 'departure-reminder');
    await timers.close();
    await h.services.redis.flushDb();
    expect(await h.services.followUps.queue.getJob(timerJobId(reminder))).toBeUndefined();
    clock.set(reminder.dueAt);
    timers = startTimersWorker(h.services);
    // Two sweeps (two maintenance workers, or one a minute later) and the job: one reminder.
    await sweepTimers(h.services.followUps);
    await sweepTimers(h.services.followUps);
    await until(async () => (await timerOf(caseId, 'departure-reminder')).state === 'FIRED');
    await until(async () => !(await h.services.followUps.queue.getJob(timerJobId(reminder))));
    await sweepTimers(h.services.followUps);
    await h.drained();
    expect(await reminders(caseId)).toHaveLength(1);
    expect((await timerOf(caseId, 'departure-call')).state).toBe('PENDING');
  });
});
