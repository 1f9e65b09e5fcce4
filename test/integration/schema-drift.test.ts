import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import { applyMigrations, MIGRATIONS_DIR } from '../../src/platform/db/migrations.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import {
  compareShapes,
  findDrift,
  type Shape,
  shapeOfDatabase,
  shapeOfSchema,
} from '../helpers/schema-drift.js';

// schema.prisma and prisma/migrations must describe the same database. Nothing else checks it on
// these machines (Prisma's own drift detection needs its schema engine), so this test does.

let database: TestDatabase;
let client: pg.Client;
let schemaText: string;

beforeAll(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  schemaText = await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

/** The schema text with one model's body changed; the change must take effect. */
function changeModel(text: string, model: string, change: (body: string) => string): string {
  const changed = text.replace(
    new RegExp(`(model ${model} \\{)([^}]*)(\\})`),
    (_all, open: string, body: string, close: string) => open + change(body) + close,
  );
  if (changed === text) throw new Error(`the change to model ${model} changed nothing`);
  return changed;
}

/** The drift found while `ddl` is applied to the migrated database, undone afterwards. */
async function driftWithDatabaseChange(ddl: string): Promise<string[]> {
  await client.query('BEGIN');
  try {
    await client.query(ddl);
    return await findDrift(schemaText, client);
  } finally {
    await client.query('ROLLBACK');
  }
}

describe('schema.prisma and prisma/migrations', () => {
  it('agree on every table, column, type, nullability, default, key, index, foreign key and enum', async () => {
    expect(await findDrift(schemaText, client)).toEqual([]);
  });

  it('cover every model and enum (the comparison is not vacuous)', async () => {
    const schema: Shape = await shapeOfSchema(schemaText);
    const migrated: Shape = await shapeOfDatabase(client);
    const models = schemaText.match(/^model \w+ \{/gm) ?? [];
    expect(models.length).toBeGreaterThan(0);
    expect(Object.keys(schema.tables)).toHaveLength(models.length);
    expect(Object.keys(migrated.tables).sort()).toEqual(Object.keys(schema.tables).sort());
    expect(migrated.enums.MessageStatus).toContain('CANCELED');
    expect(migrated.tables.customer_phones?.indexes).toContain(
      'unique customer_phones_customer_id_e164_key (customer_id, e164) using btree',
    );
    expect(migrated.tables.contracts?.foreignKeys).toContain(
      '(supply_point_id) -> supply_points(id) on delete setnull on update cascade',
    );
  });

  it('reports a field added to the schema without a migration', async () => {
    const drifted = changeModel(schemaText, 'Customer', (body) =>
      body.replace(/^(\s+)sensitive\b/m, '$1nickname String? @db.VarChar(40)\n$1sensitive'),
    );
    expect(await findDrift(drifted, client)).toEqual([
      'customers.nickname: in schema.prisma, missing from the migrations',
    ]);
  });

  it('reports changed types, nullability, defaults, indexes, relations and enum values', async () => {
    let drifted = changeModel(schemaText, 'CustomerPhone', (body) =>
      body.replace(/^\s+@@index\(\[e164\]\)\n/m, ''),
    );
    drifted = changeModel(drifted, 'Customer', (body) =>
      body
        .replace(/(\n\s+email\s+)String\?/, '$1String')
        .replace('@default(RESIDENTIAL)', '@default(PROFESSIONAL)'),
    );
    drifted = changeModel(drifted, 'Meter', (body) => body.replace('@db.SmallInt', ''));
    drifted = changeModel(drifted, 'OnCallWindow', (body) =>
      body.replace('onDelete: Cascade', 'onDelete: Restrict'),
    );
    drifted = drifted.replace(/(enum PhoneKind \{[^}]*)\}/, '$1  VOIP\n}');
    const problems = await findDrift(drifted, client);
    expect(problems).toEqual(
      expect.arrayContaining([
        'customer_phones: index customer_phones_e164_idx (e164) using btree in the migrations, not in schema.prisma',
        'customers.email: schema.prisma says text not null, the migrations text null',
        'customers.class: schema.prisma says CustomerClass not null default PROFESSIONAL, the migrations CustomerClass not null default RESIDENTIAL',
        'meters.diameter_mm: schema.prisma says integer not null, the migrations smallint not null',
        'on_call_windows: foreign key (agency_id) -> agencies(id) on delete restrict on update cascade in schema.prisma, missing from the migrations',
        'enum PhoneKind: schema.prisma has [MOBILE, LANDLINE, VOIP], the migrations [MOBILE, LANDLINE]',
      ]),
    );
  });

  it('reports tables, columns and indexes that only the migrations have', async () => {
    const problems = await driftWithDatabaseChange(`
      CREATE TABLE "stray" (id int);
      ALTER TABLE "cases" ADD COLUMN "legacy_ref" text;
      CREATE INDEX "cases_subject_idx" ON "cases"("subject");`);
    expect(problems.sort()).toEqual([
      'cases.legacy_ref: in the migrations, not in schema.prisma',
      'cases: index cases_subject_idx (subject) using btree in the migrations, not in schema.prisma',
      'table stray: in the migrations, not in schema.prisma',
    ]);
  });

  it('reports a hand-written exclusion constraint that a migration lost', async () => {
    const problems = await driftWithDatabaseChange(
      'ALTER TABLE "appointments" DROP CONSTRAINT "appointments_technician_no_overlap"',
    );
    expect(problems).toEqual([
      'exclusion constraint appointments.appointments_technician_no_overlap: expected by HAND_WRITTEN_EXCLUSIONS, missing from the migrations',
    ]);
  });

  it('compares shapes symmetrically (no drift between a shape and itself)', async () => {
    const shape = await shapeOfSchema(schemaText);
    expect(compareShapes(shape, shape)).toEqual([]);
  });
});

describe('the migration runner', () => {
  const urlOf = (name: string) => Object.assign(new URL(database.url), { pathname: `/${name}` }).toString();

  it('re-applying is a no-op, and a migration edited after it was applied is refused', async () => {
    expect(await applyMigrations(database.url)).toEqual({ applied: [] });
    const { rows } = await client.query<{ checksum: string }>(
      `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = '20261123000000_init'`,
    );
    await client.query(
      `UPDATE "_prisma_migrations" SET checksum = repeat('0', 64) WHERE migration_name = '20261123000000_init'`,
    );
    try {
      await expect(applyMigrations(database.url)).rejects.toThrow(/init was edited after it was applied/);
    } finally {
      await client.query(
        `UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = '20261123000000_init'`,
        [rows[0]!.checksum],
      );
    }
    expect(await applyMigrations(database.url)).toEqual({ applied: [] });
  });

  it('rolls a failing migration back, records it as rolled back, and refuses after an unresolved failure', async () => {
    const scratch = await createTestDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'cc-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await mkdir(join(dir, '29990101000000_broken'));
      await writeFile(
        join(dir, '29990101000000_broken', 'migration.sql'),
        'CREATE TABLE "half_done" (id int);\nSELECT 1 / 0;\n',
      );
      await expect(applyMigrations(scratch.url, undefined, { migrationsDir: dir })).rejects.toThrow(
        /29990101000000_broken failed and was rolled back: division by zero/,
      );
      const db = new pg.Client({ connectionString: scratch.url });
      await db.connect();
      try {
        expect((await db.query(`SELECT to_regclass('half_done') AS t`)).rows[0].t).toBeNull();
        const rows = await db.query(
          `SELECT finished_at, rolled_back_at, logs FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
        );
        expect(rows.rows).toHaveLength(1);
        expect(rows.rows[0].rolled_back_at).not.toBeNull();
        expect(rows.rows[0].logs).toMatch(/division by zero/);

        // A failure left by `prisma migrate deploy` (no transaction): finished_at null, not rolled back.
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs) VALUES ($1, $2, '29990101000000_broken', 'boom')`,
          [randomBytes(16).toString('hex'), '0'.repeat(64)],
        );
      } finally {
        await db.end();
      }
      await expect(applyMigrations(scratch.url)).rejects.toThrow(
        /29990101000000_broken failed earlier and is not marked rolled back \(boom\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
      await scratch.drop();
    }
  });

  it('creates a missing database, and two processes migrating at once apply each migration once', async () => {
    const name = `cc_test_fresh_${randomBytes(4).toString('hex')}`;
    const url = urlOf(name);
    try {
      const migrations = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
      const results = await Promise.all([applyMigrations(url), applyMigrations(url)]);
      // One process applied them all, the other waited for the lock and found nothing to do.
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, migrations.length]);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const rows = await db.query(
        'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
      );
      await db.end();
      expect(rows.rows.map((r) => r.migration_name)).toEqual(migrations);
      for (const row of rows.rows) {
        expect(row.applied_steps_count).toBe(1);
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      }
    } finally {
      const admin = new pg.Client({ connectionString: urlOf('postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});

describe('the case store through Prisma Client', () => {
  it('round-trips the core records and keeps the audit trail append-only', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    try {
      const region = await prisma.region.create({ data: { code: 'R-ARA', name: 'Auvergne-Rhône-Alpes' } });
      const agency = await prisma.agency.create({
        data: {
          code: 'A-GRE',
          name: 'Grenoble',
          regionId: region.id,
          onCallWindows: { create: { onCallType: 'individual', day: 8, startMinute: 1080, endMinute: 1920 } },
        },
      });
      const customer = await prisma.customer.create({
        data: {
          reference: 'C-0001',
          class: 'COLLECTIVE_HOUSING',
          lastName: 'Roux',
          addressLine: '3 rue des Alpes',
          postcode: '38000',
          city: 'Grenoble',
          notEligibleForCutOff: true,
          phones: { create: { e164: '+33612345678', kind: 'MOBILE' } },
        },
      });
      const kase = await prisma.case.create({
        data: {
          category: 'no-heating',
          urgency: 'URGENT',
          subject: 'Plus de chauffage',
          customerId: customer.id,
          agencyId: agency.id,
          events: { create: { type: 'call.received', data: { from: '+33612345678', digits: [1, 2] } } },
        },
      });
      await prisma.message.create({
        data: {
          direction: 'OUTBOUND',
          channel: 'SMS',
          status: 'QUEUED',
          purpose: 'page-technician',
          to: '+33600000000',
          body: `Dossier ${kase.number}`,
          idempotencyKey: `page-${kase.id}-attempt-1`,
          caseId: kase.id,
          customerId: customer.id,
        },
      });
      const audit = await prisma.auditLog.create({
        data: {
          actorType: 'SYSTEM',
          action: 'case.opened',
          entity: 'case',
          entityId: kase.id,
          data: { via: 'ivr' },
        },
      });

      const read = await prisma.case.findUniqueOrThrow({
        where: { id: kase.id },
        include: {
          events: true,
          messages: true,
          agency: { include: { region: true } },
          customer: { include: { phones: true } },
        },
      });
      expect(read).toMatchObject({ status: 'OPEN', kind: 'REQUEST', urgency: 'URGENT', multiContact: false });
      expect(read.number).toBeGreaterThan(0);
      expect(read.agency?.region.code).toBe('R-ARA');
      expect(read.customer).toMatchObject({
        class: 'COLLECTIVE_HOUSING',
        locale: 'fr',
        notEligibleForCutOff: true,
      });
      expect(read.customer?.phones).toMatchObject([{ e164: '+33612345678', kind: 'MOBILE', failing: false }]);
      expect(typeof read.events[0]?.id).toBe('bigint');
      expect(read.events[0]?.data).toEqual({ from: '+33612345678', digits: [1, 2] });
      expect(read.messages).toMatchObject([
        { status: 'QUEUED', essential: false, attempts: 0, locale: 'fr' },
      ]);
      expect(await prisma.onCallWindow.findFirstOrThrow({ where: { agencyId: agency.id } })).toMatchObject({
        day: 8,
        endMinute: 1920,
      });
      expect(await prisma.auditLog.findUniqueOrThrow({ where: { id: audit.id } })).toMatchObject({
        action: 'case.opened',
        data: { via: 'ivr' },
      });

      await expect(
        prisma.auditLog.update({ where: { id: audit.id }, data: { action: 'rewritten' } }),
      ).rejects.toThrow(/append-only/);
      await expect(prisma.auditLog.delete({ where: { id: audit.id } })).rejects.toThrow(/append-only/);
      await expect(prisma.auditLog.deleteMany({})).rejects.toThrow(/append-only/);
      expect(await prisma.auditLog.findUniqueOrThrow({ where: { id: audit.id } })).toMatchObject({
        action: 'case.opened',
      });
    } finally {
      await prisma.$disconnect();
    }
  });
});
