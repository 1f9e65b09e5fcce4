import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionDeps } from '../../src/alerts/alerts.worker.js';
import { detectAlerts } from '../../src/alerts/detection.service.js';
import { notifyPendingAlerts } from '../../src/alerts/notification.service.js';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import type { DomainEvent } from '../../src/realtime/event-bus.js';
import { consoleSocket } from '../support/console-socket.js';
import { type Harness, startHarness } from '../support/harness.js';
import { readNovember } from '../support/meter-readings.js';
import { createTwilioApi, TEST_ACCOUNT_SID, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// The alerts screen's api (agent-console/views/alerts.js): alerts found by the real detection
// over daily readings, told by the real notices (SMS through the Twilio SDK to msw, e-mail to the
// simulator, or the letter list), listed with their state; an SMS reply through the signed
// webhook acknowledges one, the list says so and the console's socket hears it.

const twilioApi = createTwilioApi();
let h: Harness;
let agent: string;
const workers: Stoppable[] = [];
const sockets: Socket[] = [];

interface ListedAlert {
  id: string;
  status: string;
  detectedOn: string;
  episodeStart: string;
  thresholdLitres: number;
  daysAbove: number;
  volumes: Array<{ day: string; litres: number }>;
  remindersSent: number;
  notifiedAt: string | null;
  byLetter: boolean;
  acknowledgedAt: string | null;
  acknowledgedVia: string | null;
  supplyPointId: string;
  supplyPoint: { reference: string; addressLine: string; postcode: string; city: string };
  meter: { serial: string; diameterMm: number };
  customer: { reference: string; lastName: string; firstName: string | null } | null;
  notices: Array<{ channel: string; status: string }>;
}

let leaking: Awaited<ReturnType<typeof customerWithMeter>>[];
let steady: Awaited<ReturnType<typeof customerWithMeter>>;
let earlier: Awaited<ReturnType<typeof customerWithMeter>>;

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({ listen: true, env: { ...TWILIO_TEST_ENV } });
  agent = await h.login('AGENT');
  workers.push(startOutboxWorker(h.services));

  // One leak found on 12 November, stopped on the 13th.
  earlier = await customerWithMeter(5, { mobile: true, email: false });
  await read(earlier.meterId, { 9: 200, 10: 1200, 11: 1300, 12: 1400, 13: 200 });
  expect(await detect('2026-11-12')).toHaveLength(1);
  // Three 15 mm meters above 1 m³ a day from 20 to 22 November, each customer reachable
  // differently; one meter that stays below.
  leaking = [
    await customerWithMeter(1, { mobile: true, email: false }),
    await customerWithMeter(2, { mobile: true, email: true }),
    await customerWithMeter(3, { mobile: false, email: false }),
  ];
  steady = await customerWithMeter(4, { mobile: true, email: true });
  for (const { meterId } of leaking) await read(meterId, { 18: 300, 19: 250, 20: 1500, 21: 1800, 22: 2100 });
  await read(steady.meterId, { 18: 300, 19: 250, 20: 400, 21: 900, 22: 1000 });
  expect(await detect('2026-11-22')).toHaveLength(3);
});

/** The daily run for that day, its new alerts told at once (as src/main.ts wires it). */
const detect = (day: string) =>
  detectAlerts(detectionDeps(h.services), {
    day,
    onDetected: async () => {
      await notifyPendingAlerts(h.services.notices);
    },
  });

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await Promise.all(workers.map((w) => w.close()));
  await h.close();
  twilioApi.close();
});

async function customerWithMeter(n: number, reach: { mobile: boolean; email: boolean }) {
  const db = h.services.db;
  const mobile = `+3361200000${n}`;
  const customer = await db.customer.create({
    data: {
      reference: `CC-${n}`,
      lastName: 'Lefèvre',
      firstName: `Client ${n}`,
      addressLine: `${n} chemin des Compteurs`,
      postcode: '31000',
      city: 'Toulouse',
      email: reach.email ? `console${n}@test.example` : null,
      ...(reach.mobile ? { phones: { create: { e164: mobile, kind: 'MOBILE' } } } : {}),
    },
  });
  const supplyPoint = await db.supplyPoint.create({
    data: {
      reference: `PDL-C${n}`,
      customerId: customer.id,
      addressLine: `${n} chemin des Compteurs`,
      postcode: '31000',
      city: 'Toulouse',
    },
  });
  const meter = await db.meter.create({
    data: { serial: `MC${n}`, supplyPointId: supplyPoint.id, diameterMm: 15 },
  });
  return {
    customerId: customer.id,
    supplyPointId: supplyPoint.id,
    meterId: meter.id,
    mobile,
    serial: meter.serial,
  };
}

/** Daily volumes in litres, by day of November 2026. */
const read = (meterId: string, volumes: Record<number, number>) =>
  readNovember(h.services.db, meterId, volumes);

async function api(url: string, token: string | null = agent) {
  return h.app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

async function alerts(query = ''): Promise<ListedAlert[]> {
  const response = await api(`/api/alerts${query}`);
  expect(response.statusCode).toBe(200);
  return response.json() as ListedAlert[];
}

const alertOfMeter = (list: ListedAlert[], serial: string) => list.find((a) => a.meter.serial === serial);

const socketFor = (token: string) => consoleSocket(h, token, sockets);

describe('the alerts list', () => {
  it('[AL-3] shows each detected alert with its supply point, customer, meter, days above the threshold and how it was told', async () => {
    const list = await alerts();
    // Newest first: the three of 22 November, then the one of the 12th.
    expect(
      list
        .map((a) => a.meter.serial)
        .slice(0, 3)
        .sort(),
    ).toEqual(['MC1', 'MC2', 'MC3']);
    expect(list.map((a) => a.meter.serial)[3]).toBe('MC5');
    const first = alertOfMeter(list, 'MC1')!;
    expect(first).toMatchObject({
      status: 'OPEN',
      thresholdLitres: 1000,
      daysAbove: 3,
      volumes: [
        { day: '2026-11-20', litres: 1500 },
        { day: '2026-11-21', litres: 1800 },
        { day: '2026-11-22', litres: 2100 },
      ],
      remindersSent: 0,
      byLetter: false,
      acknowledgedAt: null,
      acknowledgedVia: null,
      supplyPointId: leaking[0]!.supplyPointId,
      supplyPoint: {
        reference: 'PDL-C1',
        addressLine: '1 chemin des Compteurs',
        postcode: '31000',
        city: 'Toulouse',
      },
      meter: { serial: 'MC1', diameterMm: 15 },
      customer: { reference: 'CC-1', lastName: 'Lefèvre', firstName: 'Client 1' },
    });
    expect(first.detectedOn.slice(0, 10)).toBe('2026-11-22');
    expect(first.episodeStart.slice(0, 10)).toBe('2026-11-20');
    expect(first.notifiedAt).toEqual(expect.any(String));
    expect(first.notices.map((n) => n.channel)).toEqual(['SMS']);
    expect(
      alertOfMeter(list, 'MC2')!
        .notices.map((n) => n.channel)
        .sort(),
    ).toEqual(['EMAIL', 'SMS']);
    const byLetter = alertOfMeter(list, 'MC3')!;
    expect(byLetter).toMatchObject({ byLetter: true, notices: [] });
    // The console never receives the customer's contact details.
    expect(JSON.stringify(list)).not.toContain('+336120000');
    expect(JSON.stringify(list)).not.toContain('@test.example');
  });

  it('says when the SMS notice has gone out', async () => {
    await until(async () => alertOfMeter(await alerts(), 'MC1')!.notices[0]!.status !== 'QUEUED');
    expect(['SENT', 'DELIVERED']).toContain(alertOfMeter(await alerts(), 'MC1')!.notices[0]!.status);
    expect(twilioApi.messages.filter((m) => m.to === leaking[0]!.mobile)).toHaveLength(1);
  });

  it('lists the customer without mobile or e-mail for a letter with the next bill', async () => {
    const response = await api('/api/alerts/letters');
    expect(response.statusCode).toBe(200);
    expect((response.json() as Array<{ meter: string }>).map((row) => row.meter)).toEqual(['MC3']);
  });

  it('filters by one status, several, a supply point, and limits the count', async () => {
    expect((await alerts('?status=OPEN')).length).toBe(4);
    expect(await alerts('?status=DEACTIVATED')).toEqual([]);
    expect((await alerts('?status=open,UNANSWERED')).length).toBe(4);
    const ofSupplyPoint = await alerts(`?supplyPointId=${leaking[1]!.supplyPointId}`);
    expect(ofSupplyPoint.map((a) => a.meter.serial)).toEqual(['MC2']);
    expect(await alerts(`?supplyPointId=${steady.supplyPointId}`)).toEqual([]);
    expect((await alerts('?limit=3')).map((a) => a.meter.serial)).not.toContain('MC5');
  });

  it('refuses a status filter that is not a status, saying which ones exist', async () => {
    const response = await api('/api/alerts?status=OPEN,ACKNOWLEGED');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      message:
        'status must be OPEN, ACKNOWLEDGED, UNANSWERED, DEACTIVATED (several separated by commas), not "OPEN,ACKNOWLEGED"',
    });
    const badId = await api('/api/alerts?supplyPointId=PDL-C1');
    expect(badId.statusCode).toBe(400);
    expect(badId.json().message).toContain('supplyPointId must match format "uuid"');
  });

  it('is for staff only', async () => {
    expect((await api('/api/alerts', null)).statusCode).toBe(401);
  });
});

describe('one supply point', () => {
  it('[AL-5] gives its address, meter and current customer with its alert history', async () => {
    const response = await api(`/api/supply-points/${leaking[0]!.supplyPointId}/alerts`);
    expect(response.statusCode).toBe(200);
    const body = response.json() as { supplyPoint: Record<string, unknown>; alerts: ListedAlert[] };
    expect(body.supplyPoint).toMatchObject({
      id: leaking[0]!.supplyPointId,
      reference: 'PDL-C1',
      meters: [{ serial: 'MC1', diameterMm: 15 }],
      customerId: leaking[0]!.customerId,
      customer: { reference: 'CC-1', alertsActive: true, alertThresholdLitres: null },
    });
    expect(body.alerts.map((a) => a.meter.serial)).toEqual(['MC1']);
  });

  it('answers 404 for a supply point that does not exist', async () => {
    const response = await api('/api/supply-points/00000000-0000-4000-8000-000000000000/alerts');
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toBe('no such supply point');
  });
});

describe('acknowledgements', () => {
  it('an SMS reply acknowledges the alert: the list says ACKNOWLEDGED via sms and the console hears it live', async () => {
    const socket = await socketFor(agent);
    const heard: DomainEvent[] = [];
    socket.on('event', (event: DomainEvent) => {
      if (event.type === 'alert.acknowledged') heard.push(event);
    });
    const alertId = alertOfMeter(await alerts(), 'MC1')!.id;

    const response = await h.twilioPost('/twilio/sms/incoming', {
      MessageSid: `SM${'c'.repeat(32)}`,
      AccountSid: TEST_ACCOUNT_SID,
      From: leaking[0]!.mobile,
      To: TWILIO_TEST_ENV.TWILIO_FROM_NUMBER,
      Body: 'OK',
    });
    expect(response.statusCode).toBe(200);

    const acknowledged = alertOfMeter(await alerts('?status=ACKNOWLEDGED'), 'MC1')!;
    expect(acknowledged).toMatchObject({ id: alertId, status: 'ACKNOWLEDGED', acknowledgedVia: 'sms' });
    expect(acknowledged.acknowledgedAt).toEqual(expect.any(String));
    expect((await alerts('?status=OPEN')).map((a) => a.meter.serial).sort()).toEqual(['MC2', 'MC3', 'MC5']);

    const [event] = await until(async () => heard.length > 0 && heard);
    expect(event!.data).toMatchObject({
      alertId,
      supplyPointId: leaking[0]!.supplyPointId,
      customerId: leaking[0]!.customerId,
      via: 'sms',
    });
  });

  it('an agent acknowledges for a customer on the phone; a second time changes nothing', async () => {
    const alertId = alertOfMeter(await alerts(), 'MC2')!.id;
    const acknowledge = () =>
      h.app.inject({
        method: 'POST',
        url: `/api/alerts/${alertId}/acknowledge`,
        headers: { authorization: `Bearer ${agent}` },
      });
    expect((await acknowledge()).json()).toEqual({ outcome: 'acknowledged' });
    expect(alertOfMeter(await alerts(), 'MC2')).toMatchObject({
      status: 'ACKNOWLEDGED',
      acknowledgedVia: 'agent',
    });
    expect((await acknowledge()).json()).toEqual({ outcome: 'already' });
  });
});
