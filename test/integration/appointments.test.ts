import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bookAppointment } from '../../src/appointments/booking.service.js';
import { sendJobId } from '../../src/messaging/outbox.service.js';
import { startOutboxWorker, sweepOutbox } from '../../src/messaging/outbox.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createTwilioApi, TEST_ACCOUNT_SID, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// Appointments end to end (DOMAIN.md section 4): free slots, booking over the api, the
// confirmation and the day-before SMS through the outbox and Twilio (msw answering as Twilio
// does), the customer's replies through the real signed SMS webhook, and the company's changes.

const twilioApi = createTwilioApi();
const clock = runningFrom(at('2026-12-07T10:00')); // a Monday morning
let h: Harness;
let agent: string;
let worker: Stoppable;

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({ clock, env: { ...TWILIO_TEST_ENV } });
  agent = await h.login('AGENT');
  worker = startOutboxWorker(h.services);
});

afterAll(async () => {
  await worker.close();
  await h.close();
  twilioApi.close();
});

beforeEach(() => {
  clock.set(at('2026-12-07T10:00'));
});

let made = 0;
/** An agency with `technicians` on its Monday-to-Friday field roster, and an open case of a customer with a mobile. */
async function fixture(
  options: { technicians?: number; mobile?: string | null; email?: string | null } = {},
) {
  made += 1;
  const n = String(made).padStart(3, '0');
  const db = h.services.db;
  const region = await db.region.create({ data: { code: `RA${n}`, name: 'Région' } });
  const agency = await db.agency.create({
    data: { code: `AG${n}`, name: `Agence ${n}`, regionId: region.id },
  });
  const technicians = [];
  for (let i = 0; i < (options.technicians ?? 2); i++)
    technicians.push(
      await db.technician.create({
        data: {
          agencyId: agency.id,
          reference: `T${n}-${i}`,
          lastName: `Tech${i}`,
          firstName: 'Alex',
          mobile: `+3361100${n}${i}`,
          fieldWeekdays: [1, 2, 3, 4, 5],
        },
      }),
    );
  const mobile = options.mobile === undefined ? `+33620000${n}` : options.mobile;
  const customer = await db.customer.create({
    data: {
      reference: `CAP${n}`,
      lastName: 'Girard',
      addressLine: `${n} rue des Compteurs`,
      postcode: '69002',
      city: 'Lyon',
      email: options.email === undefined ? `rdv${n}@test.example` : options.email,
      ...(mobile ? { phones: { create: { e164: mobile, kind: 'MOBILE' } } } : {}),
    },
  });
  const kase = await db.case.create({
    data: {
      category: 'meter',
      subject: 'Contestation d’index',
      customerId: customer.id,
      agencyId: agency.id,
    },
  });
  return { agency, technicians, customer, kase, mobile };
}

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

const booking = (caseId: string, startsAt: Date, extra: object = {}) => ({
  caseId,
  startsAt: startsAt.toISOString(),
  interventionType: 'index-dispute',
  meterLocation: 'Cuisine, sous l’évier',
  meterAccessible: true,
  ...extra,
});

async function book(caseId: string, startsAt: Date, extra: object = {}) {
  const response = await api('POST', '/api/appointments', booking(caseId, startsAt, extra));
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; replyCode: string; status: string; technicianId: string };
}

const smsTo = (mobile: string) => twilioApi.messages.filter((m) => m.to === mobile);
const appointment = (id: string) => h.services.db.appointment.findUniqueOrThrow({ where: { id } });

let inbound = 0;
async function reply(from: string, body: string) {
  inbound += 1;
  const response = await h.twilioPost('/twilio/sms/incoming', {
    MessageSid: `SM${String(inbound).padStart(32, 'b')}`,
    AccountSid: TEST_ACCOUNT_SID,
    From: from,
    To: '+33970000000',
    Body: body,
  });
  expect(response.statusCode).toBe(200);
  return `SM${String(inbound).padStart(32, 'b')}`;
}

/** The next SMS to `mobile` after the `count` it already had. */
const nextSms = (mobile: string, count: number) =>
  until(async () => smsTo(mobile).length > count && smsTo(mobile)[count]!);

describe('[AP-2] free slots', () => {
  it('[AP-2] the case’s agency offers 2-hour slots from J+2 to J+10 working days, with the free technicians counted', async () => {
    const { kase } = await fixture({ technicians: 2 });
    const response = await api('GET', `/api/cases/${kase.id}/slots`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.first).toBe('2026-12-09');
    expect(body.last).toBe('2026-12-21');
    expect(body.slots[0]).toMatchObject({
      startsAt: at('2026-12-09T08:00').toISOString(),
      day: '2026-12-09',
      technicians: 2,
    });
    expect(body.slots).toHaveLength(9 * 4);
  });

  it('[AP-2] a booked technician, an absence and a closure take their slots away', async () => {
    const { agency, kase, technicians } = await fixture({ technicians: 1 });
    await h.services.db.technicianAbsence.create({
      data: {
        technicianId: technicians[0]!.id,
        startsAt: at('2026-12-10T00:00'),
        endsAt: at('2026-12-11T00:00'),
      },
    });
    await h.services.db.agencyClosure.create({
      data: { agencyId: agency.id, day: new Date('2026-12-11T00:00:00Z') },
    });
    await book(kase.id, at('2026-12-09T08:00'));
    const { slots, last } = (await api('GET', `/api/agencies/${agency.id}/slots`)).json() as {
      slots: Array<{ startsAt: string; day: string }>;
      last: string;
    };
    const starts = slots.map((s) => s.startsAt);
    expect(starts).not.toContain(at('2026-12-09T08:00').toISOString());
    expect(starts).toContain(at('2026-12-09T10:00').toISOString());
    expect(slots.filter((s) => s.day === '2026-12-10' || s.day === '2026-12-11')).toEqual([]);
    expect(last).toBe('2026-12-22');
  });
});

describe('[AP-2] slots kept between requests', () => {
  it('[AP-2] a change made outside the api (another process, plain SQL) is seen at the next request', async () => {
    const { agency, technicians } = await fixture({ technicians: 1 });
    const days = async () => {
      const slots = (await api('GET', `/api/agencies/${agency.id}/slots`)).json().slots as Array<{
        day: string;
      }>;
      return { count: slots.length, days: [...new Set(slots.map((s) => s.day))] };
    };
    expect((await days()).count).toBe(36);
    await h.services.db
      .$executeRaw`UPDATE technicians SET field_weekdays = '{1,2,4,5}' WHERE id = ${technicians[0]!.id}::uuid`;
    expect((await days()).days).not.toContain('2026-12-09');
    await h.services.db
      .$executeRaw`INSERT INTO agency_closures (agency_id, day) VALUES (${agency.id}::uuid, '2026-12-10')`;
    expect((await days()).days).toEqual([
      '2026-12-11',
      '2026-12-14',
      '2026-12-15',
      '2026-12-17',
      '2026-12-18',
      '2026-12-21',
      '2026-12-22',
    ]);
    await h.services.db
      .$executeRaw`UPDATE agencies SET field_hours = '{"mon":"08:00-10:00","thu":"08:00-10:00"}' WHERE id = ${agency.id}::uuid`;
    expect(await days()).toEqual({ count: 3, days: ['2026-12-14', '2026-12-17', '2026-12-21'] });
  });
});

describe("[AP-2] an agency's own field hours", () => {
  it('[AP-2] imported with the agencies file, they cut the slots; an empty cell goes back to the default', async () => {
    const { agency } = await fixture({ technicians: 1 });
    const importer = await h.apiToken('IMPORT');
    const region = await h.services.db.region.findUniqueOrThrow({ where: { id: agency.regionId } });
    const post = (hours: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/imports/agencies',
        headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${importer}` },
        payload: `agency_code;agency_name;region_code;postcode;field_hours\n${agency.code};${agency.name};${region.code};69002;"${hours}"\n`,
      });
    const first = await post('lun-ven 09:00-11:00; sam 08:00-10:00');
    expect(first.statusCode, first.body).toBe(200);
    const starts = async () =>
      (
        (await api('GET', `/api/agencies/${agency.id}/slots`)).json().slots as Array<{ startsAt: string }>
      ).map((s) => s.startsAt);
    expect((await starts()).slice(0, 2)).toEqual([
      at('2026-12-09T09:00').toISOString(),
      at('2026-12-10T09:00').toISOString(),
    ]);
    const garbled = await post('lun-ven 9 à midi');
    expect(garbled.statusCode).toBe(422);
    expect(garbled.body).toContain('field_hours');
    expect((await post('')).statusCode).toBe(200);
    expect((await starts())[0]).toBe(at('2026-12-09T08:00').toISOString());
  });
});

describe('[AP-2] no slot within ten working days', () => {
  it('[AP-2] the case stays open for the scheduling team to call back on a validated mobile, until an appointment is booked', async () => {
    const { kase, agency } = await fixture({ technicians: 0 });
    expect((await api('GET', `/api/cases/${kase.id}/slots`)).json().slots).toEqual([]);
    const landline = await api('POST', `/api/cases/${kase.id}/scheduling-callback`, {
      mobile: '04 78 00 00 00',
    });
    expect(landline.statusCode).toBe(422);
    expect(landline.json().error).toBe('mobile_required');
    const asked = await api('POST', `/api/cases/${kase.id}/scheduling-callback`, {
      mobile: '06 12 34 56 78',
    });
    expect(asked.statusCode, asked.body).toBe(200);
    const waiting = (await api('GET', '/api/scheduling-callbacks')).json().cases as Array<{
      id: string;
      mobile: string;
    }>;
    expect(waiting.find((c) => c.id === kase.id)).toMatchObject({ mobile: '+33612345678' });
    await h.services.db.technician.create({
      data: {
        agencyId: agency.id,
        reference: `LATE-${agency.code}`,
        lastName: 'Tard',
        firstName: 'Sam',
        mobile: '+33611999999',
        fieldWeekdays: [1, 2, 3, 4, 5],
      },
    });
    await book(kase.id, at('2026-12-10T08:00'));
    const after = (await api('GET', '/api/scheduling-callbacks')).json().cases as Array<{ id: string }>;
    expect(after.map((c) => c.id)).not.toContain(kase.id);
  });
});

describe('[AP-1] [AP-3] booking', () => {
  it('[AP-3] booking confirms by SMS at once and schedules the SMS of the day before at the set hour, both traced as outbound contacts', async () => {
    const { kase, mobile } = await fixture();
    const booked = await book(kase.id, at('2026-12-10T13:30'));
    expect(booked.status).toBe('BOOKED');
    const sms = await nextSms(mobile!, 0);
    expect(sms.body).toContain('jeudi 10 décembre entre 13:30 et 15:30');
    expect(sms.body).toContain('Votre présence est obligatoire');
    expect(sms.body).toContain(`code ${booked.replyCode}`);
    const reminder = await h.services.db.message.findFirstOrThrow({
      where: { caseId: kase.id, purpose: 'appointment-reminder' },
    });
    expect(reminder.status).toBe('QUEUED');
    // The previous working day (Wednesday) at 17:00.
    expect(reminder.notBefore).toEqual(at('2026-12-09T17:00'));
    const contact = await until(() =>
      h.services.db.contact.findFirst({ where: { caseId: kase.id, direction: 'OUTBOUND', channel: 'SMS' } }),
    );
    expect(contact.summary).toBe('Confirmation de rendez-vous');
  });

  it('[AP-3] a Monday appointment is reminded on the Friday before', async () => {
    const { kase } = await fixture();
    clock.set(at('2026-12-09T10:00'));
    await book(kase.id, at('2026-12-14T08:00'));
    const reminder = await h.services.db.message.findFirstOrThrow({
      where: { caseId: kase.id, purpose: 'appointment-reminder' },
    });
    expect(reminder.notBefore).toEqual(at('2026-12-11T17:00'));
  });

  it('[AP-3] an appointment booked less than a day ahead is reminded at once', async () => {
    const { kase, mobile } = await fixture();
    clock.set(at('2026-12-07T18:30'));
    const deps = {
      ...h.services.appointments,
      settings: { ...h.services.appointments.settings, leadWorkingDays: 1 },
    };
    const result = await bookAppointment(deps, booking(kase.id, at('2026-12-08T08:00')) as never, {
      userId: null,
      sees: {},
    });
    expect(result.ok).toBe(true);
    const [confirmation, reminder] = await until(async () => smsTo(mobile!).length >= 2 && smsTo(mobile!));
    expect(confirmation!.body).toMatch(/^Rendez-vous fixé/);
    expect(reminder!.body).toMatch(/^Rappel : rendez-vous le mardi 8 décembre entre 08:00 et 10:00/);
  });

  it('[AP-3] a customer with an e-mail only is confirmed by e-mail', async () => {
    const { kase } = await fixture({ mobile: null });
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    const message = await h.services.db.message.findFirstOrThrow({
      where: { caseId: kase.id, purpose: 'appointment-booked' },
    });
    expect(message.channel).toBe('EMAIL');
    expect(message.subject).toBe('Votre rendez-vous du jeudi 10 décembre');
    expect((await appointment(booked.id)).confirmBy).toBe('EMAIL');
  });

  it('[AP-1] a garage meter counts as inaccessible until the customer confirms it, and makes presence mandatory', async () => {
    const first = await fixture();
    const garage = await book(first.kase.id, at('2026-12-10T08:00'), {
      interventionType: 'meter-reading',
      meterLocation: 'Garage accessible',
    });
    expect(await appointment(garage.id)).toMatchObject({ meterAccessible: false, presenceRequired: true });
    const second = await fixture();
    const confirmed = await book(second.kase.id, at('2026-12-10T08:00'), {
      interventionType: 'meter-reading',
      meterLocation: 'Garage accessible',
      accessibilityConfirmed: true,
    });
    expect(await appointment(confirmed.id)).toMatchObject({ meterAccessible: true, presenceRequired: false });
  });

  it('[AP-2] bad bookings get a clear 4xx and book nothing', async () => {
    const { kase, technicians } = await fixture({ technicians: 1 });
    await h.services.db.technicianAbsence.create({
      data: {
        technicianId: technicians[0]!.id,
        startsAt: at('2026-12-16T00:00'),
        endsAt: at('2026-12-17T00:00'),
      },
    });
    const refused = async (payload: object, status: number, error: string, message?: RegExp) => {
      const response = await api('POST', '/api/appointments', payload);
      expect(response.statusCode, response.body).toBe(status);
      expect(response.json().error).toBe(error);
      if (message) expect(response.json().message).toMatch(message);
    };
    await refused(booking(kase.id, at('2026-12-04T08:00')), 409, 'slot_unavailable', /past/);
    await refused(
      booking(kase.id, at('2026-12-08T08:00')),
      409,
      'slot_unavailable',
      /first day .* 2026-12-09/,
    );
    await refused(
      booking(kase.id, at('2026-12-22T08:00')),
      409,
      'slot_unavailable',
      /last day .* 2026-12-21/,
    );
    await refused(booking(kase.id, at('2026-12-10T07:00')), 409, 'slot_unavailable', /outside field hours/);
    await refused(booking(kase.id, at('2026-12-12T08:00')), 409, 'slot_unavailable');
    await refused(booking(kase.id, at('2026-12-16T08:00')), 409, 'slot_unavailable');
    await refused(
      booking(kase.id, at('2026-12-10T08:00'), { mobile: '04 78 00 00 00' }),
      422,
      'contact_required',
    );
    await refused(booking('00000000-0000-4000-8000-000000000000', at('2026-12-10T08:00')), 404, 'not_found');
    const garbled = await api('POST', '/api/appointments', { caseId: kase.id, startsAt: 'tomorrow' });
    expect(garbled.statusCode).toBe(400);
    const nobody = await fixture({ mobile: null, email: null });
    await refused(
      booking(nobody.kase.id, at('2026-12-10T08:00')),
      422,
      'contact_required',
      /mobile or e-mail/,
    );
    expect(
      await h.services.db.appointment.count({ where: { caseId: { in: [kase.id, nobody.kase.id] } } }),
    ).toBe(0);
    await book(kase.id, at('2026-12-10T08:00'));
    await refused(booking(kase.id, at('2026-12-10T10:00')), 409, 'already_booked');
  });

  it('[AP-2] two agents booking the last free technician of a slot at once: one gets it, the other a 409', async () => {
    const first = await fixture({ technicians: 1 });
    const other = await h.services.db.case.create({
      data: {
        category: 'meter',
        subject: 'Autre demande',
        customerId: first.customer.id,
        agencyId: first.agency.id,
      },
    });
    const slot = at('2026-12-10T10:00');
    const [a, b] = await Promise.all([
      api('POST', '/api/appointments', booking(first.kase.id, slot)),
      api('POST', '/api/appointments', booking(other.id, slot)),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect([a, b].find((r) => r.statusCode === 409)!.json().error).toMatch(/slot_taken|slot_unavailable/);
    expect(await h.services.db.appointment.count({ where: { agencyId: first.agency.id } })).toBe(1);
  });

  it('[AP-2] the database itself refuses a second booking of a technician at an overlapping time', async () => {
    const { kase, technicians } = await fixture({ technicians: 1 });
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    const row = await appointment(booked.id);
    const { id: _id, createdAt: _c, updatedAt: _u, offeredSlots: _o, ...copy } = row;
    await expect(
      h.services.db.appointment.create({
        data: {
          ...copy,
          technicianId: technicians[0]!.id,
          startsAt: at('2026-12-10T09:00'),
          endsAt: at('2026-12-10T11:00'),
        },
      }),
    ).rejects.toThrow(/appointments_technician_no_overlap/);
  });
});

describe('[AP-3] replies by SMS', () => {
  it('[AP-3] "OUI" confirms: the customer is thanked, the reply is an inbound contact on the case, live', async () => {
    const { kase, mobile } = await fixture();
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    const sid = await reply(mobile!, 'Oui merci');
    expect((await appointment(booked.id)).status).toBe('CONFIRMED');
    expect((await nextSms(mobile!, 1)).body).toContain('est confirmé');
    const contact = await h.services.db.contact.findUniqueOrThrow({ where: { providerId: sid } });
    expect(contact).toMatchObject({ caseId: kase.id, direction: 'INBOUND', channel: 'SMS' });
    const events = await h.services.db.caseEvent.findMany({
      where: { caseId: kase.id },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => e.type)).toEqual([
      'appointment.booked',
      'appointment.reply',
      'appointment.confirmed',
    ]);
    // The Appointments screen's list says what the customer answered.
    const listed = (await api('GET', `/api/appointments?caseId=${kase.id}`)).json().appointments;
    expect(listed).toEqual([
      expect.objectContaining({
        id: booked.id,
        status: 'CONFIRMED',
        lastReply: expect.objectContaining({ body: 'Oui merci', intent: 'yes' }),
      }),
    ]);
  });

  it('[AP-3] "NON" cancels: the slot is free again at once and the day-before SMS is withdrawn; "CANCEL" is an opt-out, not an answer', async () => {
    const { kase, mobile, agency } = await fixture({ technicians: 1 });
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    await reply(mobile!, 'CANCEL');
    expect((await appointment(booked.id)).status).toBe('BOOKED');
    expect((await nextSms(mobile!, 1)).body).toMatch(/STOP|désinscri|ne recevrez plus/i);
    await reply(mobile!, 'START');
    await nextSms(mobile!, 2);
    await reply(mobile!, 'non');
    expect((await appointment(booked.id)).status).toBe('CANCELLED');
    expect((await nextSms(mobile!, 3)).body).toContain('est annulé');
    const reminder = await h.services.db.message.findFirstOrThrow({
      where: { caseId: kase.id, purpose: 'appointment-reminder' },
    });
    expect(reminder.status).toBe('CANCELED');
    const slots = (await api('GET', `/api/agencies/${agency.id}/slots`)).json().slots as Array<{
      startsAt: string;
    }>;
    expect(slots.map((s) => s.startsAt)).toContain(at('2026-12-10T08:00').toISOString());
  });

  it('[AP-3] "3" offers the next three free slots, numbered; the number picked books it and moves the day-before SMS', async () => {
    const { kase, mobile } = await fixture({ technicians: 1 });
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    await reply(mobile!, '3');
    const offer = await nextSms(mobile!, 1);
    expect(offer.body).toContain('1) mercredi 9 décembre 08:00-10:00');
    expect(offer.body).toContain('3) mercredi 9 décembre 13:30-15:30');
    expect((await appointment(booked.id)).status).toBe('BOOKED');
    await reply(mobile!, '2');
    const moved = await appointment(booked.id);
    expect(moved).toMatchObject({ status: 'CONFIRMED', startsAt: at('2026-12-09T10:00') });
    expect((await nextSms(mobile!, 2)).body).toContain(
      'nouveau rendez-vous le mercredi 9 décembre entre 10:00 et 12:00',
    );
    const reminders = await h.services.db.message.findMany({
      where: { caseId: kase.id, purpose: 'appointment-reminder' },
      orderBy: { createdAt: 'asc' },
    });
    expect(reminders.map((r) => [r.status, r.notBefore])).toEqual([
      ['CANCELED', at('2026-12-09T17:00')],
      ['QUEUED', at('2026-12-08T17:00')],
    ]);
  });

  it('[AP-3] a pick of a slot taken meanwhile gets fresh choices; an unknown number gets the choices again', async () => {
    const { kase, mobile, customer, agency } = await fixture({ technicians: 1 });
    await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    await reply(mobile!, 'autre');
    await nextSms(mobile!, 1);
    // Another agent books the first slot offered.
    const other = await h.services.db.case.create({
      data: { category: 'meter', subject: 'Autre', customerId: customer.id, agencyId: agency.id },
    });
    await book(other.id, at('2026-12-09T08:00'), { mobile: '+33699999999' });
    await reply(mobile!, '1');
    const fresh = await nextSms(mobile!, 2);
    expect(fresh.body).toMatch(/^Ce créneau n'est plus libre\. .*1\) mercredi 9 décembre 10:00-12:00/);
    await reply(mobile!, '7');
    expect((await nextSms(mobile!, 3)).body).toMatch(/^Numéro de créneau inconnu\./);
  });

  it('[AP-3] two appointments on one mobile: a bare "OUI" asks which, the code in the SMS answers the right one', async () => {
    const first = await fixture();
    const other = await h.services.db.case.create({
      data: { category: 'leak', subject: 'Fuite', customerId: first.customer.id, agencyId: first.agency.id },
    });
    const a = await book(first.kase.id, at('2026-12-10T08:00'));
    const b = await book(other.id, at('2026-12-11T08:00'));
    await nextSms(first.mobile!, 1);
    await reply(first.mobile!, 'OUI');
    const which = await nextSms(first.mobile!, 2);
    expect(which.body).toContain(a.replyCode);
    expect(which.body).toContain(b.replyCode);
    expect((await appointment(a.id)).status).toBe('BOOKED');
    await reply(first.mobile!, `OUI ${a.replyCode}`);
    expect((await appointment(a.id)).status).toBe('CONFIRMED');
    expect((await appointment(b.id)).status).toBe('BOOKED');
  });

  it('[AP-3] a reply after the appointment has passed is told so, not dropped', async () => {
    const { kase, mobile } = await fixture();
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    clock.set(at('2026-12-10T11:00'));
    await reply(mobile!, 'NON');
    expect((await nextSms(mobile!, 1)).body).toMatch(/^Le rendez-vous du jeudi 10 décembre est passé/);
    expect((await appointment(booked.id)).status).toBe('BOOKED');
  });

  it('[AP-3] a reply about an appointment already cancelled is told so, not dropped', async () => {
    const { kase, mobile } = await fixture();
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    await reply(mobile!, 'NON');
    await nextSms(mobile!, 1);
    await reply(mobile!, 'OUI');
    expect((await nextSms(mobile!, 2)).body).toMatch(/a été annulé : votre réponse ne peut plus le modifier/);
    expect((await appointment(booked.id)).status).toBe('CANCELLED');
  });
});

describe('[AP-4] [AP-5] changes by the company and missed appointments', () => {
  it('[AP-4] the company cancels: the slot is freed, a call is due, and an SMS apologises with three new slots the customer can pick', async () => {
    const { kase, mobile } = await fixture({ technicians: 1 });
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    const response = await api('POST', `/api/appointments/${booked.id}/cancel`, {
      by: 'COMPANY',
      reason: 'Technicien absent',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'RESCHEDULING', callDue: true, technicianId: null });
    const sms = await nextSms(mobile!, 1);
    expect(sms.body).toMatch(
      /^Toutes nos excuses : nous devons annuler votre rendez-vous du jeudi 10 décembre/,
    );
    expect(sms.body).toContain('1) mercredi 9 décembre 08:00-10:00');
    await reply(mobile!, '1');
    expect(await appointment(booked.id)).toMatchObject({
      status: 'CONFIRMED',
      startsAt: at('2026-12-09T08:00'),
    });
    const done = await api('POST', `/api/appointments/${booked.id}/call-done`, {});
    expect(done.json().callDue).toBe(false);
    expect(
      await h.services.db.contact.count({
        where: { caseId: kase.id, channel: 'PHONE', direction: 'OUTBOUND' },
      }),
    ).toBe(1);
  });

  it('[AP-4] the company moves it: the customer is told at once with apologies and the day-before SMS follows the new time', async () => {
    const { kase, mobile } = await fixture();
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    const response = await api('POST', `/api/appointments/${booked.id}/move`, {
      startsAt: at('2026-12-15T13:30').toISOString(),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: 'BOOKED', callDue: true });
    expect((await nextSms(mobile!, 1)).body).toMatch(
      /^Toutes nos excuses : votre rendez-vous est déplacé au mardi 15 décembre entre 13:30 et 15:30/,
    );
    const queued = await h.services.db.message.findMany({
      where: { caseId: kase.id, purpose: 'appointment-reminder', status: 'QUEUED' },
    });
    expect(queued.map((m) => m.notBefore)).toEqual([at('2026-12-14T17:00')]);
    const moveToHoliday = await api('POST', `/api/appointments/${booked.id}/move`, {
      startsAt: at('2026-12-25T08:00').toISOString(),
    });
    expect(moveToHoliday.statusCode).toBe(409);
  });

  it('[AP-4] missed by the company: apologies and new slots; [AP-5] missed by the customer: the case is flagged for the trip’s fee', async () => {
    const ours = await fixture();
    const a = await book(ours.kase.id, at('2026-12-10T08:00'));
    const early = await api('POST', `/api/appointments/${a.id}/missed`, { by: 'COMPANY' });
    expect(early.statusCode).toBe(409);
    clock.set(at('2026-12-10T12:00'));
    await nextSms(ours.mobile!, 0);
    const missed = await api('POST', `/api/appointments/${a.id}/missed`, { by: 'COMPANY' });
    expect(missed.json()).toMatchObject({ status: 'RESCHEDULING', missedBy: 'COMPANY', callDue: true });
    expect((await nextSms(ours.mobile!, 1)).body).toMatch(
      /^Toutes nos excuses : notre technicien n'a pas pu venir.*1\) lundi 14 décembre/,
    );

    clock.set(at('2026-12-07T10:00'));
    const theirs = await fixture();
    const b = await book(theirs.kase.id, at('2026-12-10T08:00'));
    clock.set(at('2026-12-10T12:00'));
    const noShow = await api('POST', `/api/appointments/${b.id}/missed`, { by: 'CUSTOMER' });
    expect(noShow.json()).toMatchObject({ status: 'MISSED', missedBy: 'CUSTOMER', callDue: false });
    expect((await h.services.db.case.findUniqueOrThrow({ where: { id: theirs.kase.id } })).travelFeeDue).toBe(
      true,
    );
  });
});

describe("[AP-4] a technician's absence recorded after booking", () => {
  /** Two technicians both booked at 08:00 on Thursday, the first one also at 10:00. */
  async function busyThursday() {
    const f = await fixture({ technicians: 2 });
    const cases = [f.kase];
    for (const subject of ['Deuxième', 'Troisième'])
      cases.push(
        await h.services.db.case.create({
          data: { category: 'meter', subject, customerId: f.customer.id, agencyId: f.agency.id },
        }),
      );
    const eight = await book(cases[0]!.id, at('2026-12-10T08:00'));
    const absent = eight.technicianId;
    const other = f.technicians.find((t) => t.id !== absent)!.id;
    const alsoEight = await book(cases[1]!.id, at('2026-12-10T08:00'), { mobile: '+33698000001' });
    const ten = await book(cases[2]!.id, at('2026-12-10T10:00'), {
      technicianId: absent,
      mobile: '+33698000002',
    });
    expect(alsoEight.technicianId).toBe(other);
    expect(ten.technicianId).toBe(absent);
    await nextSms(f.mobile!, 0);
    return { ...f, eight, ten, absent, other };
  }

  it('[AP-4] over the api: what a colleague can take is handed over unseen, the rest is cancelled with apologies and new slots', async () => {
    const f = await busyThursday();
    const response = await api('POST', `/api/technicians/${f.absent}/absences`, {
      startsAt: at('2026-12-10T00:00').toISOString(),
      endsAt: at('2026-12-11T00:00').toISOString(),
      reason: 'Arrêt maladie',
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toMatchObject({ reassigned: 1, cancelled: 1 });
    expect(await appointment(f.ten.id)).toMatchObject({
      status: 'BOOKED',
      technicianId: f.other,
      callDue: false,
    });
    expect(await appointment(f.eight.id)).toMatchObject({
      status: 'RESCHEDULING',
      callDue: true,
      reason: 'Arrêt maladie',
    });
    expect((await nextSms(f.mobile!, 1)).body).toMatch(
      /^Toutes nos excuses : nous devons annuler votre rendez-vous du jeudi 10 décembre/,
    );
    // The handed-over customer is told nothing new: their time is unchanged.
    await h.drained();
    expect(smsTo('+33698000002')).toHaveLength(1);
  });

  it('[AP-4] through the roster import: an absence in the file moves the technician’s appointments the same way', async () => {
    const f = await busyThursday();
    const technician = await h.services.db.technician.findUniqueOrThrow({ where: { id: f.absent } });
    const importer = await h.apiToken('IMPORT');
    const csv = [
      'agency;technician_ref;weekdays;absent_from;absent_to;absence_reason',
      ...f.technicians.map((t) =>
        t.id === f.absent
          ? `${f.agency.code};${technician.reference};lun-ven;2026-12-10;;formation`
          : `${f.agency.code};${t.reference};lun-ven;;;`,
      ),
    ].join('\n');
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/imports/field-roster',
      headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${importer}` },
      payload: csv,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(await appointment(f.ten.id)).toMatchObject({ technicianId: f.other, status: 'BOOKED' });
    expect(await appointment(f.eight.id)).toMatchObject({ status: 'RESCHEDULING', reason: 'formation' });
  });
});

describe('[AP-6] the customer withdraws the request', () => {
  it('[AP-6] cancelling the case cancels its appointment, frees the slot and withdraws the day-before SMS', async () => {
    const { kase, agency } = await fixture({ technicians: 1 });
    const booked = await book(kase.id, at('2026-12-10T08:00'));
    const response = await api('POST', `/api/cases/${kase.id}/cancel`, {
      reason: 'Le client a réglé le problème lui-même',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ id: kase.id, appointmentsCancelled: 1 });
    expect(await appointment(booked.id)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'CUSTOMER' });
    expect((await h.services.db.case.findUniqueOrThrow({ where: { id: kase.id } })).status).toBe('CANCELLED');
    const reminder = await h.services.db.message.findFirstOrThrow({
      where: { caseId: kase.id, purpose: 'appointment-reminder' },
    });
    expect(reminder.status).toBe('CANCELED');
    const slots = (await api('GET', `/api/agencies/${agency.id}/slots`)).json().slots as Array<{
      startsAt: string;
    }>;
    expect(slots.map((s) => s.startsAt)).toContain(at('2026-12-10T08:00').toISOString());
    expect((await api('POST', `/api/cases/${kase.id}/cancel`, { reason: 'encore' })).statusCode).toBe(409);
  });
});

describe('[AP-3] the day-before SMS survives a worker restart', () => {
  it('[AP-3] a worker stopped between booking and the day before: its successor sends the reminder once, not twice', async () => {
    const { kase, mobile } = await fixture();
    await book(kase.id, at('2026-12-10T08:00'));
    await nextSms(mobile!, 0);
    const reminder = await h.services.db.message.findFirstOrThrow({
      where: { caseId: kase.id, purpose: 'appointment-reminder' },
    });
    await worker.close();
    worker = startOutboxWorker(h.services);
    // The day before at 17:00: the delayed job is due (BullMQ counts real time; the test moves it on).
    clock.set(at('2026-12-09T17:00'));
    await (await h.services.outboxQueues.SMS.getJob(sendJobId(reminder.id)))!.promote();
    const sent = await nextSms(mobile!, 1);
    expect(sent.body).toMatch(/^Rappel : rendez-vous le jeudi 10 décembre entre 08:00 et 10:00/);
    // Another restart and the outbox sweep re-adding what is waiting: still one reminder.
    await worker.close();
    worker = startOutboxWorker(h.services);
    clock.set(at('2026-12-09T18:00'));
    await sweepOutbox(h.services);
    await h.drained();
    expect(smsTo(mobile!).filter((m) => m.body?.startsWith('Rappel'))).toHaveLength(1);
    expect((await h.services.db.message.findUniqueOrThrow({ where: { id: reminder.id } })).status).toBe(
      'SENT',
    );
    const contacts = await h.services.db.contact.findMany({
      where: { caseId: kase.id, direction: 'OUTBOUND' },
    });
    expect(contacts.map((c) => c.summary).sort()).toEqual([
      'Confirmation de rendez-vous',
      'Rappel de rendez-vous (la veille)',
    ]);
  });
});
