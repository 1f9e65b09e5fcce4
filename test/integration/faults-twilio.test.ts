import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import { startPagingWorker } from '../../src/oncall/paging.worker.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type AgencyFixture, createAgency } from '../support/oncall-fixture.js';
import { PhoneCall } from '../support/phone-call.js';
import { createTwilioApi, TWILIO_ERRORS, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// Twilio's REST API answers 429 and 500 for a few seconds while a night call's page goes out
// (issue 20's fault injection, msw answering as Twilio does). The caller hears nothing of it; the
// technician's call and SMS are retried with backoff, each failure logged and counted, and both
// arrive once when Twilio answers again.

const LINE = '+33970000001';
const OUTAGE_MS = 1500;
const twilioApi = createTwilioApi();
const logged: string[] = [];
let h: Harness;
let agency: AgencyFixture;
const workers: Stoppable[] = [];

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({
    clock: runningFrom(at('2026-11-24T22:30')),
    env: { ...TWILIO_TEST_ENV, SEND_BACKOFF_MS: '200' },
    logger: createLogger('info', { write: (line: string) => logged.push(line) }),
  });
  agency = await createAgency(h.services.db);
  workers.push(startPagingWorker(h.services), startOutboxWorker(h.services));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(true)));
  await h?.close();
  twilioApi.close();
});

const retries = async () => {
  const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
  return [
    ...text.matchAll(/^outbox_deliveries_total\{channel="(?:VOICE|SMS)",outcome="retry"\} (\d+)/gm),
  ].reduce((n, m) => n + Number(m[1]), 0);
};

describe('Twilio answering 429 and 500 while a page goes out', () => {
  it('[ON-5] retries the call and the SMS with backoff, logs and counts it, and pages the technician once', async () => {
    const { technician } = agency;
    // From the page's first request on, Twilio refuses everything for OUTAGE_MS, 429 and 500 in turn.
    let outageEnds = 0;
    let refused = 0;
    twilioApi.failWhile(() => {
      outageEnds ||= Date.now() + OUTAGE_MS;
      if (Date.now() >= outageEnds) return null;
      refused += 1;
      return refused % 2 ? TWILIO_ERRORS.tooManyRequests : TWILIO_ERRORS.internalError;
    });

    const heard = await new PhoneCall(h, agency.callers.covered, LINE).reportBreakdown();
    expect(heard.join(' ')).not.toMatch(/erreur|error/i);

    const sent = await until(
      async () => {
        const calls = twilioApi.calls.filter((c) => c.to === technician.mobile);
        const sms = twilioApi.messages.filter((m) => m.to === technician.mobile);
        return calls.length > 0 && sms.length > 0 && { calls, sms };
      },
      20_000,
      'the page after the outage',
    );
    await h.drained();
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(twilioApi.calls.filter((c) => c.to === technician.mobile)).toHaveLength(1);
    expect(twilioApi.messages.filter((m) => m.to === technician.mobile)).toHaveLength(1);
    expect(sent.calls[0]!.dateCreated.getTime()).toBeGreaterThanOrEqual(outageEnds);
    expect(await retries()).toBeGreaterThanOrEqual(2);
    expect(logged.some((line) => line.includes('temporary failure, will retry'))).toBe(true);
    const rows = await h.services.db.message.findMany({ where: { to: technician.mobile } });
    expect(rows.map((r) => r.status).sort()).toEqual(['SENT', 'SENT']);
  }, 60_000);
});
