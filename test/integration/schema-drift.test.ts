import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/platform/db/client.js';
import { applyMigrations } from '../../src/platform/db/migrations.js';
import { createTestDatabase } from '../helpers/database.js';
import { compareShapes, type Shape, shapeOfDatabase, shapeOfSchema } from '../helpers/schema-shape.js';

// schema.prisma and prisma/migrations must describe the same database: this fails on any drift.
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let migrated: Shape;
let schemaText: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  migrated = await shapeOfDatabase(client);
  await client.end();
  schemaText = await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
});

afterAll(async () => {
  await database.drop();
});

/** The schema text with one model's body changed (the change must take effect). */
function inModel(model: string, change: (body: string) => string): string {
  const pattern = new RegExp(`(model ${model} \\{)([^}]*)(\\})`);
  const drifted = schemaText.replace(
    pattern,
    (_all, open: string, body: string, close: string) => open + change(body) + close,
  );
  if (drifted === schemaText) throw new Error(`the mutation of ${model} changed nothing`);
  return drifted;
}

describe('schema.prisma and the migrations', () => {
  it('agree on every table, column, type, nullability, default, key, index, foreign key and enum', async () => {
    expect(compareShapes(await shapeOfSchema(schemaText), migrated)).toEqual([]);
  });

  it('would report a field added to the schema without a migration', async () => {
    const drifted = inModel('Customer', (body) =>
      body.replace(/^(\s+)sensitive\b/m, '$1nickname String?\n$1sensitive'),
    );
    expect(compareShapes(await shapeOfSchema(drifted), migrated)).toEqual([
      'customers.nickname: in schema.prisma, missing from the migrations',
    ]);
  });

  it('would report an index or a nullability changed on one side only', async () => {
    const drifted = inModel('CustomerPhone', (body) =>
      body.replace(/^\s+@@index\(\[e164\]\)\n/m, ''),
    ).replace(/(model Customer \{[^}]*?\n\s+email\s+)String\?/, '$1String');
    const problems = compareShapes(await shapeOfSchema(drifted), migrated);
    expect(problems).toContain('customer_phones: index(e164) in the migrations, not in schema.prisma');
    expect(problems.some((p) => p.startsWith('customers.email: schema wants'))).toBe(true);
  });

  it('re-applying the migrations is a no-op, and an edited migration is refused', async () => {
    expect(await applyMigrations(database.url)).toEqual({ applied: [] });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`UPDATE "_prisma_migrations" SET checksum = 'edited'`);
    await client.end();
    await expect(applyMigrations(database.url)).rejects.toThrow(/was edited after it was applied/);
  });
});

describe('the case store through Prisma Client', () => {
  it('round-trips the core records and keeps the audit trail append-only', async () => {
    const fresh = await createTestDatabase();
    const db = createDb(fresh.url);
    try {
      const region = await db.region.create({ data: { code: 'R', name: 'Région' } });
      const agency = await db.agency.create({
        data: {
          code: 'A',
          name: 'Agence',
          regionId: region.id,
          onCallWindows: { create: { onCallType: 'individual', day: 1, startMinute: 1080, endMinute: 1920 } },
        },
      });
      const customer = await db.customer.create({
        data: {
          reference: 'C1',
          lastName: 'Roux',
          addressLine: '3 rue',
          postcode: '38000',
          city: 'Grenoble',
          notEligibleForCutOff: true,
          phones: { create: { e164: '+33612345678', kind: 'MOBILE' } },
        },
      });
      const kase = await db.case.create({
        data: {
          category: 'out-of-hours',
          subject: 'Panne',
          customerId: customer.id,
          agencyId: agency.id,
          events: { create: { type: 'call.received', data: { from: 'x' } } },
        },
      });
      await db.message.create({
        data: {
          direction: 'OUTBOUND',
          channel: 'SMS',
          status: 'QUEUED',
          purpose: 'page',
          to: '+33612345678',
          body: 'Dossier',
          caseId: kase.id,
        },
      });
      const audit = await db.auditLog.create({
        data: { actorType: 'SYSTEM', action: 'test', entity: 'case', entityId: kase.id },
      });

      const read = await db.case.findUniqueOrThrow({
        where: { id: kase.id },
        include: { events: true, messages: true, customer: { include: { phones: true } } },
      });
      expect(read.number).toBeGreaterThan(0);
      expect(read.customer?.phones[0]?.e164).toBe('+33612345678');
      expect(read.customer?.notEligibleForCutOff).toBe(true);
      expect(read.events[0]?.data).toEqual({ from: 'x' });
      expect(read.messages[0]?.status).toBe('QUEUED');

      await expect(
        db.auditLog.update({ where: { id: audit.id }, data: { action: 'rewritten' } }),
      ).rejects.toThrow(/append-only/);
      await expect(db.auditLog.delete({ where: { id: audit.id } })).rejects.toThrow(/append-only/);
    } finally {
      await db.$disconnect();
      await fresh.drop();
    }
  });
});
