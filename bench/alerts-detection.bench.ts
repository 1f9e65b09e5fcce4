// Consumption alert detection (issue 5) on a utility's scale: BENCH_ALERT_METERS smart meters
// (1,000,000) × BENCH_ALERT_DAYS days of readings (35, the default lookback), generated in
// PostgreSQL. Each round times, on the same table and window:
//   scan:      the baseline, one pass over the readings: SELECT count(*), sum(volume_litres) ...
//   detection: the real detectAlerts() (src/alerts/detection.service.ts), events to Redis db 13.
// The alerts must be exactly the leaking episodes the generator planted, and a second run must
// create none. `npx tsx bench/alerts-detection.bench.ts` runs it alone. Also BENCH_ALERT_ROUNDS
// (3); BENCH_ALERT_IMPORT=1 times the import of the next day's file of every meter; BENCH_KEEP=1
// keeps the database, BENCH_ALERT_REUSE=1 then runs again on it without generating.

import { loadavg } from 'node:os';
import pg from 'pg';
import { createClient } from 'redis';
import { dayNumber, isoDay } from '../src/alerts/day-numbers.js';
import { detectAlerts } from '../src/alerts/detection.service.js';
import { createFrenchCalendar } from '../src/calendar/french-calendar.js';
import { createPhoneIndex } from '../src/identification/phone-index.js';
import { runImport } from '../src/imports/import-runner.js';
import { createDb, type Db } from '../src/platform/db/client.js';
import { applyMigrations } from '../src/platform/db/migrations.js';
import type { Redis } from '../src/platform/redis.js';
import { createEventBus, EVENT_STREAM } from '../src/realtime/event-bus.js';
import { type BenchOutcome, machine, median, runIfMain, timed, verdict } from './support.js';

const METERS = Number(process.env.BENCH_ALERT_METERS ?? 1_000_000);
const DAYS = Number(process.env.BENCH_ALERT_DAYS ?? 35);
const ROUNDS = Number(process.env.BENCH_ALERT_ROUNDS ?? 3);
const KEEP = process.env.BENCH_KEEP === '1';
const REUSE = process.env.BENCH_ALERT_REUSE === '1';
/** Also time the import of the next day's file of every meter (BENCH_ALERT_IMPORT=1). */
const IMPORT = process.env.BENCH_ALERT_IMPORT === '1';
const MAX_DAILY_LITRES = 100_000;
const TARGETS = { detectionUnderSeconds: 60, ratioAtMost: 3 };

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'cc_bench_alerts';
const DATABASE_URL = `postgresql://postgres@127.0.0.1:5432/${DATABASE}`;
const REDIS_URL = 'redis://127.0.0.1:6379/13';
/** The detection day: the last day of readings. */
const LAST_DAY = dayNumber(2026, 11, 22);
const FIRST_DAY = LAST_DAY - DAYS + 1;
const sqlDay = (n: number) => `DATE '${isoDay(n)}'`;

// ---------------------------------------------------------------------------------------------
// The generator's plan: meter i (0 ≤ i < METERS), day offset d (0 = first day, r = DAYS - 1).

/** Share of meters per diameter, out of 200 (most households have 15 or 20 mm). */
const DIAMETER_MIX: Array<[diameter: number, share: number]> = [
  [15, 110],
  [20, 40],
  [30, 20],
  [40, 10],
  [50, 8],
  [65, 5],
  [80, 3],
  [100, 2],
  [150, 2],
];
// Spread so that leaking meters (every 100th) get every diameter too.
const bucketOf = (i: number) => (Math.floor(i / 1000) * 37 + i * 11) % 200;
const BUCKET_SQL = '((i / 1000) * 37 + i * 11) % 200';
function diameterOf(i: number): number {
  let bucket = bucketOf(i);
  for (const [diameter, share] of DIAMETER_MIX) {
    if (bucket < share) return diameter;
    bucket -= share;
  }
  throw new Error('the diameter mix does not add up to 200');
}
function diameterSql(): string {
  const whens: string[] = [];
  let upTo = 0;
  for (const [diameter, share] of DIAMETER_MIX) {
    upTo += share;
    whens.push(`WHEN ${BUCKET_SQL} < ${upTo} THEN ${diameter}`);
  }
  return `CASE ${whens.join(' ')} END`;
}

/** 1 % of meters leak, one pattern per meter in turn. */
const isLeaking = (i: number) => i % 100 === 42;
const patternOf = (i: number) => Math.floor(i / 100) % 10;
/** Alternates within a pattern: which customer or threshold variant. */
const variantOf = (i: number) => Math.floor(i / 1000) % 2;

// Volumes, litres. Normal days stay below every threshold, and below the lowest override.
const normal = (i: number, d: number) => 50 + ((i * 7919 + d * 104729) % 300);
const NORMAL_SQL = '50 + ((i::bigint * 7919 + d * 104729) % 300)::int';
const above = (i: number, d: number, threshold: number) => threshold + 1 + ((i * 31 + d * 17) % 1000);
const LOW_OVERRIDE = 400;
const aboveOverride = (i: number, d: number) => 600 + ((i + d) % 200);

interface Pattern {
  what: string;
  /** Day offsets [from, to] above the threshold, given the diameter's consecutive days n. */
  above(n: number, r: number): Array<[number, number]>;
  /** Day offsets with no reading at all. */
  missing?(n: number, r: number): number[];
  /** First day offset of the episode that must alert, or null. */
  alerts(n: number, r: number, variant: number): number | null;
}

const PATTERNS: Pattern[] = [
  {
    what: 'leak for n + 3 days up to the last day',
    above: (n, r) => [[r - n - 2, r]],
    alerts: (n, r) => r - n - 2,
  },
  { what: 'leak for n - 1 days: too short', above: (n, r) => [[r - n + 2, r]], alerts: () => null },
  {
    what: 'leak with a missing day 2 days ago: runs of n - 1 and 2 days',
    above: (n, r) => [[r - n - 1, r]],
    missing: (_n, r) => [r - 2],
    alerts: () => null,
  },
  {
    what: 'leak with a missing day, then n days up to the last day',
    above: (n, r) => [[r - n - 4, r]],
    missing: (n, r) => [r - n],
    alerts: (n, r) => r - n + 1,
  },
  {
    what: 'an episode of 9 days that ended, normal days, then n + 1 days up to the last day',
    above: (n, r) => [
      [r - 22, r - 14],
      [r - n, r],
    ],
    alerts: (n, r) => r - n,
  },
  { what: 'an episode that ended 4 days ago', above: (_n, r) => [[r - 15, r - 5]], alerts: () => null },
  {
    what: 'leak up to the last day, customer not residential (variant 0) or alerts off (1)',
    above: (n, r) => [[r - n - 2, r]],
    alerts: () => null,
  },
  {
    what: `customer threshold ${LOW_OVERRIDE} l, 600-800 l a day (variant 0, alerts) or 3 × the diameter's, leak above the diameter's (1)`,
    above: (n, r) => [[r - n - 1, r]],
    alerts: (n, r, variant) => (variant === 0 ? r - n - 1 : null),
  },
  { what: 'leak over the whole lookback', above: (_n, r) => [[0, r]], alerts: () => 0 },
  {
    what: 'exactly the threshold (not above) for n + 2 days',
    above: (n, r) => [[r - n - 1, r]],
    alerts: () => null,
  },
];
const EXACT_PATTERN = 9;
const OVERRIDE_PATTERN = 7;
const CUSTOMER_PATTERN = 6;

interface Threshold {
  litres: number;
  days: number;
}

/** A leaking meter's days: volume per day offset, null when there is no reading that day. */
function leakingDays(i: number, t: Threshold, r: number): Array<number | null> {
  const pattern = PATTERNS[patternOf(i)]!;
  const missing = new Set(pattern.missing?.(t.days, r) ?? []);
  const ranges = pattern.above(t.days, r);
  const variant = variantOf(i);
  return Array.from({ length: r + 1 }, (_, d) => {
    if (missing.has(d)) return null;
    if (!ranges.some(([from, to]) => d >= from && d <= to)) return normal(i, d);
    if (patternOf(i) === EXACT_PATTERN) return t.litres;
    if (patternOf(i) === OVERRIDE_PATTERN && variant === 0) return aboveOverride(i, d);
    return above(i, d, t.litres);
  });
}

// Contact details: mobiles for 85 %, e-mails for 60 %; alerts by letter for those with neither.
// Mixed with i / 1000 so that leaking meters (every 100th) get every combination too.
const hasMobile = (i: number) => (Math.floor(i / 1000) + i) % 20 < 17;
const HAS_MOBILE_SQL = '((i / 1000) + i) % 20 < 17';
const hasEmail = (i: number) => (Math.floor(i / 1000) * 3 + i) % 5 < 3;
const HAS_EMAIL_SQL = '((i / 1000) * 3 + i) % 5 < 3';

const uuid = (kind: number, i: number | string) =>
  typeof i === 'number'
    ? `${kind}0000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
    : `('${kind}0000000-0000-4000-8000-' || lpad(to_hex(${i}), 12, '0'))::uuid`;
const CUSTOMER = 1;
const SUPPLY_POINT = 2;
const METER = 3;

// ---------------------------------------------------------------------------------------------
// Data

interface Generated {
  postgres: string;
  redis: string;
  thresholds: Map<number, Threshold>;
  steps: Record<string, number>;
  /** BENCH_ALERT_REUSE: the data of an earlier run, not generated again. */
  reused: boolean;
  rows: number;
  leakRows: number;
  sizes: Record<string, string>;
}

async function step(
  steps: Record<string, number>,
  name: string,
  work: () => Promise<unknown>,
): Promise<void> {
  const started = performance.now();
  await work();
  steps[name] = Number(((performance.now() - started) / 1000).toFixed(1));
  console.log(`  ${name}: ${steps[name]} s`);
}

/**
 * Re-creates cc_bench_alerts with the project's migrations, then fills it (see fill), unless
 * BENCH_ALERT_REUSE=1 finds it already filled with the same meters and days (kept by BENCH_KEEP=1).
 */
async function generate(): Promise<Generated> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const postgres = String((await admin.query('SHOW server_version')).rows[0].server_version);
  const reuse =
    REUSE && (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])).rowCount === 1;
  if (!reuse) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
  const steps: Record<string, number> = {};
  if (!reuse) await step(steps, 'migrations', () => applyMigrations(DATABASE_URL));
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const thresholds = new Map(
      (
        await db.query<{ diameter_mm: number; threshold_litres: number; consecutive_days: number }>(
          'SELECT diameter_mm, threshold_litres, consecutive_days FROM alert_thresholds',
        )
      ).rows.map((t) => [t.diameter_mm, { litres: t.threshold_litres, days: t.consecutive_days }]),
    );
    for (const [diameter] of DIAMETER_MIX)
      if (!thresholds.has(diameter)) throw new Error(`no threshold for ${diameter} mm in the migration`);
    if (!reuse) await fill(db, thresholds, steps);
    const stored = (
      await db.query<{ meters: number; readings: number; first: string; last: string }>(
        `SELECT (SELECT count(*)::int FROM meters) AS meters, count(*)::int AS readings,
                min(day)::text AS first, max(day)::text AS last FROM meter_readings`,
      )
    ).rows[0]!;
    if (stored.meters !== METERS || stored.first !== isoDay(FIRST_DAY) || stored.last !== isoDay(LAST_DAY))
      throw new Error(
        `${DATABASE} holds other data (${JSON.stringify(stored)}): run without BENCH_ALERT_REUSE`,
      );
    const sizes = Object.fromEntries(
      (
        await db.query<{ name: string; size: string }>(
          `SELECT relname AS name, pg_size_pretty(pg_total_relation_size(oid)) AS size FROM pg_class
           WHERE relname IN ('meter_readings', 'meter_readings_pkey', 'customers', 'meters', 'supply_points', 'contracts')`,
        )
      ).rows.map((s) => [s.name, s.size]),
    );
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    const info = await redis.info('server');
    await redis.close();
    return {
      postgres,
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
      thresholds,
      steps,
      reused: reuse,
      rows: stored.readings,
      leakRows: leaking().reduce(
        (n, i) =>
          n + leakingDays(i, thresholds.get(diameterOf(i))!, DAYS - 1).filter((v) => v !== null).length,
        0,
      ),
      sizes,
    };
  } finally {
    await db.end();
  }
}

const leaking = () => Array.from({ length: METERS }, (_, i) => i).filter(isLeaking);

/**
 * Plain SQL: 10 agencies, and per meter a residential customer (2 % professional, 1 % alerts off;
 * contact details as above), a supply point, a contract and a meter of the mix's diameter; DAYS
 * readings per meter (0.5 % of meters miss one day). Leaking meters' readings come from the
 * patterns, computed here. The readings' primary key is built after loading, foreign keys are not
 * re-checked row by row (session_replication_role = replica), then VACUUM ANALYZE, as an
 * established table would be.
 */
async function fill(
  db: pg.Client,
  thresholds: Map<number, Threshold>,
  steps: Record<string, number>,
): Promise<void> {
  const r = DAYS - 1;
  await db.query(`SET session_replication_role = replica`);
  await db.query(`SET synchronous_commit = off`);
  await db.query(`SET maintenance_work_mem = '1GB'`);
  await step(steps, 'agencies', async () => {
    await db.query(`INSERT INTO regions (id, code, name, updated_at)
                    VALUES ('00000000-0000-4000-8000-000000000001', 'R-BENCH', 'Région banc', now())`);
    await db.query(`INSERT INTO agencies (id, code, name, region_id, updated_at)
                    SELECT ('40000000-0000-4000-8000-' || lpad(to_hex(a), 12, '0'))::uuid, 'AG-' || a, 'Agence ' || a,
                           '00000000-0000-4000-8000-000000000001', now()
                    FROM generate_series(0, 9) a`);
  });
  await step(steps, 'customers', () =>
    db.query(
      `INSERT INTO customers (id, reference, class, last_name, first_name, email, address_line, postcode, city,
                              alerts_active, updated_at)
       SELECT ${uuid(CUSTOMER, 'i')}, 'B' || i,
              (CASE WHEN i % 50 = 7 THEN 'PROFESSIONAL' ELSE 'RESIDENTIAL' END)::"CustomerClass",
              'Nom' || i, 'Prénom', CASE WHEN ${HAS_EMAIL_SQL} THEN 'client' || i || '@bench.example' END,
              i || ' rue du Banc', '69002', 'Lyon', i % 97 <> 3, now()
       FROM generate_series(0, $1 - 1) i`,
      [METERS],
    ),
  );
  await step(steps, 'phones', () =>
    db.query(
      `INSERT INTO customer_phones (customer_id, e164, kind, failing)
       SELECT ${uuid(CUSTOMER, 'i')}, '+336' || lpad(i::text, 8, '0'), 'MOBILE', i % 100 = 1
       FROM generate_series(0, $1 - 1) i WHERE ${HAS_MOBILE_SQL}`,
      [METERS],
    ),
  );
  await step(steps, 'supply points', () =>
    db.query(
      `INSERT INTO supply_points (id, reference, customer_id, address_line, postcode, city, updated_at)
       SELECT ${uuid(SUPPLY_POINT, 'i')}, 'PDL' || i, ${uuid(CUSTOMER, 'i')}, i || ' rue du Banc', '69002', 'Lyon', now()
       FROM generate_series(0, $1 - 1) i`,
      [METERS],
    ),
  );
  await step(steps, 'contracts', () =>
    db.query(
      `INSERT INTO contracts (reference, customer_id, agency_id, supply_point_id, equipment, updated_at)
       SELECT 'K' || i, ${uuid(CUSTOMER, 'i')}, ('40000000-0000-4000-8000-' || lpad(to_hex(i % 10), 12, '0'))::uuid,
              ${uuid(SUPPLY_POINT, 'i')}, 'WATER_SUPPLY', now()
       FROM generate_series(0, $1 - 1) i`,
      [METERS],
    ),
  );
  await step(steps, 'meters', () =>
    db.query(
      `INSERT INTO meters (id, serial, supply_point_id, diameter_mm)
       SELECT ${uuid(METER, 'i')}, 'B' || lpad(i::text, 7, '0'), ${uuid(SUPPLY_POINT, 'i')}, ${diameterSql()}
       FROM generate_series(0, $1 - 1) i`,
      [METERS],
    ),
  );

  // Leaking meters' customers: pattern 6 not residential or alerts off; pattern 7 their own threshold.
  const special = leaking().filter((i) => [CUSTOMER_PATTERN, OVERRIDE_PATTERN].includes(patternOf(i)));
  await step(steps, 'leaking customers', () =>
    db.query(
      `UPDATE customers c SET
         class = (CASE WHEN s.p = ${CUSTOMER_PATTERN} AND s.v = 0 THEN 'PROFESSIONAL' ELSE 'RESIDENTIAL' END)::"CustomerClass",
         alerts_active = NOT (s.p = ${CUSTOMER_PATTERN} AND s.v = 1),
         alert_threshold_litres = CASE WHEN s.p = ${OVERRIDE_PATTERN} THEN s.override END
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[]) AS s(id, p, v, override)
       WHERE c.id = s.id`,
      [
        special.map((i) => uuid(CUSTOMER, i)),
        special.map(patternOf),
        special.map(variantOf),
        special.map((i) => (variantOf(i) === 0 ? LOW_OVERRIDE : 3 * thresholds.get(diameterOf(i))!.litres)),
      ],
    ),
  );
  // Leaking meters keep the usual contact mix but are all residential with alerts on, unless above.
  await db.query(
    `UPDATE customers SET class = 'RESIDENTIAL', alerts_active = true
     WHERE id = ANY($1::uuid[])`,
    [
      leaking()
        .filter((i) => ![CUSTOMER_PATTERN, OVERRIDE_PATTERN].includes(patternOf(i)))
        .map((i) => uuid(CUSTOMER, i)),
    ],
  );

  await db.query('ALTER TABLE meter_readings DROP CONSTRAINT meter_readings_pkey');
  // Day by day, as daily files arrive: the table is in day order on disk. The index is not
  // consistent with the volumes (detection reads only volumes); it gives rows their real width.
  await step(steps, 'readings', () =>
    db.query(
      `INSERT INTO meter_readings (meter_id, day, index_litres, volume_litres)
       SELECT ${uuid(METER, 'i')}, ${sqlDay(FIRST_DAY)} + d, i::bigint * 1000 + d * 300, ${NORMAL_SQL}
       FROM generate_series(0, $1 - 1) d CROSS JOIN generate_series(0, $2 - 1) i
       WHERE i % 100 <> 42 AND NOT (i % 200 = 5 AND d = i % $1)`,
      [DAYS, METERS],
    ),
  );
  await step(steps, 'leaking readings', async () => {
    const rows: Array<[string, number, number]> = [];
    for (const i of leaking()) {
      const t = thresholds.get(diameterOf(i))!;
      leakingDays(i, t, r).forEach((volume, d) => {
        if (volume !== null) rows.push([uuid(METER, i), d, volume]);
      });
    }
    for (let k = 0; k < rows.length; k += 50_000) {
      const chunk = rows.slice(k, k + 50_000);
      await db.query(
        `INSERT INTO meter_readings (meter_id, day, index_litres, volume_litres)
         SELECT m, ${sqlDay(FIRST_DAY)} + d, 0, v FROM unnest($1::uuid[], $2::int[], $3::int[]) AS t(m, d, v)`,
        [chunk.map((x) => x[0]), chunk.map((x) => x[1]), chunk.map((x) => x[2])],
      );
    }
  });
  await step(steps, 'primary key', () =>
    db.query('ALTER TABLE meter_readings ADD CONSTRAINT meter_readings_pkey PRIMARY KEY (meter_id, day)'),
  );
  await step(steps, 'vacuum analyze', () => db.query('VACUUM (ANALYZE)'));
}

/** The alerts the planted episodes must give: meter id → first day of the episode. */
function expectedAlerts(thresholds: Map<number, Threshold>): Map<string, string> {
  const expected = new Map<string, string>();
  const r = DAYS - 1;
  for (let i = 42; i < METERS; i += 100) {
    const t = thresholds.get(diameterOf(i))!;
    const start = PATTERNS[patternOf(i)]!.alerts(t.days, r, variantOf(i));
    if (start !== null) expected.set(uuid(METER, i), isoDay(FIRST_DAY + start));
  }
  return expected;
}

const expectedByLetter = (expected: Map<string, string>) =>
  [...expected.keys()].filter((id) => {
    const i = Number.parseInt(id.slice(-12), 16);
    return !hasMobile(i) && !hasEmail(i);
  }).length;

// ---------------------------------------------------------------------------------------------
// The readings import at the same scale (BENCH_ALERT_IMPORT=1)

/**
 * The day after the last: every meter's index (the generator's i × 1000 + day × 300 litres, so
 * 300 litres derived from the stored day before), through the real import (runImport, as the
 * command line runs it), then the same file again as a dry run (all unchanged). Leaking meters'
 * stored index is 0: their jump above READINGS_MAX_DAILY_LITRES is an error of their line; meters
 * that missed the last day get a gap warning.
 */
async function measureImport(db: Db, redis: Redis) {
  const day = isoDay(LAST_DAY + 1);
  const lines = ['meter_serial;day;index_m3'];
  for (let i = 0; i < METERS; i++) {
    const litres = i * 1000 + DAYS * 300;
    lines.push(
      `B${String(i).padStart(7, '0')};${day};${Math.floor(litres / 1000)},${String(litres % 1000).padStart(3, '0')}`,
    );
  }
  const content = Buffer.from(`${lines.join('\n')}\n`);
  const expectedErrors = leaking().filter((i) => i * 1000 + DAYS * 300 > MAX_DAILY_LITRES).length;
  const expectedGaps = Array.from({ length: METERS }, (_, i) => i).filter(
    (i) => !isLeaking(i) && i % 200 === 5 && i % DAYS === DAYS - 1,
  ).length;
  const clock = { now: () => new Date(`${day}T20:00:00Z`) };
  const deps = {
    db,
    phoneIndex: createPhoneIndex(db, redis, clock),
    calendar: createFrenchCalendar('Europe/Paris'),
    clock,
    zone: 'Europe/Paris',
    maxUncoverPercent: 20,
    readingsMaxDailyLitres: MAX_DAILY_LITRES,
  };
  const request = {
    kind: 'readings' as const,
    content,
    actor: { type: 'SYSTEM' as const, id: 'bench' },
    source: 'cli' as const,
  };
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 250);
  try {
    const applied = await timed(`Import of ${METERS.toLocaleString('en')} readings of ${day}`, () =>
      runImport(deps, { ...request, dryRun: false }),
    );
    const again = await timed('The same file again (dry run)', () =>
      runImport(deps, { ...request, dryRun: true }),
    );
    const a = applied.value;
    const ok =
      a.created === METERS - expectedErrors &&
      a.errors.length + a.moreErrors === expectedErrors &&
      a.warnings.length + a.moreWarnings === expectedGaps &&
      again.value.unchanged === a.created &&
      again.value.created + again.value.updated === 0;
    return {
      lines: METERS,
      megabytes: Number((content.length / 1e6).toFixed(1)),
      seconds: Number((applied.ms / 1000).toFixed(1)),
      linesPerSecond: Math.round(METERS / (applied.ms / 1000)),
      againDryRunSeconds: Number((again.ms / 1000).toFixed(1)),
      created: a.created,
      errors: a.errors.length + a.moreErrors,
      expectedErrors,
      warnings: a.warnings.length + a.moreWarnings,
      expectedGaps,
      againUnchanged: again.value.unchanged,
      peakRssMegabytes: Math.round(peakRss / 1e6),
      ok,
    };
  } finally {
    clearInterval(sampler);
  }
}

// ---------------------------------------------------------------------------------------------
// The benchmark

interface Round {
  round: number;
  scanMs: number;
  scanNoJitMs: number;
  detectionMs: number;
  alerts: number;
  events: number;
}

export async function runAlertsDetectionBench(): Promise<BenchOutcome> {
  if (DAYS < 25) throw new Error('BENCH_ALERT_DAYS must be at least 25 (the leak patterns span 23 days)');
  const loadBefore = loadavg()[0]!;
  const data = await timed(
    `Generating ${DATABASE}: ${METERS.toLocaleString('en')} meters × ${DAYS} days of readings`,
    generate,
  );
  const db: Db = createDb(DATABASE_URL);
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    const expected = expectedAlerts(data.value.thresholds);
    const deps = {
      db,
      events: createEventBus(redis, () => new Date()),
      // The morning after the last day read, at the daily run's time (07:00 in Paris).
      clock: { now: () => new Date(`${isoDay(LAST_DAY + 1)}T06:00:00Z`) },
      zone: 'Europe/Paris',
      lookbackDays: DAYS,
    };
    // The baseline, with the server's settings (JIT on: it compiles this query) and without JIT,
    // as detection runs (SET LOCAL jit = off); the ratio is taken against the faster of the two.
    const scanSql = () => db.$queryRaw<Array<{ n: bigint; litres: bigint }>>`
      SELECT count(*) AS n, sum(volume_litres) AS litres FROM meter_readings
      WHERE day > DATE '1970-01-01' + ${FIRST_DAY - 1}::int`;
    const scan = async (jit: boolean) => {
      const [row] = jit
        ? await scanSql()
        : await db.$transaction(async (tx) => {
            await tx.$executeRawUnsafe('SET LOCAL jit = off');
            return tx.$queryRaw<Array<{ n: bigint; litres: bigint }>>`
              SELECT count(*) AS n, sum(volume_litres) AS litres FROM meter_readings
              WHERE day > DATE '1970-01-01' + ${FIRST_DAY - 1}::int`;
          });
      return Number(row!.n);
    };
    // Warm-up (the table into the OS cache; plans), not measured.
    await timed('Warm-up: one scan and one detection', async () => {
      await scan(true);
      await detectAlerts(deps, { day: isoDay(LAST_DAY) });
    });
    const rounds: Round[] = [];
    let scanned = 0;
    let found = new Map<string, string>();
    let byLetter = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await db.$executeRaw`TRUNCATE consumption_alerts`;
      await redis.flushDb();
      let started = performance.now();
      scanned = await scan(true);
      const scanMs = performance.now() - started;
      started = performance.now();
      await scan(false);
      const scanNoJitMs = performance.now() - started;
      started = performance.now();
      // The lookback ends on the last day read, so both read the same 35 days.
      const ids = await detectAlerts(deps, { day: isoDay(LAST_DAY) });
      const detectionMs = performance.now() - started;
      const events = await redis.xLen(EVENT_STREAM);
      rounds.push({
        round,
        scanMs: Math.round(scanMs),
        scanNoJitMs: Math.round(scanNoJitMs),
        detectionMs: Math.round(detectionMs),
        alerts: ids.length,
        events,
      });
      console.log(
        `  round ${round}: scan ${(scanMs / 1000).toFixed(2)} s (without JIT ${(scanNoJitMs / 1000).toFixed(2)} s), ` +
          `detection ${(detectionMs / 1000).toFixed(2)} s, ${ids.length} alerts, ${events} alert.detected events`,
      );
      const rows = await db.$queryRaw<Array<{ meter: string; start: string; letter: boolean }>>`
        SELECT meter_id::text AS meter, episode_start::text AS start, by_letter AS letter FROM consumption_alerts`;
      found = new Map(rows.map((a) => [a.meter, a.start]));
      byLetter = rows.filter((a) => a.letter).length;
    }
    let started = performance.now();
    const again = await detectAlerts(deps, { day: isoDay(LAST_DAY) });
    const secondRunMs = Math.round(performance.now() - started);
    started = performance.now();
    // The daily job's own day (today, the morning after): the same episodes, traced back for the
    // leak over the whole lookback, whose first day is now before the window.
    const nextDay = await detectAlerts(deps, {});
    const nextDayMs = Math.round(performance.now() - started);
    const imported = IMPORT ? await measureImport(db, redis) : null;

    const missing = [...expected].filter(([meter, start]) => found.get(meter) !== start);
    const unexpected = [...found].filter(([meter, start]) => expected.get(meter) !== start);
    const scanJitMs = median(rounds.map((x) => x.scanMs));
    const scanNoJitMs = median(rounds.map((x) => x.scanNoJitMs));
    const scanMs = Math.min(scanJitMs, scanNoJitMs);
    const detectionMs = median(rounds.map((x) => x.detectionMs));
    const ratio = Number((detectionMs / scanMs).toFixed(2));
    const correct =
      missing.length === 0 &&
      unexpected.length === 0 &&
      rounds.every((x) => x.alerts === expected.size && x.events === expected.size) &&
      again.length === 0 &&
      nextDay.length === 0 &&
      byLetter === expectedByLetter(expected) &&
      scanned === data.value.rows &&
      (imported?.ok ?? true);
    const leakingMeters = Math.floor((METERS - 42 + 99) / 100);
    const summary = {
      benchmark: 'consumption alert detection vs one scan of the same readings',
      date: new Date().toISOString().slice(0, 10),
      machine: machine(data.value),
      meters: METERS,
      days: DAYS,
      readings: data.value.rows,
      detectionDay: isoDay(LAST_DAY),
      lookbackDays: DAYS,
      leakingMeters,
      leakingReadings: data.value.leakRows,
      patterns: PATTERNS.map((p, k) => ({
        what: p.what,
        meters: [...Array(leakingMeters)].filter((_, j) => j % 10 === k).length,
      })),
      dataGeneration: {
        seconds: Number((data.ms / 1000).toFixed(1)),
        steps: data.value.steps,
        reused: data.value.reused,
      },
      sizes: data.value.sizes,
      rounds,
      median: { scanMs: scanJitMs, scanNoJitMs, detectionMs },
      /** detection ÷ the faster scan. */
      ratio,
      secondRun: { ms: secondRunMs, created: again.length },
      nextDayRun: { ms: nextDayMs, created: nextDay.length },
      /** BENCH_ALERT_IMPORT=1: the next day's readings file of every meter, imported (not timed against a baseline). */
      import: imported,
      alerts: {
        expected: expected.size,
        found: found.size,
        missing: missing.length,
        unexpected: unexpected.length,
        byLetter,
        byLetterExpected: expectedByLetter(expected),
        samples: [...missing.slice(0, 5), ...unexpected.slice(0, 5)],
      },
      /** 1-minute load average before and after: other work on the machine skews the figures. */
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
      targets: TARGETS,
      met: {
        detectionUnder60s: detectionMs < TARGETS.detectionUnderSeconds * 1000,
        ratio: ratio <= TARGETS.ratioAtMost,
      },
      correct,
    };
    const m = summary.machine;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    return {
      name: 'alerts-detection',
      result: { summary, rows: [] },
      report: [
        `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; ` +
          `load average ${loadBefore.toFixed(2)} before, ${summary.loadAverage.after.toFixed(2)} after`,
        `data: ${METERS.toLocaleString('en')} meters × ${DAYS} days = ${data.value.rows.toLocaleString('en')} readings ` +
          `(meter_readings ${data.value.sizes.meter_readings}), ` +
          (data.value.reused
            ? 'reused from an earlier run (BENCH_ALERT_REUSE)'
            : `generated in ${summary.dataGeneration.seconds} s: ` +
              Object.entries(data.value.steps)
                .map(([k, v]) => `${k} ${v} s`)
                .join(', ')),
        `median of ${ROUNDS} rounds: scan ${s(scanJitMs)} (without JIT ${s(scanNoJitMs)}), detection ${s(detectionMs)}, ` +
          `ratio to the faster scan ${ratio}`,
        `alerts: ${found.size} found, ${expected.size} planted episodes expected (${missing.length} missing, ` +
          `${unexpected.length} unexpected), ${byLetter} by letter (expected ${summary.alerts.byLetterExpected}); ` +
          `second run ${again.length} created in ${s(secondRunMs)}; next day ${nextDay.length} created in ${s(nextDayMs)}`,
        ...(imported
          ? [
              `import of the next day's file (${imported.lines.toLocaleString('en')} lines, ${imported.megabytes} MB): ` +
                `${imported.seconds} s (${imported.linesPerSecond.toLocaleString('en')} lines/s), ${imported.created.toLocaleString('en')} created, ` +
                `${imported.errors} errors (expected ${imported.expectedErrors}), ${imported.warnings} gap warnings (expected ${imported.expectedGaps}); ` +
                `again as a dry run ${imported.againDryRunSeconds} s, ${imported.againUnchanged.toLocaleString('en')} unchanged; ` +
                `peak RSS ${imported.peakRssMegabytes} MB: ${imported.ok ? 'ok' : 'WRONG'}`,
            ]
          : []),
        `targets: detection ${s(detectionMs)} < ${TARGETS.detectionUnderSeconds} s: ${verdict(summary.met.detectionUnder60s)}; ` +
          `ratio ${ratio} ≤ ${TARGETS.ratioAtMost}: ${verdict(summary.met.ratio)}; alerts correct: ${correct ? 'yes' : 'NO'}`,
      ],
      passed: correct,
    };
  } finally {
    await db.$disconnect().catch(() => undefined);
    await redis.close().catch(() => undefined);
    if (!KEEP) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
      await admin.end();
    }
  }
}

// `npx tsx bench/alerts-detection.bench.ts`: this benchmark alone.
await runIfMain(import.meta.url, runAlertsDetectionBench);
