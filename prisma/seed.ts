// Demo data, invented and in French: two regions, three agencies with their on-call hours, a
// week of rotas and the field roster, a few hundred customers with contracts, phones, supply
// points and meters, a few open cases and appointments, and the demo accounts. Safe to run twice:
// it seeds once and then only refreshes the accounts.

import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AppointmentSettings } from '../src/appointments/appointments.settings.js';
import { findFreeSlots } from '../src/appointments/slot-finder.js';
import { createFrenchCalendar } from '../src/calendar/french-calendar.js';
import { type DeadlineSettings, dueDate } from '../src/cases/deadlines.js';
import type { CustomerClass, Equipment, UserRole } from '../src/generated/prisma/enums.js';
import { agencyCalendar } from '../src/oncall/on-call-windows.js';
import { hashPassword } from '../src/platform/auth/passwords.js';
import { serviceClock } from '../src/platform/clock.js';
import { createDb, type Db } from '../src/platform/db/client.js';
import { loadSettings } from '../src/settings.js';

export const DEMO_PASSWORD = 'demo1234';
const ZONE = 'Europe/Paris';

// A small deterministic generator: the same demo every time.
function prng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefebvre',
  'Michel',
  'Garcia',
  'David',
  'Bertrand',
  'Roux',
  'Vincent',
  'Fournier',
  'Morel',
  'Girard',
  'André',
  'Mercier',
  'Blanc',
  'Guérin',
  'Boyer',
  'Chevalier',
  'François',
  'Lambert',
];
const FIRST_NAMES = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Inès',
  'Jeanne',
  'Louise',
  'Lucas',
  'Hugo',
  'Louis',
  'Jules',
  'Gabriel',
  'Arthur',
  'Nathan',
  'Paul',
  'Élise',
  'Margaux',
  'Théo',
  'Noé',
  'Sacha',
];
const STREETS = [
  'rue des Tilleuls',
  'avenue des Platanes',
  'rue du Moulin',
  'chemin des Vignes',
  'place de la Fontaine',
  'rue de la Gare',
  'allée des Cerisiers',
  'boulevard des Canuts',
  'impasse des Lilas',
  'rue Pasteur',
];

const REGIONS = [
  {
    code: 'DR-CE',
    name: 'Direction régionale Centre-Est',
    directionEmail: 'direction.centre-est@demo.example',
    directionPhone: '+33472000000',
  },
  {
    code: 'DR-NE',
    name: 'Direction régionale Nord-Est',
    directionEmail: 'direction.nord-est@demo.example',
    directionPhone: '+33387000000',
  },
];

const AGENCIES = [
  {
    code: 'AG-LYO',
    region: 'DR-CE',
    name: 'Agence Lyon Confluence',
    city: 'Lyon',
    postcode: '69002',
    phone: '+33472000001',
    email: 'agence.lyon@demo.example',
    holidayCalendar: 'FR',
  },
  {
    code: 'AG-GRE',
    region: 'DR-CE',
    name: 'Agence Grenoble Presqu’île',
    city: 'Grenoble',
    postcode: '38000',
    phone: '+33476000001',
    email: 'agence.grenoble@demo.example',
    holidayCalendar: 'FR',
  },
  // Moselle: Alsace-Moselle public holidays (Good Friday, 26 December).
  {
    code: 'AG-MET',
    region: 'DR-NE',
    name: 'Agence Metz Technopôle',
    city: 'Metz',
    postcode: '57000',
    phone: '+33387000001',
    email: 'agence.metz@demo.example',
    holidayCalendar: 'FR-57',
  },
];

// Weekly on-call calendar: day 1-7 (Monday-Sunday), 8 = public holiday; minutes from midnight,
// past 1440 when the window runs into the next morning.
const NIGHTS = { start: 18 * 60, end: 24 * 60 + 8 * 60 };
const DAYTIME = { start: 8 * 60, end: 20 * 60 };
function weeklyWindows(onCallType: string, weekendNights: boolean) {
  const windows: Array<{ onCallType: string; day: number; startMinute: number; endMinute: number }> = [];
  for (let day = 1; day <= 5; day++)
    windows.push({ onCallType, day, startMinute: NIGHTS.start, endMinute: NIGHTS.end });
  for (const day of [6, 7, 8]) {
    windows.push({ onCallType, day, startMinute: DAYTIME.start, endMinute: DAYTIME.end });
    if (weekendNights) windows.push({ onCallType, day, startMinute: DAYTIME.end, endMinute: NIGHTS.end });
  }
  return windows;
}

const USERS: Array<{ email: string; displayName: string; role: UserRole; agency?: string }> = [
  { email: 'agent@demo.example', displayName: 'Alice Agent', role: 'AGENT', agency: 'AG-LYO' },
  { email: 'agent2@demo.example', displayName: 'Bruno Conseiller', role: 'AGENT', agency: 'AG-MET' },
  { email: 'superviseur@demo.example', displayName: 'Sophie Superviseure', role: 'SUPERVISOR' },
  { email: 'admin@demo.example', displayName: 'Adrien Admin', role: 'ADMIN' },
];

const DEMO_CUSTOMERS = 300;

/**
 * `deadlines` and `appointments`: the service's case deadlines (CASE_* settings) and appointment
 * rules (APPOINTMENT_*), its defaults unless given.
 */
export async function seedDemo(
  db: Db,
  now: Date,
  deadlines: DeadlineSettings = loadSettings({}, []).caseDeadlines,
  appointments: AppointmentSettings = loadSettings({}, []).appointments,
): Promise<{ seeded: boolean; customers: number }> {
  const seeded = !(await db.region.findUnique({ where: { code: REGIONS[0]!.code } }));
  if (seeded) {
    await seedOrganisation(db, now, DEMO_CUSTOMERS);
    await seedCases(db, now, deadlines);
    await seedAppointments(db, now, deadlines, appointments);
  }
  await seedUsers(db);
  return { seeded, customers: await db.customer.count() };
}

async function seedOrganisation(db: Db, now: Date, customerCount: number): Promise<void> {
  const random = prng(20261123);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  const regionIds = new Map<string, string>();
  for (const region of REGIONS) regionIds.set(region.code, (await db.region.create({ data: region })).id);

  const agencyIds = new Map<string, string>();
  for (const [index, agency] of AGENCIES.entries()) {
    const created = await db.agency.create({
      data: {
        code: agency.code,
        name: agency.name,
        regionId: regionIds.get(agency.region)!,
        address: `${10 + index} ${STREETS[index]}, ${agency.postcode} ${agency.city}`,
        phone: agency.phone,
        email: agency.email,
        holidayCalendar: agency.holidayCalendar,
        onCallWindows: {
          create: [...weeklyWindows('individual', index !== 1), ...weeklyWindows('boiler_room', true)],
        },
      },
    });
    agencyIds.set(agency.code, created.id);
  }

  // Technicians (three per agency, all on the field roster from Monday to Friday [AP-2]) and one
  // regional manager pair per region.
  const monday = DateTime.fromJSDate(now, { zone: ZONE }).startOf('week');
  for (const [a, agency] of AGENCIES.entries()) {
    const technicians = [];
    for (let t = 0; t < 3; t++) {
      technicians.push(
        await db.technician.create({
          data: {
            agencyId: agencyIds.get(agency.code)!,
            reference: `T-${agency.code.slice(3)}-${t + 1}`,
            lastName: pick(LAST_NAMES),
            firstName: pick(FIRST_NAMES),
            mobile: `+336000${a}0${t}${10 + t}`.slice(0, 12),
            email: `technicien${t + 1}.${agency.code.slice(3).toLowerCase()}@demo.example`,
            fieldWeekdays: [1, 2, 3, 4, 5],
          },
        }),
      );
    }
    // A week of rotas: each technician on call from 08:00 to 08:00 the next day, in turn.
    for (let d = 0; d < 7; d++) {
      const startsAt = monday.plus({ days: d }).set({ hour: 8 });
      for (const onCallType of ['individual', 'boiler_room']) {
        await db.technicianRota.create({
          data: {
            agencyId: agencyIds.get(agency.code)!,
            technicianId: technicians[d % 3]!.id,
            onCallType,
            startsAt: startsAt.toJSDate(),
            endsAt: startsAt.plus({ days: 1 }).toJSDate(),
          },
        });
      }
    }
  }
  for (const [r, region] of REGIONS.entries()) {
    for (let m = 0; m < 2; m++) {
      const manager = await db.regionalManager.create({
        data: {
          regionId: regionIds.get(region.code)!,
          reference: `CR-${region.code.slice(3)}-${m + 1}`,
          lastName: pick(LAST_NAMES),
          firstName: pick(FIRST_NAMES),
          mobile: `+3360009${r}0${m}0${m}`.slice(0, 12),
          email: `cadre${m + 1}.${region.code.slice(3).toLowerCase()}@demo.example`,
        },
      });
      // Two managers share the week: Monday-Thursday and Thursday-Monday.
      const startsAt = monday.plus({ days: m * 3 }).set({ hour: 8 });
      await db.managerRota.create({
        data: {
          regionId: regionIds.get(region.code)!,
          managerId: manager.id,
          startsAt: startsAt.toJSDate(),
          endsAt: startsAt.plus({ days: m === 0 ? 3 : 4 }).toJSDate(),
        },
      });
    }
  }

  // Customers with phones, supply points, meters and contracts.
  const classes: CustomerClass[] = [
    'RESIDENTIAL',
    'RESIDENTIAL',
    'RESIDENTIAL',
    'RESIDENTIAL',
    'RESIDENTIAL',
    'PROFESSIONAL',
    'LOCAL_AUTHORITY',
    'COLLECTIVE_HOUSING',
  ];
  const equipment: Equipment[] = [
    'INDIVIDUAL_GAS_BOILER',
    'INDIVIDUAL_GAS_BOILER',
    'INDIVIDUAL_OIL_BOILER',
    'BOILER_ROOM',
    'COLLECTIVE',
    'HEAT_PUMP',
  ];
  const diameters = [15, 15, 15, 15, 20, 20, 30, 40, 50, 65, 80, 100];
  const customers = [];
  const phones = [];
  const supplyPoints = [];
  const meters = [];
  const contracts = [];
  let sharedNumber: string | null = null;
  for (let i = 0; i < customerCount; i++) {
    const agency = AGENCIES[i % AGENCIES.length]!;
    const id = randomUUID();
    const customerClass = pick(classes);
    const street = `${1 + Math.floor(random() * 120)} ${pick(STREETS)}`;
    const lastName = pick(LAST_NAMES);
    const firstName = customerClass === 'RESIDENTIAL' ? pick(FIRST_NAMES) : null;
    customers.push({
      id,
      reference: `C${String(100000 + i)}`,
      class: customerClass,
      lastName,
      firstName,
      companyName:
        customerClass === 'RESIDENTIAL'
          ? null
          : `${customerClass === 'LOCAL_AUTHORITY' ? 'Mairie de' : 'Résidence'} ${pick(STREETS).split(' ').pop()}`,
      email: random() < 0.6 ? `client${i}@demo.example` : null,
      addressLine: street,
      postcode: agency.postcode,
      city: agency.city,
      notEligibleForCutOff: random() < 0.02,
      sensitive: random() < 0.03,
      employee: random() < 0.02,
    });
    const mobile = `+3361${String(1000000 + i * 7).slice(-7)}`;
    if (random() < 0.85)
      phones.push({ id: randomUUID(), customerId: id, e164: mobile, kind: 'MOBILE' as const });
    if (random() < 0.3)
      phones.push({
        id: randomUUID(),
        customerId: id,
        e164: `+334${String(72000000 + i).slice(-8)}`,
        kind: 'LANDLINE' as const,
      });
    // Every tenth pair of customers shares a household number (the IVR must ask which).
    if (i % 10 === 1) sharedNumber = `+3375${String(1000000 + i).slice(-7)}`;
    if (sharedNumber && (i % 10 === 1 || i % 10 === 2))
      phones.push({ id: randomUUID(), customerId: id, e164: sharedNumber, kind: 'MOBILE' as const });
    const supplyPointId = randomUUID();
    supplyPoints.push({
      id: supplyPointId,
      reference: `PDL${String(500000 + i)}`,
      customerId: id,
      addressLine: street,
      postcode: agency.postcode,
      city: agency.city,
    });
    meters.push({
      id: randomUUID(),
      serial: `M${String(9000000 + i)}`,
      supplyPointId,
      diameterMm: pick(diameters),
    });
    const covered = random() < 0.65;
    const individual77 = covered && customerClass === 'RESIDENTIAL' && random() < 0.5;
    contracts.push({
      id: randomUUID(),
      reference: `CT${String(700000 + i)}`,
      customerId: id,
      agencyId: agencyIds.get(agency.code)!,
      supplyPointId,
      serviceContract: random() < 0.7,
      outOfHoursCoverage: covered,
      onCallType: customerClass === 'COLLECTIVE_HOUSING' ? 'boiler_room' : 'individual',
      individual77,
      equipment: customerClass === 'COLLECTIVE_HOUSING' ? ('BOILER_ROOM' as const) : pick(equipment),
      contractualDelay: individual77
        ? '7/7 individuel'
        : covered
          ? 'intervention sous 4 heures'
          : 'jours ouvrés',
      contractualDelayMinutes: covered ? 240 : null,
      eligibilityBatch: 'demo',
    });
  }
  await db.customer.createMany({ data: customers });
  await db.customerPhone.createMany({ data: phones, skipDuplicates: true });
  await db.supplyPoint.createMany({ data: supplyPoints });
  await db.meter.createMany({ data: meters });
  await db.contract.createMany({ data: contracts });
  await db.auditLog.create({
    data: {
      actorType: 'SYSTEM',
      action: 'demo.seeded',
      entity: 'database',
      data: { customers: customerCount },
    },
  });
}

/**
 * A few open cases of the Lyon agency, so the console's lists are not empty: an e-mail already
 * past its 48 hours, a letter complaint that got a second contact (multi-contact, for the
 * supervisor), an urgent one. Customers without out-of-hours cover: the night rehearsals use the
 * covered ones.
 */
async function seedCases(db: Db, now: Date, deadlines: DeadlineSettings): Promise<void> {
  const agency = await db.agency.findUniqueOrThrow({
    where: { code: 'AG-LYO' },
    select: { id: true, timeZone: true, holidayCalendar: true },
  });
  const customers = await db.customer.findMany({
    where: { contracts: { some: { agencyId: agency.id, outOfHoursCoverage: false } } },
    orderBy: { reference: 'asc' },
    take: 3,
    select: { id: true },
  });
  const calendar = agencyCalendar(createFrenchCalendar(agency.timeZone), agency);
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);
  const demo = [
    {
      subject: 'Question sur la dernière facture',
      kind: 'REQUEST',
      urgency: 'NORMAL',
      channel: 'EMAIL',
      openedAt: hoursAgo(60),
      contacts: 1,
    },
    {
      subject: 'Contestation du relevé de compteur',
      kind: 'COMPLAINT',
      urgency: 'NORMAL',
      channel: 'LETTER',
      openedAt: hoursAgo(30),
      contacts: 2,
    },
    {
      subject: 'Fuite avant compteur signalée',
      kind: 'REQUEST',
      urgency: 'URGENT',
      channel: 'PHONE',
      openedAt: hoursAgo(0.25),
      contacts: 1,
    },
  ] as const;
  for (const [i, item] of demo.entries()) {
    const customer = customers[i];
    if (!customer) break;
    const { dueAt } = dueDate({ ...item, needsIntervention: false }, calendar, deadlines);
    await db.case.create({
      data: {
        kind: item.kind,
        urgency: item.urgency,
        category: 'demo',
        subject: item.subject,
        customerId: customer.id,
        agencyId: agency.id,
        openedAt: item.openedAt,
        dueAt,
        multiContact: item.contacts > 1,
        events: { create: { type: 'case.created', at: item.openedAt, data: { by: 'Démo' } } },
        contacts: {
          create: Array.from({ length: item.contacts }, (_, n) => ({
            direction: 'INBOUND' as const,
            channel: n === 0 ? item.channel : ('PHONE' as const),
            at: new Date(item.openedAt.getTime() + n * 3600_000),
            customerId: customer.id,
            summary: n === 0 ? item.subject : 'Rappelle pour connaître la suite donnée',
          })),
        },
      },
    });
  }
}

/**
 * Appointments of the Lyon agency [AP-1..4], each on a case of its own (a field intervention) of a
 * demo customer, in free slots of the days offered from `now`: one booked and waiting for the
 * customer's answer, one the customer confirmed by SMS, and one the company cancelled (technician
 * absent) with three new slots offered by SMS and a call to make. Their mobiles are invented and
 * nobody else's, so that a reply from the simulator answers that appointment alone. Nothing is
 * put on the outbox: the demo sends no SMS by itself.
 */
async function seedAppointments(
  db: Db,
  now: Date,
  deadlines: DeadlineSettings,
  settings: AppointmentSettings,
): Promise<void> {
  const agency = await db.agency.findUniqueOrThrow({
    where: { code: 'AG-LYO' },
    select: { id: true, timeZone: true, holidayCalendar: true },
  });
  const customers = await db.customer.findMany({
    where: { contracts: { some: { agencyId: agency.id, outOfHoursCoverage: false } } },
    orderBy: { reference: 'asc' },
    skip: 3, // the first three have the cases of seedCases
    take: 3,
    select: { id: true },
  });
  const calendar = createFrenchCalendar(agency.timeZone);
  const deps = { db, calendar, clock: { now: () => now }, settings };
  const free = (await findFreeSlots(deps, agency.id))?.slots ?? [];
  const first = free[0];
  const nextDay = free.find((slot) => first && slot.day > first.day);
  const later = free.find((slot) => nextDay && slot.day > nextDay.day);
  if (!first || !nextDay || !later || customers.length < 3) return;
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);
  const demo = [
    {
      subject: 'Contestation d’index après la dernière relève',
      interventionType: 'index-dispute',
      meterLocation: 'Cuisine, sous l’évier',
      meterAccessible: true,
      slot: first,
      mobile: '+33780000001',
      replyCode: '4821',
      bookedAt: hoursAgo(3),
    },
    {
      subject: 'Vérification de la justesse du compteur',
      interventionType: 'meter-accuracy-check',
      meterLocation: 'Garage, accès par la cour',
      meterAccessible: true,
      slot: nextDay,
      mobile: '+33780000002',
      replyCode: '5307',
      bookedAt: hoursAgo(26),
      confirmedAt: hoursAgo(25),
    },
    {
      subject: 'Compteur au sous-sol à relever',
      interventionType: 'meter-reading',
      meterLocation: 'Sous-sol, local technique',
      meterAccessible: false,
      slot: later,
      mobile: '+33780000003',
      replyCode: '6194',
      bookedAt: hoursAgo(28),
      cancelledAt: hoursAgo(1),
    },
  ] as const;
  const windowCalendar = agencyCalendar(calendar, agency);
  for (const [i, item] of demo.entries()) {
    const customerId = customers[i]!.id;
    const openedAt = hoursAgo(28 + i);
    const { dueAt } = dueDate(
      { urgency: 'NORMAL', channel: 'PHONE', openedAt, needsIntervention: true },
      windowCalendar,
      deadlines,
    );
    const cancelled = 'cancelledAt' in item;
    const offered = cancelled
      ? ((await findFreeSlots(deps, agency.id))?.slots ?? [])
          .slice(0, settings.offeredSlots)
          .map((s) => ({ startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString() }))
      : [];
    const kase = await db.case.create({
      data: {
        kind: 'REQUEST',
        urgency: 'NORMAL',
        category: 'meter',
        subject: item.subject,
        customerId,
        agencyId: agency.id,
        openedAt,
        dueAt,
        needsIntervention: true,
        interventionMobile: item.mobile,
        events: { create: { type: 'case.created', at: openedAt, data: { by: 'Démo' } } },
        contacts: {
          create: {
            direction: 'INBOUND',
            channel: 'PHONE',
            at: openedAt,
            customerId,
            summary: item.subject,
          },
        },
      },
    });
    const appointment = await db.appointment.create({
      data: {
        caseId: kase.id,
        customerId,
        agencyId: agency.id,
        technicianId: cancelled ? null : item.slot.technicianIds[0]!,
        startsAt: item.slot.startsAt,
        endsAt: item.slot.endsAt,
        status: cancelled ? 'RESCHEDULING' : 'confirmedAt' in item ? 'CONFIRMED' : 'BOOKED',
        interventionType: item.interventionType,
        // [AP-5] Mandatory for these interventions, and for a meter that is not accessible.
        presenceRequired: true,
        meterLocation: item.meterLocation,
        meterAccessible: item.meterAccessible,
        confirmBy: 'SMS',
        mobile: item.mobile,
        replyCode: item.replyCode,
        createdAt: item.bookedAt,
        ...('confirmedAt' in item ? { confirmedAt: item.confirmedAt } : {}),
        ...(cancelled
          ? {
              cancelledAt: item.cancelledAt,
              cancelledBy: 'COMPANY' as const,
              callDue: true,
              reason: 'Technicien absent',
              offeredSlots: offered,
              offeredAt: item.cancelledAt,
            }
          : {}),
      },
    });
    // What happened, on the case's timeline and as the contacts it made [AP-3].
    const event = (type: string, at: Date, data: Record<string, unknown> = {}) => ({
      caseId: kase.id,
      type,
      at,
      data: { appointmentId: appointment.id, ...data },
    });
    const sms = (direction: 'INBOUND' | 'OUTBOUND', at: Date, summary: string) => ({
      caseId: kase.id,
      customerId,
      direction,
      channel: 'SMS' as const,
      at,
      address: item.mobile,
      summary,
    });
    const events = [
      event('appointment.booked', item.bookedAt, {
        startsAt: item.slot.startsAt.toISOString(),
        endsAt: item.slot.endsAt.toISOString(),
      }),
    ];
    const contacts = [sms('OUTBOUND', item.bookedAt, 'Confirmation de rendez-vous')];
    if ('confirmedAt' in item) {
      events.push(
        event('appointment.reply', item.confirmedAt, { body: 'OUI', intent: 'yes' }),
        event('appointment.confirmed', item.confirmedAt, { via: 'sms' }),
      );
      contacts.push(sms('INBOUND', item.confirmedAt, 'Réponse au SMS de rendez-vous : OUI'));
    }
    if ('cancelledAt' in item) {
      events.push(
        event('appointment.cancelled', item.cancelledAt, { by: 'COMPANY', reason: 'Technicien absent' }),
        event('appointment.slots-offered', item.cancelledAt, {
          reason: 'company-cancelled',
          count: offered.length,
        }),
      );
      contacts.push(
        sms('OUTBOUND', item.cancelledAt, 'Rendez-vous annulé par l’entreprise, nouveaux créneaux proposés'),
      );
    }
    await db.caseEvent.createMany({ data: events });
    await db.contact.createMany({ data: contacts });
  }
}

async function seedUsers(db: Db): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const user of USERS) {
    const agency = user.agency
      ? await db.agency.findUnique({ where: { code: user.agency }, select: { id: true } })
      : null;
    await db.user.upsert({
      where: { email: user.email },
      create: {
        email: user.email,
        displayName: user.displayName,
        role: user.role,
        passwordHash,
        agencyId: agency?.id ?? null,
      },
      update: { displayName: user.displayName, role: user.role, agencyId: agency?.id ?? null },
    });
  }
}

// Run as a script: `tsx prisma/seed.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const settings = loadSettings(process.env, []);
  const db = createDb(settings.databaseUrl);
  // The rotas and cases are laid around the service's now (CLOCK_START in a rehearsal).
  const result = await seedDemo(
    db,
    serviceClock(settings.clockStart).now(),
    settings.caseDeadlines,
    settings.appointments,
  );
  console.log(
    result.seeded
      ? `Demo data seeded (${result.customers} customers).`
      : `Demo data already present (${result.customers} customers).`,
  );
  await db.$disconnect();
}
