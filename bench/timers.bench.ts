// Follow-up timers at scale (issue #19: "schedule and then recompute the timers of 100,000 open
// cases (a bulk date change), under 30 s, beside the plain SQL insert of the same rows in the same
// run"). BENCH_TIMERS_CASES (100,000) open departure cases, each with its two timers (the reminder
// at +10 days, the call at +30: departureTimers, src/follow-ups/departure-dates.ts), in
// cc_bench_timers and Redis database 15. Timed, one after the other:
//   baseline:  one plain SQL INSERT … SELECT of the same 200,000 rows into follow_up_timers (then
//              emptied), and one plain UPDATE moving them, for reference;
//   schedule:  the timers' mechanism, BENCH_TIMERS_BATCH (500) cases a transaction,
//              BENCH_TIMERS_CONCURRENCY (4) at once: the rows written in the transaction
//              (setTimersOfCases, or setTimers case by case with BENCH_TIMERS_PATH=per-case) and,
//              once committed, scheduleTimers as openDeparture does for one case (it adds the
//              BullMQ jobs of the timers due within 10 minutes: none here, all are days away);
//   recompute: a bulk date change: the planned dates move BENCH_TIMERS_SHIFT_DAYS (7) later, in
//              the same transaction as their timers' new due dates (as moveDeparture does), then
//              scheduleTimers again;
//   sweep:     the clock 5 minutes before the first timers fall due, the sweep adds their jobs.
// Then every row is checked against due dates computed in SQL from the planned dates, Redis must
// hold no job before the sweep and, after it, exactly one per timer due within 10 minutes, with
// its id, data and delay. `npx tsx bench/timers.bench.ts` runs it alone.
import { loadavg } from 'node:os';
import pg from 'pg';
import { createClient } from 'redis';
import { OPEN_CASE_STATUSES } from '../src/cases/case-scope.js';
import { dateOnly, departureTimers } from '../src/follow-ups/departure-dates.js';
import type { Tx } from '../src/follow-ups/follow-ups.deps.js';
import { readFollowUpSettings } from '../src/follow-ups/follow-ups.settings.js';
import {
  type CaseTimerPlans,
  scheduleTimers,
  setTimers,
  setTimersOfCases,
  sweepTimers,
  type Timer,
  type TimerJob,
  type TimerPlan,
  timerJobId,
} from '../src/follow-ups/timers.js';
import type { Clock } from '../src/platform/clock.js';
import { createDb, type Db } from '../src/platform/db/client.js';
import { applyMigrations } from '../src/platform/db/migrations.js';
import { createLogger } from '../src/platform/logger.js';
import { createQueue, QUEUE_NAMES } from '../src/platform/queues.js';
import { connectRedis, createRedis } from '../src/platform/redis.js';
import { readSettings } from '../src/platform/settings-reader.js';
import { emptyRedis } from './fixtures.js';
import { type BenchOutcome, machine, processCpuMeter, runIfMain, timed, verdict } from './support.js';

const CASES = Number(process.env.BENCH_TIMERS_CASES ?? 100_000);
/** Cases per transaction (and per addBulk of their jobs). */
const BATCH = Number(process.env.BENCH_TIMERS_BATCH ?? 500);
/** Transactions under way at once (the pool holds 10 connections). */
const CONCURRENCY = Number(process.env.BENCH_TIMERS_CONCURRENCY ?? 4);
const SHIFT_DAYS = Number(process.env.BENCH_TIMERS_SHIFT_DAYS ?? 7);
/**
 * How the rows are written: `bulk` (setTimersOfCases, one statement a transaction) or `per-case`
 * (setTimers, an upsert a row, as openDeparture and moveDeparture do for one case).
 */
const PATH = process.env.BENCH_TIMERS_PATH === 'per-case' ? 'per-case' : 'bulk';
const PLAN_EACH = process.env.BENCH_TIMERS_PLAN_EACH === '1';
/** Prisma's 5 s default is too short for a per-case batch on a busy machine. */
const TX_OPTIONS = { timeout: 120_000, maxWait: 120_000 };
const TARGETS = { underSeconds: 30 };
/** Keep the jobs in Redis after the run (cc_bench_timers is kept anyway, as the other benchmarks'). */
const KEEP = process.env.BENCH_KEEP === '1';

const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'cc_bench_timers';
const DATABASE_URL = `postgresql://postgres@127.0.0.1:5432/${DATABASE}`;
// Database 15, as the webhook and gather benchmarks (they run one after the other): the tests
// flush any of 2 to 14 (test/support/redis-db.ts), and did so in the middle of a run.
const REDIS_URL = `redis://127.0.0.1:6379/${Number(process.env.BENCH_TIMERS_REDIS_DB ?? 15)}`;
const ZONE = 'Europe/Paris';
/** The service's clock: a Monday morning; the planned dates run over the 90 days from it. */
const START = new Date('2026-12-07T10:00:00+01:00');
let clockNow = START;
const clock: Clock = { now: () => clockNow };
const FIRST_DAY = '2026-12-07';
const SPREAD_DAYS = 90;
/** BullMQ's keys of the queue (default prefix). */
const JOB_KEY = (jobId: string) => `bull:${QUEUE_NAMES.followUps}:${jobId}`;

const settings = readSettings({}, (read) => readFollowUpSettings(read)).followUps;
/** The due dates of departureTimers, in SQL: the day + N days at the follow-ups' time, local time. */
const DUE_SQL = (planned: string) => `
  ((${planned} + k.days) + make_time(${Math.floor(settings.dueMinute / 60)}, ${settings.dueMinute % 60}, 0))
    AT TIME ZONE '${ZONE}'`;
const KINDS_SQL = `(VALUES ('departure-reminder', ${settings.departureReminderDays}),
                          ('departure-call', ${settings.departureCallDays})) AS k(kind, days)`;

interface OpenCase {
  caseId: string;
  plannedDate: Date;
}

/**
 * Re-creates cc_bench_timers with the project's migrations, then in plain SQL (the ORM would take
 * minutes): one region and agency, CASES customers with a contract each, and an open departure
 * case for each with its planned date (FIRST_DAY + i mod SPREAD_DAYS). Empties the Redis database.
 */
async function prepareData(): Promise<{ postgres: string; redis: string }> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  const postgres = String((await admin.query('SHOW server_version')).rows[0].server_version);
  await admin.end();
  await applyMigrations(DATABASE_URL);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await db.query('BEGIN');
    const region = await db.query(
      `INSERT INTO regions (code, name, updated_at) VALUES ('R-T', 'Région banc', now()) RETURNING id`,
    );
    const agency = await db.query(
      `INSERT INTO agencies (code, name, region_id, updated_at) VALUES ('T0', 'Agence banc', $1, now()) RETURNING id`,
      [region.rows[0].id],
    );
    await db.query(
      `INSERT INTO customers (reference, last_name, first_name, address_line, postcode, city, updated_at)
       SELECT 'T' || i, 'Nom' || i, 'Prénom', i || ' rue du Départ', '69003', 'Lyon', now()
       FROM generate_series(0, $1 - 1) AS i`,
      [CASES],
    );
    await db.query(
      `INSERT INTO contracts (reference, customer_id, agency_id, updated_at)
       SELECT 'CT' || substr(reference, 2), id, $1, now() FROM customers`,
      [agency.rows[0].id],
    );
    await db.query(
      `CREATE TEMP TABLE planned AS
       SELECT gen_random_uuid() AS case_id, c.id AS customer_id, k.id AS contract_id,
              $1::date + (substr(c.reference, 2)::int % $2) AS planned_date,
              '+3364' || lpad(substr(c.reference, 2), 7, '0') AS mobile
       FROM customers c JOIN contracts k ON k.customer_id = c.id`,
      [FIRST_DAY, SPREAD_DAYS],
    );
    await db.query(
      `INSERT INTO cases (id, category, subject, customer_id, agency_id, opened_at, updated_at)
       SELECT case_id, 'departure', 'Départ signalé', customer_id, $1, $2, now() FROM planned`,
      [agency.rows[0].id, START],
    );
    await db.query(
      `INSERT INTO departures (case_id, customer_id, contract_id, planned_date, mobile, rented, updated_at)
       SELECT case_id, customer_id, contract_id, planned_date, mobile, false, now() FROM planned`,
    );
    await db.query('COMMIT');
    await db.query('VACUUM ANALYZE');
  } finally {
    await db.end();
  }
  return { postgres, redis: await emptyRedis(REDIS_URL) };
}

/**
 * departureTimers (the reminder and the call of a planned date), once per date: its time-zone
 * arithmetic (luxon) costs 0.1-0.17 ms a call, 15-20 s of this process's CPU over the 200,000
 * calls of the two phases, and a bulk change plans each date once. BENCH_TIMERS_PLAN_EACH=1
 * calls it for every case.
 */
const plansByDate = new Map<number, TimerPlan[]>();
function plansFor(plannedDate: Date): TimerPlan[] {
  if (PLAN_EACH) return departureTimers(plannedDate, ZONE, settings);
  let plans = plansByDate.get(plannedDate.getTime());
  if (!plans) {
    plans = departureTimers(plannedDate, ZONE, settings);
    plansByDate.set(plannedDate.getTime(), plans);
  }
  return plans;
}

/** The timers of these cases written in the caller's transaction, by PATH. */
async function writeTimers(tx: Tx, cases: CaseTimerPlans[]): Promise<Timer[]> {
  if (PATH === 'bulk') return setTimersOfCases(tx, cases, clock.now());
  const made: Timer[] = [];
  for (const { caseId, plans } of cases) made.push(...(await setTimers(tx, caseId, plans)));
  return made;
}

/** Runs `work` on each chunk of `items`, CONCURRENCY chunks at a time, in order of the chunks. */
async function inBatches<T>(items: readonly T[], work: (chunk: T[]) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const chunk = items.slice(next, next + BATCH);
      next += BATCH;
      await work(chunk);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Seconds, CPU of this process, of cc_bench_timers's backends and of Redis, over `work`. */
async function measured(what: string, redisCpu: () => Promise<number>, work: () => Promise<void>) {
  const postgres = processCpuMeter((cmdline) => cmdline.includes(` ${DATABASE} `));
  const [redisBefore, selfBefore] = [await redisCpu(), process.cpuUsage()];
  const { ms } = await timed(what, work);
  const self = process.cpuUsage(selfBefore);
  return {
    seconds: ms / 1000,
    cpuSeconds: {
      node: Number(((self.user + self.system) / 1e6).toFixed(1)),
      postgres: Number(postgres.stop().toFixed(1)),
      redis: Number(((await redisCpu()) - redisBefore).toFixed(1)),
    },
  };
}

/** Rows of follow_up_timers against the due dates computed in SQL from the departures' dates. */
async function checkRows(db: pg.Client, shiftedBy: number) {
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM follow_up_timers)::int AS rows,
            (SELECT count(*) FROM follow_up_timers t JOIN departures d USING (case_id) JOIN ${KINDS_SQL} USING (kind)
             WHERE t.state = 'PENDING' AND t.fired_at IS NULL AND t.data = '{}'::jsonb
               AND t.due_at = ${DUE_SQL('d.planned_date')})::int AS right,
            (SELECT count(*) FROM departures d JOIN bench_planned b USING (case_id)
             WHERE d.planned_date <> b.planned_date + $1::int)::int AS "datesWrong"`,
    [shiftedBy],
  );
  return rows[0] as { rows: number; right: number; datesWrong: number };
}

export async function runTimersBench(): Promise<BenchOutcome> {
  const loadBefore = loadavg()[0]!;
  const prepared = await timed(
    `Preparing ${DATABASE}: ${CASES.toLocaleString('en')} customers, contracts and open departure cases`,
    prepareData,
  );
  const sql = new pg.Client({ connectionString: DATABASE_URL });
  await sql.connect();
  const db: Db = createDb(DATABASE_URL);
  const redis = createRedis(REDIS_URL, (err) => console.error('bench redis:', err.message));
  await connectRedis(redis, REDIS_URL);
  const queue = createQueue(QUEUE_NAMES.followUps, redis);
  // scheduleTimers logs a failed addBulk and carries on (the sweep would add the jobs): counted here.
  let addFailures = 0;
  const logger = createLogger('silent');
  logger.warn = ((...args: unknown[]) => {
    addFailures++;
    console.error('scheduleTimers:', ...args);
  }) as typeof logger.warn;
  const deps = { queue, clock, logger };
  const redisCpu = async () => {
    const info = await redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return field('used_cpu_sys') + field('used_cpu_user');
  };
  const timerRows = CASES * 2;
  try {
    // The original planned dates, to check the move by; and the cases in the order they are handled.
    await sql.query('CREATE TABLE bench_planned AS SELECT case_id, planned_date FROM departures');
    const cases: OpenCase[] = (
      await sql.query<{ case_id: string; planned_date: string }>(
        `SELECT case_id, to_char(planned_date, 'YYYY-MM-DD') AS planned_date FROM departures ORDER BY case_id`,
      )
    ).rows.map((r) => ({ caseId: r.case_id, plannedDate: dateOnly(r.planned_date) }));
    await db.$queryRaw`SELECT 1`; // the pool's first connection, before the clock starts

    // 1. Baseline: the same rows in one plain statement each, then emptied again.
    const baselineInsert = await measured(
      `Baseline: INSERT … SELECT of the ${timerRows.toLocaleString('en')} timer rows`,
      redisCpu,
      async () => {
        const { rowCount } = await sql.query(
          `INSERT INTO follow_up_timers (case_id, kind, due_at, updated_at)
           SELECT d.case_id, k.kind, ${DUE_SQL('d.planned_date')}, now() FROM departures d CROSS JOIN ${KINDS_SQL}`,
        );
        if (rowCount !== timerRows) throw new Error(`baseline inserted ${rowCount} rows`);
      },
    );
    const baselineUpdate = await measured(
      `Baseline: UPDATE of their due dates, ${SHIFT_DAYS} days later`,
      redisCpu,
      async () => {
        await sql.query(
          `UPDATE follow_up_timers SET due_at = due_at + make_interval(days => $1), updated_at = now()`,
          [SHIFT_DAYS],
        );
      },
    );
    await sql.query('TRUNCATE follow_up_timers');
    await sql.query('VACUUM ANALYZE follow_up_timers');

    // 2. Schedule: each batch's rows in its transaction (writeTimers), its jobs once committed.
    const schedule = await measured(
      `Schedule: ${timerRows.toLocaleString('en')} timers of ${CASES.toLocaleString('en')} cases, ` +
        `${BATCH} cases a transaction, ${CONCURRENCY} at once, then their jobs`,
      redisCpu,
      () =>
        inBatches(cases, async (chunk) => {
          const timers = await db.$transaction(
            (tx) =>
              writeTimers(
                tx,
                chunk.map((c) => ({
                  caseId: c.caseId,
                  plans: plansFor(c.plannedDate),
                })),
              ),
            TX_OPTIONS,
          );
          await scheduleTimers(deps, timers);
        }),
    );
    const afterSchedule = await checkRows(sql, 0);
    const delayedAfterSchedule = await queue.getDelayedCount();
    console.log(`  rows ${JSON.stringify(afterSchedule)}, delayed jobs ${delayedAfterSchedule}`);
    await sql.query('VACUUM ANALYZE follow_up_timers');

    // 3. Recompute: each batch's planned dates move and their timers with them, in one transaction.
    const recompute = await measured(
      `Recompute: every planned date ${SHIFT_DAYS} days later, the timers moved, the new jobs added`,
      redisCpu,
      () =>
        inBatches(cases, async (chunk) => {
          const timers = await db.$transaction(async (tx) => {
            const moved = await tx.$queryRaw<Array<{ case_id: string; planned_date: Date }>>`
              UPDATE departures d
              SET planned_date = d.planned_date + ${SHIFT_DAYS}::int,
                  letter_due = false, call_due = false, meter_survey_due = false, updated_at = now()
              FROM cases c
              WHERE c.id = d.case_id AND d.case_id = ANY(${chunk.map((c) => c.caseId)}::uuid[])
                AND c.status::text = ANY(${[...OPEN_CASE_STATUSES]}) AND d.departed_at IS NULL
              RETURNING d.case_id, d.planned_date`;
            return writeTimers(
              tx,
              moved.map((m) => ({
                caseId: m.case_id,
                plans: plansFor(new Date(m.planned_date)),
              })),
            );
          }, TX_OPTIONS);
          await scheduleTimers(deps, timers);
        }),
    );
    const afterRecompute = await checkRows(sql, SHIFT_DAYS);
    const delayed = await queue.getDelayedCount();
    /** The whole Redis server's memory (the other databases hold little). */
    const redisMemoryMB = Math.round(
      Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN) / 2 ** 20,
    );

    // 4. The sweep, minutes before the first timers fall due: their jobs, and only theirs.
    const { rows: firstDue } = await sql.query<{ due_at: Date }>(
      `SELECT min(due_at) AS due_at FROM follow_up_timers WHERE state = 'PENDING'`,
    );
    clockNow = new Date(firstDue[0]!.due_at.getTime() - 5 * 60_000);
    const { rows: soon } = await sql.query<{ id: string; due_at: Date }>(
      `SELECT id, due_at FROM follow_up_timers WHERE state = 'PENDING' AND due_at <= $1`,
      [new Date(clockNow.getTime() + 10 * 60_000)],
    );
    const sweep = await measured(
      `Sweep 5 minutes before the first timers fall due: their jobs added`,
      redisCpu,
      async () => {
        await sweepTimers({ db, queue, clock, logger });
      },
    );
    const delayedAfterSweep = await queue.getDelayedCount();

    // The sweep's jobs: one per timer due, its data and delay what the worker will act on.
    let jobsMissing = 0;
    const checker = createClient({ url: REDIS_URL });
    await checker.connect();
    try {
      const multi = checker.multi();
      for (const row of soon) multi.exists(JOB_KEY(timerJobId({ id: row.id, dueAt: row.due_at })));
      const found = (await multi.exec()) as unknown as number[];
      jobsMissing = found.filter((n) => n !== 1).length;
    } finally {
      await checker.close();
    }
    const sample = soon[Math.floor(soon.length / 2)]!;
    const job = await queue.getJob(timerJobId({ id: sample.id, dueAt: sample.due_at }));
    const sampleRight =
      !!job &&
      (job.data as TimerJob).timerId === sample.id &&
      (job.data as TimerJob).dueAt === sample.due_at.getTime() &&
      job.opts.delay === sample.due_at.getTime() - clockNow.getTime() &&
      (await job.isDelayed());

    const checks = {
      afterSchedule,
      /** None: every timer is days away, its job added by the sweep when it comes near. */
      delayedAfterSchedule,
      afterRecompute,
      delayedAfterRecompute: delayed,
      dueWithinTenMinutes: soon.length,
      delayedAfterSweep,
      jobsMissing,
      sampleJobRight: sampleRight,
      addFailures,
    };
    const correct =
      afterSchedule.rows === timerRows &&
      afterSchedule.right === timerRows &&
      delayedAfterSchedule === 0 &&
      afterRecompute.rows === timerRows &&
      afterRecompute.right === timerRows &&
      afterRecompute.datesWrong === 0 &&
      delayed === 0 &&
      soon.length > 0 &&
      delayedAfterSweep === soon.length &&
      jobsMissing === 0 &&
      sampleRight &&
      addFailures === 0;

    const rate = (seconds: number) => Math.round(timerRows / seconds);
    const ratio = (seconds: number) => Number((seconds / baselineInsert.seconds).toFixed(1));
    const together = schedule.seconds + recompute.seconds;
    const summary = {
      benchmark:
        'follow-up timers of open departure cases: scheduled (rows; jobs for those due within 10 minutes), then moved by a bulk date change, vs the plain SQL insert of the same rows; then the sweep adding the jobs of the first timers due',
      date: new Date().toISOString().slice(0, 10),
      machine: machine(prepared.value),
      cases: CASES,
      timerRows,
      batch: BATCH,
      concurrency: CONCURRENCY,
      shiftDays: SHIFT_DAYS,
      clock: START.toISOString(),
      plannedDates: { first: FIRST_DAY, days: SPREAD_DAYS },
      dataPreparationSeconds: Number((prepared.ms / 1000).toFixed(1)),
      baselineInsert: { ...baselineInsert, rowsPerSecond: rate(baselineInsert.seconds) },
      baselineUpdate: { ...baselineUpdate, rowsPerSecond: rate(baselineUpdate.seconds) },
      schedule: { ...schedule, rowsPerSecond: rate(schedule.seconds), ratio: ratio(schedule.seconds) },
      recompute: { ...recompute, rowsPerSecond: rate(recompute.seconds), ratio: ratio(recompute.seconds) },
      sweep: { ...sweep, jobs: soon.length },
      scheduleAndRecomputeSeconds: Number(together.toFixed(1)),
      redisMemoryMB,
      checks,
      loadAverage: { before: loadBefore, after: loadavg()[0]! },
      targets: TARGETS,
      met: { together: together < TARGETS.underSeconds },
    };
    const s = (x: number) => `${x.toFixed(1)} s`;
    const cpu = (c: typeof schedule.cpuSeconds) =>
      `CPU ${c.node} s Node, ${c.postgres} s PostgreSQL, ${c.redis} s Redis`;
    const m = summary.machine;
    return {
      name: 'timers',
      result: { summary, rows: [] },
      report: [
        `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; ` +
          `load average ${loadBefore.toFixed(2)} before, ${summary.loadAverage.after.toFixed(2)} after`,
        `${CASES.toLocaleString('en')} open departure cases, ${timerRows.toLocaleString('en')} timers; ` +
          `${BATCH} cases a transaction, ${CONCURRENCY} transactions at once; data prepared in ${s(prepared.ms / 1000)}`,
        `baseline INSERT … SELECT ${s(baselineInsert.seconds)} (${rate(baselineInsert.seconds)} rows/s); ` +
          `plain UPDATE ${s(baselineUpdate.seconds)} (${rate(baselineUpdate.seconds)} rows/s)`,
        `schedule ${s(schedule.seconds)} (${rate(schedule.seconds)} rows/s, ${ratio(schedule.seconds)} × the insert; ${cpu(schedule.cpuSeconds)})`,
        `recompute ${s(recompute.seconds)} (${rate(recompute.seconds)} rows/s, ${ratio(recompute.seconds)} × the insert; ${cpu(recompute.cpuSeconds)})`,
        `sweep before the first timers fall due: ${soon.length} jobs in ${s(sweep.seconds)} (${cpu(sweep.cpuSeconds)})`,
        `checks: ${JSON.stringify(checks)} -> ${correct ? 'right' : 'WRONG'}; Redis memory ${redisMemoryMB} MB`,
        `target schedule + recompute < ${TARGETS.underSeconds} s: ${s(together)}, ${verdict(summary.met.together)}`,
      ],
      passed: correct,
    };
  } finally {
    await queue.close();
    // The sweep's jobs: emptied once checked, unless BENCH_KEEP=1.
    if (!KEEP) await redis.flushDb().catch(() => undefined);
    redis.destroy();
    await db.$disconnect();
    await sql.end();
  }
}

// `npx tsx bench/timers.bench.ts`: this benchmark alone.
await runIfMain(import.meta.url, runTimersBench);
