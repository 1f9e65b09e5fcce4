import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETECTION_SCHEDULER, detectionDeps, startAlertsWorker } from '../../src/alerts/alerts.worker.js';
import { detectAlerts } from '../../src/alerts/detection.service.js';
import type { CustomerClass } from '../../src/generated/prisma/enums.js';
import { bullConnection, createQueue, QUEUE_NAMES } from '../../src/platform/queues.js';
import { type Harness, startHarness } from '../support/harness.js';
import { readNovember } from '../support/meter-readings.js';

// Detection (DOMAIN.md section 5) against PostgreSQL: each test builds its own meters and their
// daily volumes in November 2026, runs the real detection, and looks at that meter's alerts.

let h: Harness;
let agencyId: string;
// 06:00 UTC = 07:00 in Paris, the daily run's time: "today" is 23 November.
const NOW = new Date('2026-11-23T06:00:00Z');
const LOOKBACK = 10;

beforeAll(async () => {
  h = await startHarness({ clock: { now: () => NOW }, env: { ALERT_LOOKBACK_DAYS: String(LOOKBACK) } });
  const region = await h.services.db.region.create({ data: { code: 'DR-T', name: 'Région test' } });
  agencyId = (
    await h.services.db.agency.create({ data: { code: 'AG-T', name: 'Agence test', regionId: region.id } })
  ).id;
});

afterAll(async () => {
  await h.close();
});

let made = 0;
interface MeterOptions {
  diameter?: number;
  customerClass?: CustomerClass;
  alertsActive?: boolean;
  threshold?: number;
  mobile?: 'working' | 'failing' | 'landline' | null;
  email?: 'working' | 'failing' | null;
  contract?: boolean;
}

/** A customer with a supply point and its meter; their ids. */
async function meter(options: MeterOptions = {}) {
  const db = h.services.db;
  const n = ++made;
  const { mobile = 'working', email = 'working' } = options;
  const customer = await db.customer.create({
    data: {
      reference: `CT-${n}`,
      class: options.customerClass ?? 'RESIDENTIAL',
      lastName: 'Martin',
      addressLine: `${n} rue des Tests`,
      postcode: '74000',
      city: 'Annecy',
      alertsActive: options.alertsActive ?? true,
      alertThresholdLitres: options.threshold ?? null,
      email: email ? `client${n}@test.example` : null,
      emailFailing: email === 'failing',
      phones: mobile
        ? {
            create: {
              e164: `+33${mobile === 'landline' ? '4' : '6'}1000${String(n).padStart(4, '0')}`,
              kind: mobile === 'landline' ? 'LANDLINE' : 'MOBILE',
              failing: mobile === 'failing',
            },
          }
        : undefined,
    },
  });
  const supplyPoint = await db.supplyPoint.create({
    data: {
      reference: `PDL-${n}`,
      customerId: customer.id,
      addressLine: `${n} rue des Tests`,
      postcode: '74000',
      city: 'Annecy',
    },
  });
  const created = await db.meter.create({
    data: { serial: `MT${n}`, supplyPointId: supplyPoint.id, diameterMm: options.diameter ?? 15 },
  });
  if (options.contract)
    await db.contract.create({
      data: { reference: `K-${n}`, customerId: customer.id, agencyId, supplyPointId: supplyPoint.id },
    });
  return { id: created.id, customerId: customer.id, supplyPointId: supplyPoint.id };
}

/** Daily volumes in litres, by day of November 2026. */
const read = (meterId: string, volumes: Record<number, number>) =>
  readNovember(h.services.db, meterId, volumes);

/** The same volume on each day of November from `from` to `to`. */
const days = (from: number, to: number, litres: number) =>
  Object.fromEntries(Array.from({ length: to - from + 1 }, (_, k) => [from + k, litres]));

const detect = (day = '2026-11-22', onDetected?: (ids: string[]) => Promise<void>) =>
  detectAlerts(detectionDeps(h.services), { day, onDetected });

const alertsOf = (meterId: string) =>
  h.services.db.consumptionAlert.findMany({ where: { meterId }, orderBy: { episodeStart: 'asc' } });
const iso = (date: Date) => date.toISOString().slice(0, 10);

describe('thresholds by diameter (the domain table)', () => {
  it('[AL-2] 15 mm: three days above 1 m³ alert, two do not, and 1 m³ itself is not above', async () => {
    const three = await meter();
    const two = await meter();
    const exactly = await meter();
    await read(three.id, { ...days(15, 19, 200), ...days(20, 22, 1500) });
    await read(two.id, { ...days(15, 20, 200), ...days(21, 22, 1500) });
    await read(exactly.id, days(15, 22, 1000));
    const ids = await detect();
    const [alert] = await alertsOf(three.id);
    expect(ids).toEqual([alert!.id]);
    expect(alert).toMatchObject({
      customerId: three.customerId,
      supplyPointId: three.supplyPointId,
      thresholdLitres: 1000,
      consecutiveDays: 3,
      status: 'OPEN',
      byLetter: false,
      volumes: [
        { day: '2026-11-20', litres: 1500 },
        { day: '2026-11-21', litres: 1500 },
        { day: '2026-11-22', litres: 1500 },
      ],
    });
    expect(iso(alert!.episodeStart)).toBe('2026-11-20');
    expect(iso(alert!.detectedOn)).toBe('2026-11-22');
    expect(alert!.replyCode).toMatch(/^\d{4}$/);
    expect(await alertsOf(two.id)).toEqual([]);
    expect(await alertsOf(exactly.id)).toEqual([]);
  });

  it('[AL-2] 30 mm needs five days above 2 m³: four do not, five do, 1.5 m³ never', async () => {
    const four = await meter({ diameter: 30 });
    const five = await meter({ diameter: 30 });
    const below = await meter({ diameter: 30 });
    await read(four.id, { ...days(15, 18, 300), ...days(19, 22, 2500) });
    await read(five.id, { ...days(15, 17, 300), ...days(18, 22, 2500) });
    await read(below.id, days(15, 22, 1500));
    await detect();
    expect(await alertsOf(four.id)).toEqual([]);
    expect(await alertsOf(five.id)).toMatchObject([{ thresholdLitres: 2000, consecutiveDays: 5 }]);
    expect(await alertsOf(below.id)).toEqual([]);
  });

  it("[AL-2] a customer's own threshold replaces the diameter's, keeping its consecutive days", async () => {
    const lower = await meter({ threshold: 500 });
    const higher = await meter({ threshold: 3000 });
    await read(lower.id, days(20, 22, 700));
    await read(higher.id, days(15, 22, 2000));
    await detect();
    expect(await alertsOf(lower.id)).toMatchObject([{ thresholdLitres: 500, consecutiveDays: 3 }]);
    expect(await alertsOf(higher.id)).toEqual([]);
  });

  it('[AL-2] an administrator changes the table (audited); detection follows it; refused when it could never alert', async () => {
    const admin = await h.login('ADMIN');
    const put = (token: string, thresholds: object[]) =>
      h.app.inject({
        method: 'PUT',
        url: '/api/alerts/thresholds',
        headers: { authorization: `Bearer ${token}` },
        payload: { thresholds },
      });
    const before = await h.app.inject({
      method: 'GET',
      url: '/api/alerts/thresholds',
      headers: { authorization: `Bearer ${await h.login('AGENT')}` },
    });
    const table = (before.json() as { thresholds: Array<{ diameterMm: number; thresholdLitres: number }> })
      .thresholds;
    expect(table).toHaveLength(11);
    expect(table.find((t) => t.diameterMm === 40)).toEqual({
      diameterMm: 40,
      thresholdLitres: 5000,
      consecutiveDays: 5,
    });

    expect((await put(await h.login('AGENT'), table)).statusCode).toBe(403);
    expect((await put(admin, [...table, table[0]!]).then((r) => r.json())).message).toBe(
      'diameter 15 mm is given twice',
    );
    const tooLong = await put(admin, [
      { diameterMm: 40, thresholdLitres: 5000, consecutiveDays: LOOKBACK + 1 },
    ]);
    expect(tooLong.statusCode).toBe(400);

    const changed = table.map((t) =>
      t.diameterMm === 40 ? { ...t, thresholdLitres: 3000, consecutiveDays: 2 } : t,
    );
    const response = await put(admin, changed);
    expect(response.statusCode, response.body).toBe(200);
    const audit = await h.services.db.auditLog.findFirstOrThrow({
      where: { action: 'alert-thresholds.updated' },
    });
    expect(audit).toMatchObject({ actorType: 'USER', entity: 'alert_thresholds' });
    expect(JSON.stringify(audit.data)).toContain('"thresholdLitres":3000');

    const forty = await meter({ diameter: 40 });
    await read(forty.id, days(21, 22, 4000));
    await detect();
    expect(await alertsOf(forty.id)).toMatchObject([{ thresholdLitres: 3000, consecutiveDays: 2 }]);
    expect((await put(admin, table)).statusCode).toBe(200);
  });
});

describe('who is watched', () => {
  it('[AL-1] only residential customers with alerts on', async () => {
    const professional = await meter({ customerClass: 'PROFESSIONAL' });
    const off = await meter({ alertsActive: false });
    await read(professional.id, days(18, 22, 3000));
    await read(off.id, days(18, 22, 3000));
    await detect();
    expect(await alertsOf(professional.id)).toEqual([]);
    expect(await alertsOf(off.id)).toEqual([]);
  });

  it('[AL-4] by letter when the customer has neither a working mobile nor a working e-mail', async () => {
    const nothing = await meter({ mobile: null, email: null });
    const failing = await meter({ mobile: 'failing', email: 'failing' });
    const landline = await meter({ mobile: 'landline', email: null });
    const emailOnly = await meter({ mobile: null, email: 'working' });
    const mobileOnly = await meter({ mobile: 'working', email: 'failing' });
    for (const m of [nothing, failing, landline, emailOnly, mobileOnly]) await read(m.id, days(20, 22, 1200));
    await detect();
    const byLetter = async (m: { id: string }) => (await alertsOf(m.id))[0]?.byLetter;
    expect(await byLetter(nothing)).toBe(true);
    expect(await byLetter(failing)).toBe(true);
    expect(await byLetter(landline)).toBe(true);
    expect(await byLetter(emailOnly)).toBe(false);
    expect(await byLetter(mobileOnly)).toBe(false);
  });
});

describe('runs and episodes', () => {
  it('[AL-2] a missing day breaks the run', async () => {
    const gap = await meter();
    await read(gap.id, { 18: 1500, 19: 1500, 20: 1500, 22: 1500 });
    await detect();
    expect(await alertsOf(gap.id)).toEqual([]);
  });

  it('a run that has ended (a normal day read since) does not alert', async () => {
    const ended = await meter();
    await read(ended.id, { ...days(17, 20, 1500), 21: 200, 22: 210 });
    await detect();
    expect(await alertsOf(ended.id)).toEqual([]);
  });

  it("counts when it ends on the meter's latest day read (its file is late)", async () => {
    const late = await meter();
    await read(late.id, days(18, 21, 1800));
    await detect('2026-11-22');
    expect(await alertsOf(late.id)).toMatchObject([{ consecutiveDays: 3 }]);
    expect(iso((await alertsOf(late.id))[0]!.episodeStart)).toBe('2026-11-18');
  });

  it('one alert per episode: not again while it lasts, again after a normal day', async () => {
    const leak = await meter();
    await read(leak.id, days(18, 20, 1500));
    const first = await detect('2026-11-20');
    const [alert] = await alertsOf(leak.id);
    expect(first).toContain(alert!.id);
    expect(await detect('2026-11-20')).toEqual([]);
    await read(leak.id, days(21, 22, 1600));
    await detect('2026-11-22');
    expect(await alertsOf(leak.id)).toHaveLength(1);
    await read(leak.id, { 23: 150, ...days(24, 26, 1700) });
    const ids = await detect('2026-11-26');
    const alerts = await alertsOf(leak.id);
    expect(alerts.map((a) => iso(a.episodeStart))).toEqual(['2026-11-18', '2026-11-24']);
    expect(ids).toContain(alerts[1]!.id);
  });

  it('a leak longer than the lookback keeps the day it began (one episode, traced back)', async () => {
    const long = await meter();
    await read(long.id, { 1: 150, ...days(2, 22, 1500) });
    await detect('2026-11-22');
    expect((await alertsOf(long.id)).map((a) => iso(a.episodeStart))).toEqual(['2026-11-02']);
    await read(long.id, { 23: 1500 });
    expect(await detect('2026-11-23')).toEqual([]);
    expect(await alertsOf(long.id)).toHaveLength(1);
  });

  it('by default the detection day is today (in TZ_DEFAULT), and readings after the given day are not seen', async () => {
    const today = await meter();
    await read(today.id, days(21, 23, 1900));
    expect(await detect('2026-11-22')).toEqual([]);
    const ids = await detectAlerts(detectionDeps(h.services), {});
    expect(ids).toEqual([(await alertsOf(today.id))[0]!.id]);
    expect(iso((await alertsOf(today.id))[0]!.detectedOn)).toBe('2026-11-23');
  });
});

describe('what detection tells', () => {
  it('publishes alert.detected to the agency of the customer, and calls the hook once with the new ids', async () => {
    const withContract = await meter({ contract: true });
    const without = await meter();
    await read(withContract.id, days(20, 22, 1300));
    await read(without.id, days(20, 22, 1300));
    const after = await h.services.events.latestId();
    const told: string[][] = [];
    const ids = await detect('2026-11-22', async (alertIds) => void told.push(alertIds));
    expect(told).toEqual([ids]);
    const [alert] = await alertsOf(withContract.id);
    const events = (await h.services.events.since(after)).filter((e) => e.type === 'alert.detected');
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.data.meterId === withContract.id)).toMatchObject({
      agencyId,
      data: {
        alertId: alert!.id,
        meterId: withContract.id,
        supplyPointId: withContract.supplyPointId,
        customerId: withContract.customerId,
        agencyId,
        episodeStart: '2026-11-20',
        detectedOn: '2026-11-22',
      },
    });
    expect(events.find((e) => e.data.meterId === without.id)).toMatchObject({ agencyId: null });

    await detect('2026-11-22', async (alertIds) => void told.push(alertIds));
    expect(told).toHaveLength(1);
  });
});

describe('the daily run', () => {
  it('is scheduled at ALERT_DETECTION_AT in TZ_DEFAULT, and its job runs the detection', async () => {
    const leak = await meter();
    await read(leak.id, days(21, 23, 2100));
    const told: string[][] = [];
    const worker = await startAlertsWorker(h.services, { onDetected: async (ids) => void told.push(ids) });
    const queue = createQueue(QUEUE_NAMES.alerts, h.services.redis);
    const events = new QueueEvents(QUEUE_NAMES.alerts, { connection: bullConnection(h.services.redis) });
    try {
      const scheduler = await queue.getJobScheduler(DETECTION_SCHEDULER);
      expect(scheduler).toMatchObject({ pattern: '0 7 * * *', tz: 'Europe/Paris' });
      await events.waitUntilReady();
      const job = await queue.add('detect', {});
      expect(await job.waitUntilFinished(events, 20_000)).toEqual({ created: 1 });
      expect(told).toEqual([[(await alertsOf(leak.id))[0]!.id]]);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });

  it('runs by command and prints how many alerts it created', async () => {
    const leak = await meter();
    await read(leak.id, days(18, 20, 2500));
    const run = (args: string[]) =>
      promisify(execFile)(
        new URL('../../node_modules/.bin/tsx', import.meta.url).pathname,
        ['scripts/detect-alerts.ts', ...args],
        {
          cwd: new URL('../..', import.meta.url).pathname,
          env: {
            ...process.env,
            DATABASE_URL: h.settings.databaseUrl,
            REDIS_URL: h.settings.redisUrl,
            ALERT_LOOKBACK_DAYS: String(LOOKBACK),
            CLOCK_START: NOW.toISOString(),
          },
        },
      );
    const { stdout } = await run(['--day', '2026-11-20']);
    expect(stdout).toMatch(
      /^1 consumption alert created \(detection day 2026-11-20, 10 days of readings.*; \d+ notified\n$/,
    );
    // Like the daily job, the command writes the new alert's notices at once.
    const alerts = await alertsOf(leak.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.notifiedAt).toBeInstanceOf(Date);
    await expect(run(['--day', '20/11/2026'])).rejects.toMatchObject({ code: 2 });
  });
});
