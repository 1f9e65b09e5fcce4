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
  it('seeds two regions, three agencies with on-call hours, a week of rotas and a few hundred customers, once', async () => {
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
    const cases = await db.case.findMany({ orderBy: { openedAt: 'asc' } });
    expect(cases.map((c) => [c.urgency, c.multiContact, c.dueAt! < now])).toEqual([
      ['NORMAL', false, true], // an e-mail 60 h ago: past its 48 h
      ['NORMAL', true, false], // a letter, 5 working days
      ['URGENT', false, false], // a quarter of an hour ago: due within the hour
    ]);

    expect(await seedDemo(db, now)).toEqual({ seeded: false, customers: 300 });
    const agent = await db.user.findUniqueOrThrow({ where: { email: 'agent@demo.example' } });
    expect(agent.agencyId).not.toBeNull();
    expect(await verifyPassword(agent.passwordHash, DEMO_PASSWORD)).toBe(true);
  });
});
