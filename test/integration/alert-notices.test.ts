import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgeAlert } from '../../src/alerts/acknowledgement.service.js';
import { notifyPendingAlerts } from '../../src/alerts/notification.service.js';
import { startReminderWorker } from '../../src/alerts/reminder.worker.js';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { type Harness, startHarness } from '../support/harness.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { createTwilioApi, TEST_ACCOUNT_SID, TWILIO_ERRORS, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// Consumption alerts reaching subscribers (DOMAIN.md section 5) and their replies, through the
// outbox, the Twilio SDK (msw answering as Twilio does), SMTP to a local sink, and the real
// signed SMS webhook.

const twilioApi = createTwilioApi();
let h: Harness;
let agent: string;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
const workers: Stoppable[] = [];

beforeAll(async () => {
  twilioApi.listen();
  smtp = await startSmtpSink();
  h = await startHarness({
    env: {
      SMTP_URL: smtp.url,
      ...TWILIO_TEST_ENV,
      ALERT_REMINDERS: '3',
      ALERT_REMINDER_EVERY_SECONDS: '2',
    },
  });
  agent = await h.login('AGENT');
  workers.push(startOutboxWorker(h.services), startReminderWorker(h.services));
});

afterEach(() => {
  twilioApi.reset();
  smtp.rejectWith(null);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await h.close();
  twilioApi.close();
  await smtp.close();
});

let customers = 0;
/** A residential customer with a leaking meter and an open alert not notified yet. */
/** The letter list as the billing team downloads it. */
const lettersCsv = () =>
  h.app.inject({
    method: 'GET',
    url: '/api/alerts/letters?format=csv',
    headers: { authorization: `Bearer ${agent}` },
  });

/** The cells of one line of a semicolon CSV file, unquoted. */
const parseCsvLine = (line: string) => (parseCsv(line, { delimiter: ';' }) as string[][])[0]!;

async function leakingCustomer(contact: { mobile?: string | null; email?: string | null } = {}) {
  customers += 1;
  const n = String(customers).padStart(3, '0');
  const mobile = contact.mobile === undefined ? `+33610000${n}` : contact.mobile;
  const email = contact.email === undefined ? `client${n}@test.example` : contact.email;
  const customer = await h.services.db.customer.create({
    data: {
      reference: `CA${n}`,
      lastName: 'Moreau',
      firstName: 'Léa',
      addressLine: `${n} rue des Fuites`,
      postcode: '66600',
      city: 'Opoul',
      email,
      ...(mobile ? { phones: { create: { e164: mobile, kind: 'MOBILE' } } } : {}),
      supplyPoints: {
        create: {
          reference: `PDL-A${n}`,
          addressLine: `${n} rue des Fuites`,
          postcode: '66600',
          city: 'Opoul',
          meters: { create: { serial: `MA${n}`, diameterMm: 15 } },
        },
      },
    },
    include: { supplyPoints: { include: { meters: true } } },
  });
  const supplyPoint = customer.supplyPoints[0]!;
  const alert = await h.services.db.consumptionAlert.create({
    data: {
      meterId: supplyPoint.meters[0]!.id,
      supplyPointId: supplyPoint.id,
      customerId: customer.id,
      episodeStart: new Date('2026-11-20'),
      detectedOn: new Date('2026-11-22'),
      thresholdLitres: 1000,
      consecutiveDays: 3,
      volumes: [
        { day: '2026-11-20', litres: 1800 },
        { day: '2026-11-21', litres: 2100 },
        { day: '2026-11-22', litres: 2400 },
      ],
      replyCode: String(1000 + customers),
    },
  });
  return { customer, alert, mobile, email, meter: supplyPoint.meters[0]!.serial };
}

const smsTo = (mobile: string) => twilioApi.messages.filter((m) => m.to === mobile);
const alertOf = (id: string) => h.services.db.consumptionAlert.findUniqueOrThrow({ where: { id } });

let inbound = 0;
async function reply(from: string, body: string) {
  inbound += 1;
  const response = await h.twilioPost('/twilio/sms/incoming', {
    MessageSid: `SM${String(inbound).padStart(32, 'a')}`,
    AccountSid: TEST_ACCOUNT_SID,
    From: from,
    To: '+33970000000',
    Body: body,
  });
  expect(response.statusCode).toBe(200);
}

describe('an alert reaches its customer', () => {
  it('[AL-3] the same day by SMS and e-mail; "ok" by SMS acknowledges it, confirms, and stops the reminders', async () => {
    const { alert, mobile, email, meter } = await leakingCustomer();
    await notifyPendingAlerts(h.services.notices);
    const [sms] = await until(async () => smsTo(mobile!).length > 0 && smsTo(mobile!));
    expect(sms!.body).toContain(`compteur ${meter}`);
    expect(sms!.body).toContain('2,1 m3/jour en moyenne');
    expect(sms!.body).toContain(`OK ${alert.replyCode}`);
    const received = await until(async () => smtp.mails.find((m) => m.to.includes(email!)));
    expect(received.raw).toContain(`Subject: Consommation d'eau inhabituelle au compteur ${meter}`);
    // The sink has the mail before the worker records that SMTP accepted it.
    const mail = await until(async () =>
      h.services.db.message.findFirst({ where: { channel: 'EMAIL', to: email!, status: 'DELIVERED' } }),
    );
    expect(mail.body).toMatch(/\/alerts\/ack\?alert=/);

    // On a loaded machine a first reminder may already have gone: none may follow the answer.
    const remindersBefore = smsTo(mobile!).filter((m) => m.body?.startsWith('Rappel')).length;
    await reply(mobile!, 'Ok merci 👍');
    expect(await alertOf(alert.id)).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedVia: 'sms' });
    const thanks = await until(async () =>
      smsTo(mobile!).find((m) => m.body?.startsWith('Merci, nous avons bien noté')),
    );
    expect(thanks.body).toContain(meter);
    // Every reminder still planned (three, 2 s apart) has run, and sent nothing.
    await h.drained(7000);
    expect(smsTo(mobile!).filter((m) => m.body?.startsWith('Rappel'))).toHaveLength(remindersBefore);
    expect(await notifyPendingAlerts(h.services.notices)).toBe(0);
  });

  it('[AL-3] is reminded three times without an acknowledgement, then marked unanswered', async () => {
    const { alert, mobile } = await leakingCustomer({ email: null });
    await notifyPendingAlerts(h.services.notices);
    await until(async () => (await alertOf(alert.id)).status === 'UNANSWERED', 25_000);
    const reminders = smsTo(mobile!).filter((m) => m.body?.startsWith('Rappel du service des eaux'));
    expect(reminders).toHaveLength(3);
    expect((await alertOf(alert.id)).remindersSent).toBe(3);
  });

  it('is acknowledged from the e-mail link: opening shows a button, only the button acknowledges', async () => {
    const { alert, email } = await leakingCustomer({ mobile: null });
    await notifyPendingAlerts(h.services.notices);
    const mail = await until(async () =>
      h.services.db.message.findFirst({ where: { channel: 'EMAIL', to: email! } }),
    );
    const link = new URL(/https:\/\/\S+\/alerts\/ack\?\S+/.exec(mail.body)![0]);
    const opened = await h.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('Je confirme avoir pris connaissance');
    expect((await alertOf(alert.id)).status).toBe('OPEN');

    const form = Object.fromEntries(link.searchParams);
    const tampered = await h.app.inject({
      method: 'POST',
      url: '/alerts/ack',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...form, exp: String(Number(form.exp) + 3600) }).toString(),
    });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('incomplet ou a été modifié');
    expect((await alertOf(alert.id)).status).toBe('OPEN');

    const confirmed = await h.app.inject({
      method: 'POST',
      url: '/alerts/ack',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('vous ne recevrez plus de rappel');
    expect(await alertOf(alert.id)).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedVia: 'email' });
  });

  it('refuses an expired link and says so', async () => {
    const { alert } = await leakingCustomer();
    const query = h.services.notices.links.sign(
      'alert-ack',
      { alert: alert.id },
      new Date(h.services.clock.now().getTime() - 1000),
    );
    const response = await h.app.inject({ method: 'GET', url: `/alerts/ack?${query}` });
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('Ce lien a expiré');
  });

  it('[AL-4] lists a customer with neither mobile nor e-mail for a letter with the next bill, as CSV', async () => {
    const { alert, customer } = await leakingCustomer({ mobile: null, email: null });
    await notifyPendingAlerts(h.services.notices);
    expect((await alertOf(alert.id)).byLetter).toBe(true);
    const csv = await lettersCsv();
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe(
      'customer_ref;last_name;first_name;address;postcode;city;meter;detected_on;episode_start;threshold_m3;status',
    );
    expect(lines.find((l) => l.startsWith(`${customer.reference};`))).toContain(
      ';2026-11-22;2026-11-20;1;OPEN',
    );
  });

  it('writes a name that a spreadsheet would run as a formula as text in the letter list', async () => {
    const { alert, customer } = await leakingCustomer({ mobile: null, email: null });
    await h.services.db.customer.update({
      where: { id: customer.id },
      data: { lastName: '=HYPERLINK("http://evil.example","Moreau")', firstName: '@SUM(1+1)' },
    });
    await notifyPendingAlerts(h.services.notices);
    expect((await alertOf(alert.id)).byLetter).toBe(true);
    const csv = await lettersCsv();
    const line = csv.body.split('\n').find((l) => l.startsWith(`${customer.reference};`))!;
    const [, lastName, firstName] = parseCsvLine(line);
    expect(lastName).toBe(`'=HYPERLINK("http://evil.example","Moreau")`);
    expect(firstName).toBe("'@SUM(1+1)");
  });

  it('puts the alert on the letter list when the only e-mail address bounces for good', async () => {
    const { alert, email } = await leakingCustomer({ mobile: null });
    smtp.rejectWith(550);
    await notifyPendingAlerts(h.services.notices);
    await until(async () => (await alertOf(alert.id)).byLetter);
    expect((await h.services.db.customer.findFirstOrThrow({ where: { email: email! } })).emailFailing).toBe(
      true,
    );
  });

  it('puts the alert on the letter list when the only mobile turns out to be a landline', async () => {
    const { alert } = await leakingCustomer({ email: null });
    twilioApi.failNext(TWILIO_ERRORS.notMobile);
    await notifyPendingAlerts(h.services.notices);
    await until(async () => (await alertOf(alert.id)).byLetter);
  });
});

describe('SMS replies', () => {
  it('STOP opts the number out, confirmed: no more alert SMS, but START brings them back', async () => {
    const { mobile } = await leakingCustomer({ email: null });
    await reply(mobile!, 'STOP');
    const confirmed = await until(async () =>
      smsTo(mobile!).find((m) => m.body?.includes('ne recevrez plus')),
    );
    expect(confirmed).toBeTruthy();
    expect(await h.services.db.smsOptOut.findUnique({ where: { phone: mobile! } })).toBeTruthy();
    // Opted out and nothing else on file: the alert goes by letter.
    await notifyPendingAlerts(h.services.notices);
    await h.drained();
    expect(smsTo(mobile!).filter((m) => m.body?.startsWith('Service des eaux'))).toHaveLength(0);

    await reply(mobile!, 'Arrêt non');
    await until(async () => smsTo(mobile!).find((m) => m.body?.includes('de nouveau nos SMS')));
    expect(await h.services.db.smsOptOut.findUnique({ where: { phone: mobile! } })).toBeNull();
  });

  it('answers a reply it cannot understand once with help, never in a loop', async () => {
    const { alert, mobile } = await leakingCustomer({ email: null });
    await notifyPendingAlerts(h.services.notices);
    await until(async () => smsTo(mobile!)[0]);
    await reply(mobile!, 'Qui êtes-vous ?');
    await reply(mobile!, 'Je ne comprends pas');
    const help = await until(async () =>
      smsTo(mobile!).filter((m) => m.body?.startsWith('Réponse non comprise')),
    );
    await h.drained();
    expect(smsTo(mobile!).filter((m) => m.body?.startsWith('Réponse non comprise'))).toHaveLength(1);
    expect(help[0]!.body).toContain(`${alert.replyCode} (`);
    expect((await alertOf(alert.id)).status).toBe('OPEN');
    // Every inbound message is kept as an inbound contact.
    expect(await h.services.db.message.count({ where: { direction: 'INBOUND', from: mobile! } })).toBe(2);
  });

  it('asks which account a shared number answers for, then takes the one named by its code', async () => {
    const first = await leakingCustomer({ email: null, mobile: '+33611119999' });
    const second = await leakingCustomer({ email: null, mobile: null });
    await h.services.db.customerPhone.create({
      data: { customerId: second.customer.id, e164: '+33611119999', kind: 'MOBILE' },
    });
    await notifyPendingAlerts(h.services.notices);
    await reply('+33611119999', 'oui');
    const which = await until(async () =>
      smsTo('+33611119999').find((m) => m.body?.startsWith('Ce numéro est celui de plusieurs comptes')),
    );
    expect(which.body).toContain(first.alert.replyCode);
    expect(which.body).toContain(second.alert.replyCode);
    expect((await alertOf(first.alert.id)).status).toBe('OPEN');

    await reply('+33611119999', `ok ${second.alert.replyCode}`);
    expect((await alertOf(second.alert.id)).status).toBe('ACKNOWLEDGED');
    expect((await alertOf(first.alert.id)).status).toBe('OPEN');
  });

  it('understands English and typos, and leaves numbers with nothing open unanswered', async () => {
    const { alert, mobile } = await leakingCustomer({ email: null });
    await notifyPendingAlerts(h.services.notices);
    await reply(mobile!, 'yess');
    expect((await alertOf(alert.id)).status).toBe('ACKNOWLEDGED');
    await reply('+33699990000', 'OK');
    await h.drained();
    expect(smsTo('+33699990000')).toHaveLength(0);
  });

  it('does not let an "OK" sent before the notice close an alert the customer was never told of', async () => {
    const { alert, mobile } = await leakingCustomer({ email: null });
    // The reply is applied within its webhook (as the acknowledgements above): no wait needed.
    await reply(mobile!, 'OK');
    expect((await alertOf(alert.id)).status).toBe('OPEN');
    // Once told, the same answer acknowledges it.
    await notifyPendingAlerts(h.services.notices);
    await until(async () => smsTo(mobile!).find((m) => m.body?.startsWith('Service des eaux')));
    await reply(mobile!, 'OK');
    expect(await alertOf(alert.id)).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedVia: 'sms' });
  });

  it('lets an agent acknowledge for a customer on the phone, audited, and says when it is already done', async () => {
    const { alert } = await leakingCustomer();
    const post = () =>
      h.app.inject({
        method: 'POST',
        url: `/api/alerts/${alert.id}/acknowledge`,
        headers: { authorization: `Bearer ${agent}` },
      });
    expect((await post()).json()).toEqual({ outcome: 'acknowledged' });
    expect((await post()).json()).toEqual({ outcome: 'already' });
    expect(await alertOf(alert.id)).toMatchObject({ acknowledgedVia: 'agent' });
    expect(
      await h.services.db.auditLog.count({ where: { action: 'alert.acknowledged', entityId: alert.id } }),
    ).toBe(2);
    expect(await acknowledgeAlert(h.services.notices, alert.id, 'sms')).toBe('already');
  });
});

describe('threshold and deactivation', () => {
  it('[AL-3] records a threshold change asked by the customer, with who and why', async () => {
    const { customer } = await leakingCustomer();
    const changed = await h.app.inject({
      method: 'PUT',
      url: `/api/customers/${customer.id}/alert-threshold`,
      headers: { authorization: `Bearer ${agent}` },
      payload: { litresPerDay: 1500, reason: 'Piscine remplie chaque été' },
    });
    expect(changed.statusCode).toBe(200);
    expect(
      (await h.services.db.customer.findUniqueOrThrow({ where: { id: customer.id } })).alertThresholdLitres,
    ).toBe(1500);
    const audit = await h.services.db.auditLog.findFirstOrThrow({
      where: { action: 'alert-threshold.changed', entityId: customer.id },
    });
    expect(audit).toMatchObject({
      actorType: 'USER',
      data: { from: null, to: 1500, reason: 'Piscine remplie chaque été' },
    });
    const refused = await h.app.inject({
      method: 'PUT',
      url: `/api/customers/${customer.id}/alert-threshold`,
      headers: { authorization: `Bearer ${agent}` },
      payload: { litresPerDay: -5, reason: 'x' },
    });
    expect(refused.statusCode).toBe(400);
  });

  it('[AL-5] switches a departing customer’s alerts off: open ones stop, no reminder follows', async () => {
    const { customer, alert, mobile } = await leakingCustomer({ email: null });
    await notifyPendingAlerts(h.services.notices);
    await until(async () => smsTo(mobile!)[0]);
    const remindersBefore = smsTo(mobile!).filter((m) => m.body?.startsWith('Rappel')).length;
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/customers/${customer.id}/alerts/deactivate`,
      headers: { authorization: `Bearer ${agent}` },
      payload: { reason: 'Départ du logement' },
    });
    expect(response.json()).toEqual({ customerId: customer.id, deactivated: 1 });
    expect((await alertOf(alert.id)).status).toBe('DEACTIVATED');
    await h.drained(7000); // the reminders (three, 2 s apart) have run, and sent nothing
    expect(smsTo(mobile!).filter((m) => m.body?.startsWith('Rappel'))).toHaveLength(remindersBefore);
  });
});

describe('template preview', () => {
  it('shows staff each template rendered with its sample, and an SMS with its encoding and segments', async () => {
    const response = await h.app.inject({
      method: 'GET',
      url: '/api/templates?key=sms/alert-detected',
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(response.statusCode).toBe(200);
    const [french, english] = response.json() as Array<{
      locale: string;
      rendered: string;
      sms: { segments: number };
    }>;
    expect(french).toMatchObject({ locale: 'fr', sms: { encoding: 'GSM-7', segments: 2 } });
    expect(french!.rendered).toContain('compteur M9000123');
    expect(english!.rendered).toContain('meter M9000123');
    expect((await h.app.inject({ method: 'GET', url: '/api/templates' })).statusCode).toBe(401);
  });
});
