import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import { sweepPages } from '../../src/oncall/page-sweep.js';
import { startPagingWorker } from '../../src/oncall/paging.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type AgencyFixture, createAgency } from '../support/oncall-fixture.js';
import { PhoneCall } from '../support/phone-call.js';
import { createTwilioApi, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// Redis loses its data in the middle of a night's paging (restarted without persistence): the
// page's delayed jobs are gone. The maintenance worker's page sweep moves the page on once its
// next step is a minute overdue, and leaves alone a page whose step is not due yet.

const LINE = '+33970000001';
const TUESDAY_NIGHT = at('2026-11-24T22:30');
const clock = runningFrom(TUESDAY_NIGHT);
const twilioApi = createTwilioApi();
let h: Harness;
let agency: AgencyFixture;
const workers: Stoppable[] = [];

beforeAll(async () => {
  twilioApi.listen();
  // Defaults: the page waits 240 s for the end of the call, 600 s for an acknowledgement.
  h = await startHarness({ clock, env: TWILIO_TEST_ENV });
  agency = await createAgency(h.services.db);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(true)));
  await h?.close();
  twilioApi.close();
});

const later = (seconds: number) => clock.set(new Date(clock.now().getTime() + seconds * 1000));
const callsToTechnician = () => twilioApi.calls.filter((c) => c.to === agency.technician.mobile).length;
const redisLosesItsData = () => h.services.pagingQueue.obliterate({ force: true });

describe('a page whose delayed jobs Redis lost', () => {
  it('[ON-5] [ON-9] is started, then its unacknowledged attempt ended and the next one made, each once overdue', async () => {
    const call = new PhoneCall(h, agency.callers.covered, LINE);
    await call.reportBreakdown();
    const { caseId } = await h.services.db.contact.findUniqueOrThrow({ where: { providerId: call.sid } });
    const page = () =>
      h.services.db.page.findFirstOrThrow({
        where: { caseId: caseId! },
        include: { attempts: { orderBy: { number: 'asc' } } },
      });
    expect((await page()).status).toBe('SCHEDULED');

    // Before any worker took the first attempt.
    await redisLosesItsData();
    workers.push(startPagingWorker(h.services), startOutboxWorker(h.services));
    expect(await sweepPages(h.services.paging)).toEqual({ started: 0, timedOut: 0, resumed: 0 });
    later(240 + 61);
    expect(await sweepPages(h.services.paging)).toEqual({ started: 1, timedOut: 0, resumed: 0 });
    await until(async () => callsToTechnician() === 1, 10_000, 'the first attempt');
    await h.drained();

    // Then the first attempt's acknowledgement timer.
    await redisLosesItsData();
    later(300);
    expect(await sweepPages(h.services.paging)).toEqual({ started: 0, timedOut: 0, resumed: 0 });
    later(300 + 61);
    expect(await sweepPages(h.services.paging)).toEqual({ started: 0, timedOut: 1, resumed: 0 });
    await until(async () => callsToTechnician() === 2, 10_000, 'the second attempt');
    await h.drained();

    expect((await page()).attempts.map((a) => [a.number, a.outcome])).toEqual([
      [1, 'NO_ACK'],
      [2, 'PENDING'],
    ]);
    expect(await sweepPages(h.services.paging)).toEqual({ started: 0, timedOut: 0, resumed: 0 });
    expect(callsToTechnician()).toBe(2);
  }, 60_000);
});
