import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, seedDemo } from '../../prisma/seed.js';
import { verifyPassword } from '../../src/platform/auth/passwords.js';
import { createDb, type Db } from '../../src/platform/db/client.js';
import { createTestDatabase } from '../helpers/database.js';

let db: Db;
let drop: () => Promise<void>;

beforeAll(async () => {
  const database = await createTestDatabase();
  drop = database.drop;
  db = createDb(database.url);
});

afterAll(async () => {
  await db.$disconnect();
  await drop();
});

describe('demo data', () => {
  it('seeds two regions, three agencies with on-call hours, a week of rotas, the field roster, a few hundred customers, cases and appointments, once', async () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(await seedDemo(db, now)).toEqual({ seeded: true, customers: 300 });
    expect(await db.region.count()).toBe(2);
    expect(await db.agency.count()).toBe(3);
    expect(await db.onCallWindow.count({ where: { day: 8 } })).toBeGreaterThan(0);
    const rotas = await db.technicianRota.findMany({ orderBy: { startsAt: 'asc' } });
    expect(rotas.length).toBe(3 * 7 * 2);
    // 08:00 in Paris is 07:00 UTC in winter.
    expect(rotas[0]!.startsAt.toISOString()).toBe('2026-11-23T07:00:00.000Z');
    expect(await db.contract.count({ where: { outOfHoursCoverage: true } })).toBeGreaterThan(100);
    expect(await db.meter.count()).toBe(300);
    // Some customers share a household number, as in real life.
    const shared = await db.$queryRaw<
      Array<{ n: bigint }>
    >`SELECT count(*) AS n FROM (SELECT e164 FROM customer_phones GROUP BY e164 HAVING count(*) > 1) s`;
    expect(Number(shared[0]!.n)).toBeGreaterThan(0);
    // A few open cases for the console: one past its deadline, one with two contacts.
    const cases = await db.case.findMany({ where: { category: 'demo' }, orderBy: { openedAt: 'asc' } });
    expect(cases.map((c) => [c.urgency, c.multiContact, c.dueAt! < now])).toEqual([
      ['NORMAL', false, true], // an e-mail 60 h ago: past its 48 h
      ['NORMAL', true, false], // a letter, 5 working days
      ['URGENT', false, false], // a quarter of an hour ago: due within the hour
    ]);

    // [AP-2] Every technician on the field roster, Monday to Friday.
    const technicians = await db.technician.findMany();
    expect(technicians.length).toBe(9);
    for (const t of technicians) expect(t.fieldWeekdays).toEqual([1, 2, 3, 4, 5]);
    // Appointments of the Lyon agency in the days offered from now (a Monday: J+2 is Wednesday),
    // each on a case of its own with an invented mobile nobody else has.
    const lyon = await db.agency.findUniqueOrThrow({ where: { code: 'AG-LYO' } });
    const appointments = await db.appointment.findMany({
      orderBy: { createdAt: 'desc' },
      include: { case: true },
    });
    expect(appointments.map((a) => [a.status, a.callDue, a.technicianId !== null])).toEqual([
      ['BOOKED', false, true],
      ['CONFIRMED', false, true],
      ['RESCHEDULING', true, false], // cancelled by the company: a call to make
    ]);
    for (const a of appointments) {
      expect(a.agencyId).toBe(lyon.id);
      expect(a.case).toMatchObject({
        agencyId: lyon.id,
        needsIntervention: true,
        interventionMobile: a.mobile,
      });
      expect(a.startsAt >= new Date('2026-11-25T07:00:00Z')).toBe(true); // Wednesday 08:00 in Paris
      expect(a.endsAt.getTime() - a.startsAt.getTime()).toBe(2 * 3600_000);
      expect(await db.customerPhone.count({ where: { e164: a.mobile! } })).toBe(0);
    }
    expect(appointments[0]!.startsAt.toISOString()).toBe('2026-11-25T07:00:00.000Z');
    expect(appointments[2]!.offeredSlots).toHaveLength(3);
    const replies = await db.caseEvent.findMany({ where: { type: 'appointment.reply' } });
    expect(replies.map((e) => e.caseId)).toEqual([appointments[1]!.caseId]);
    expect(
      await db.contact.count({
        where: { caseId: { in: appointments.map((a) => a.caseId) }, channel: 'SMS', direction: 'OUTBOUND' },
      }),
    ).toBe(4);

    expect(await seedDemo(db, now)).toEqual({ seeded: false, customers: 300 });
    expect(await db.appointment.count()).toBe(3);
    const agent = await db.user.findUniqueOrThrow({ where: { email: 'agent@demo.example' } });
    expect(agent.agencyId).not.toBeNull();
    expect(await verifyPassword(agent.passwordHash, DEMO_PASSWORD)).toBe(true);
  });
});
