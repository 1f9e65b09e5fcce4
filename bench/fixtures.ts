// What the real api runs on in the benchmarks: its own database (cc_bench) and Redis database
// (15), its settings, and the callers' numbers.
import pg from 'pg';
import { createClient } from 'redis';
import { hashPassword } from '../src/platform/auth/passwords.js';
import { applyMigrations } from '../src/platform/db/migrations.js';
import { loadSettings, type Settings } from '../src/settings.js';

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
export const DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/cc_bench';
export const REDIS_URL = 'redis://127.0.0.1:6379/15';
/** The out-of-hours line, in ivr-flows/out-of-hours.yaml and bench/flows/identify.yaml. */
export const LINE = '+33970000001';
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;

// Customer i has +3361xxxxxxx; callers not in the base come from +3367xxxxxxx.
export const knownPhone = (i: number) => `+3361${String(i).padStart(7, '0')}`;
export const unknownPhone = (i: number) => `+3367${String(i % 10_000_000).padStart(7, '0')}`;

export interface Versions {
  postgres: string;
  redis: string;
}

/**
 * Re-creates cc_bench with the project's migrations and `customers` customers with one mobile
 * each (plain SQL: the ORM would take minutes), and empties Redis database 15.
 */
export async function prepareData(customers: number): Promise<Versions> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS cc_bench WITH (FORCE)');
  const postgres = String((await admin.query('SHOW server_version')).rows[0].server_version);
  await admin.end();
  await applyMigrations(DATABASE_URL); // creates the database, then prisma/migrations
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO customers (reference, last_name, first_name, address_line, postcode, city, updated_at)
       SELECT 'B' || i, 'Nom' || i, 'Prénom', i || ' rue du Banc', '69002', 'Lyon', now()
       FROM generate_series(0, $1 - 1) AS i`,
      [customers],
    );
    await db.query(
      `INSERT INTO customer_phones (customer_id, e164, kind)
       SELECT c.id, '+3361' || lpad(substr(c.reference, 2), 7, '0'), 'MOBILE' FROM customers c`,
    );
    await db.query('ANALYZE');
  } finally {
    await db.end();
  }
  return { postgres, redis: await emptyRedis(REDIS_URL) };
}

/** Empties a benchmark's Redis database; Redis's version, for the results. */
export async function emptyRedis(url: string): Promise<string> {
  const redis = createClient({ url });
  await redis.connect();
  await redis.flushDb();
  const info = await redis.info('server');
  await redis.close();
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

/** The environment of servers/api.ts on `port`, and the settings it will read from it. */
export function apiServer(port: number, extra: Record<string, string> = {}) {
  const env = {
    PORT: String(port),
    DATABASE_URL,
    REDIS_URL,
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    // Simulator mode whatever the shell has: the token is the simulator's, nothing leaves.
    TELEPHONY: 'simulator',
    EMAIL: 'simulator',
    ...extra,
  };
  // The same settings the server reads, so the signatures are made with its token and base URL.
  const settings: Settings = loadSettings({ ...process.env, ...env }, ['--role', 'api']);
  return { env, settings };
}

/**
 * Redis's own CPU time (INFO cpu), read around each run: what the api asks of Redis is part of
 * what a call costs, on the same cores.
 */
export async function redisCpuMeter(): Promise<{ seconds(): Promise<number>; close(): Promise<void> }> {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  return {
    async seconds() {
      const info = await redis.info('cpu');
      const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
      return field('used_cpu_sys') + field('used_cpu_user');
    },
    close: () => redis.close().catch(() => undefined),
  };
}

/** A console user to seed: `agency` is the index of one of the seeded agencies, or none. */
export interface SeedUser {
  email: string;
  displayName: string;
  role: 'AGENT' | 'SUPERVISOR' | 'ADMIN';
  agency: number | null;
}

export interface SeededUser {
  id: string;
  email: string;
  role: SeedUser['role'];
  agency_id: string | null;
  display_name: string;
  locale: 'fr' | 'en';
}

/**
 * Into a migrated database: one region, `agencies` agencies (codes `<prefix><i>`) and the users,
 * all with the same argon2id hash of `password` (`hashPassword` once: a thousand hashes would take
 * a minute), in one transaction of plain SQL. Returns the agencies' ids by index and the users'
 * rows by e-mail.
 */
export async function seedConsoleUsers(
  databaseUrl: string,
  prefix: string,
  agencies: number,
  password: string,
  users: readonly SeedUser[],
): Promise<{ agencyIds: Map<number, string>; rows: SeededUser[] }> {
  const passwordHash = await hashPassword(password);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    const region = await db.query(
      `INSERT INTO regions (code, name, updated_at) VALUES ($1, 'Région banc', now()) RETURNING id`,
      [`R-${prefix}`],
    );
    const created = await db.query(
      `INSERT INTO agencies (code, name, region_id, updated_at)
       SELECT $3 || i, 'Agence ' || i, $1, now() FROM generate_series(0, $2 - 1) AS i
       RETURNING id, code`,
      [region.rows[0].id, agencies, prefix],
    );
    const agencyIds = new Map<number, string>(
      created.rows.map((r: { id: string; code: string }) => [Number(r.code.slice(prefix.length)), r.id]),
    );
    await db.query(
      `INSERT INTO users (email, display_name, role, password_hash, agency_id, updated_at)
       SELECT email, display_name, role::"UserRole", $4, agency_id, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $5::uuid[]) AS u(email, display_name, role, agency_id)`,
      [
        users.map((u) => u.email),
        users.map((u) => u.displayName),
        users.map((u) => u.role),
        passwordHash,
        users.map((u) => (u.agency === null ? null : agencyIds.get(u.agency)!)),
      ],
    );
    await db.query('COMMIT');
    const rows = await db.query(
      'SELECT id, email, role, agency_id, display_name, locale FROM users ORDER BY email',
    );
    return { agencyIds, rows: rows.rows as SeededUser[] };
  } finally {
    await db.end();
  }
}
