import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNational } from '../../src/identification/phone-number.js';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import { startPagingWorker } from '../../src/oncall/paging.worker.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type AgencyFixture, createAgency } from '../support/oncall-fixture.js';
import { PhoneCall } from '../support/phone-call.js';
import { createTwilioApi, TEST_ACCOUNT_SID, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// Logs go to places with wider access than the case store (log shippers, dashboards, support
// tickets): a whole night's scenario, logged at the most verbose level, must leave in them no
// phone number, e-mail address or IBAN, whatever the callers, technicians and imports gave.

const LINE = '+33970000001';
const twilioApi = createTwilioApi();
const logged: string[] = [];
let h: Harness;
const workers: Stoppable[] = [];
let agency: AgencyFixture;

const IBAN = 'FR76 3000 6000 0112 3456 7890 189';
const SUBSCRIBER_EMAIL = 'jean.dupont@example.fr';

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({
    clock: runningFrom(at('2026-11-24T22:30')),
    env: { ...TWILIO_TEST_ENV, ONCALL_ACK_TIMEOUT_SECONDS: '3600' },
    logger: createLogger('trace', { write: (line: string) => logged.push(line) }),
  });
  workers.push(startPagingWorker(h.services), startOutboxWorker(h.services));
  agency = await createAgency(h.services.db);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await h.close();
  twilioApi.close();
});

const sms = (from: string, body: string, sid: string) =>
  h.twilioPost('/twilio/sms/incoming', {
    MessageSid: sid,
    AccountSid: TEST_ACCOUNT_SID,
    From: from,
    To: '+33970000000',
    Body: body,
  });

describe('what the logs keep of a night', () => {
  it('holds no phone number, e-mail address or IBAN after calls, pages, replies, imports and console searches', async () => {
    // A night call, the technician paged by call and SMS, who accepts by SMS.
    const call = new PhoneCall(h, agency.callers.covered, LINE);
    await call.dial();
    await call.press('2');
    await call.confirmAddress();
    await call.record(20);
    await call.hangUp();
    await until(async () => twilioApi.messages.find((m) => m.to === agency.technician.mobile));
    const page = await h.services.db.page.findFirstOrThrow({ where: { agencyId: agency.agencyId } });
    await sms(agency.technician.mobile, `OK ${page.replyCode}`, `SM${'1'.repeat(32)}`);
    // A subscriber writes their bank details and e-mail address to the service's number.
    await sms(
      agency.callers.covered,
      `Mon IBAN ${IBAN}, écrivez-moi à ${SUBSCRIBER_EMAIL}`,
      `SM${'2'.repeat(32)}`,
    );
    // Imports of agencies (e-mail addresses, phones) and customers (phones), as an admin's token.
    const importer = await h.apiToken('IMPORT');
    const imported: string[] = [];
    for (const kind of ['agencies', 'eligibility']) {
      const csv = await readFile(new URL(`../../samples/${kind}.csv`, import.meta.url), 'utf8');
      imported.push(csv);
      const response = await h.app.inject({
        method: 'POST',
        url: `/api/imports/${kind}`,
        headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${importer}` },
        payload: csv,
      });
      expect(response.statusCode, response.body).toBe(200);
    }
    // An agent looks a caller up by the number they call from.
    const agent = await h.login('AGENT');
    const search = await h.app.inject({
      method: 'GET',
      url: `/api/identification?phone=${encodeURIComponent(agency.callers.covered)}`,
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(search.statusCode).toBe(200);
    await h.drained();

    // As written, and with URL escapes read (a query string carries "+33..." as "%2B33...").
    const raw = logged.join('');
    const logs = `${raw}\n${raw.replace(/%[0-9A-F]{2}/gi, (hex) => String.fromCharCode(Number.parseInt(hex.slice(1), 16)))}`;
    expect(raw).toContain('/api/identification?phone=');
    // What this scenario gave, written every way it could appear.
    const phones = [agency.callers.covered, agency.technician.mobile];
    const given = [
      ...phones,
      ...phones.map(toNational),
      ...phones.map((p) => toNational(p).replaceAll(' ', '')),
    ];
    given.push(IBAN, IBAN.replaceAll(' ', ''), SUBSCRIBER_EMAIL);
    for (const csv of imported) given.push(...(csv.match(/[\w.+-]+@[\w-]+\.[\w.]+/g) ?? []));
    for (const csv of imported) given.push(...(csv.match(/0\d(?:[ .]?\d{2}){4}/g) ?? []));
    expect(given.filter((value) => logs.includes(value))).toEqual([]);
    // And anything shaped like one.
    expect(logs.match(/\+33\d{9}/g) ?? []).toEqual([]);
    expect(logs.match(/\b0[1-9](?:[ .]?\d{2}){4}\b/g) ?? []).toEqual([]);
    expect(logs.match(/[\w.+-]+@[\w-]+\.[a-z]{2,}/gi) ?? []).toEqual([]);
    expect(logs.match(/\bFR\d{2}(?: ?\d{4}){5}/g) ?? []).toEqual([]);
  });
});
