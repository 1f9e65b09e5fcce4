import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import type { EventBus } from '../realtime/event-bus.js';
import { dayIn, isoDay, parseIsoDay } from './day-numbers.js';

// Over-consumption detection (DOMAIN.md section 5), in SQL. A residential customer with alerts
// on is alerted when their meter's daily volume is above the threshold of its diameter (or the
// customer's own threshold) for the diameter's number of consecutive days; a day missing or at
// or below the threshold ends the run. One alert per episode, keyed by its first day: a leak that
// goes on is not alerted again every day, one that stops and starts again is a new episode.
//
// Cost: one pass over the lookback's readings, keeping only the days above the lowest threshold
// (see prefilter) before anything is joined or sorted, so that only those few days are grouped
// into runs (consecutive days share day - row_number()). The readings table has no index on day:
// with more history than the lookback, the pass reads it all (bench/README.md, alerts detection).

export interface DetectionDeps {
  db: Db;
  events: EventBus;
  clock: Clock;
  /** TZ_DEFAULT: which day "today" is. */
  zone: string;
  /** ALERT_LOOKBACK_DAYS. */
  lookbackDays: number;
  logger?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface DetectionOptions {
  /**
   * The detection day, YYYY-MM-DD (today in TZ_DEFAULT by default): a run counts when it ends on
   * that day, or on the meter's latest day read before it (a meter whose file is late).
   */
  day?: string;
  /** Told the alerts just created, once (the notification module sends them). */
  onDetected?: (alertIds: string[]) => Promise<void>;
}

/** A run of days above the threshold, long enough, ending on the meter's latest day read. */
interface Run {
  meter: string;
  supplyPoint: string;
  customer: string;
  threshold: number;
  consecutiveDays: number;
  start: number;
  volumes: Array<{ day: string; litres: number }>;
}

interface Created {
  id: string;
  meter: string;
  supply_point: string;
  customer: string;
  agency: string | null;
  episode_start: string;
  by_letter: boolean;
}

// A leak longer than the lookback is traced back this far to find the day it began, so that
// its episode keeps the same first day (and alert) as when it was detected.
const TRACE_BACK_DAYS = 366;
const PUBLISH_BATCH = 500;

export class DetectionDayError extends Error {
  override name = 'DetectionDayError';
}

/** The detection day as a day number: the given YYYY-MM-DD, or today in the zone. */
export function detectionDay(deps: Pick<DetectionDeps, 'clock' | 'zone'>, day?: string): number {
  if (day === undefined) return dayIn(deps.zone, deps.clock.now());
  const n = parseIsoDay(day);
  if (n === null) throw new DetectionDayError(`"${day}" is not a day (YYYY-MM-DD)`);
  return n;
}

/** Creates the alerts of new episodes; returns their ids (none when every episode is known). */
export async function detectAlerts(deps: DetectionDeps, options: DetectionOptions = {}): Promise<string[]> {
  const started = performance.now();
  // Where the time goes, for the log: the pass over the readings is the part that grows.
  const ms: Record<string, number> = {};
  const lap = (what: string, since: number) => {
    ms[what] = Math.round(performance.now() - since);
    return performance.now();
  };
  const counts = { days: 0, meters: 0, runs: 0 };
  const day = detectionDay(deps, options.day);
  const windowStart = day - deps.lookbackDays + 1;

  const created = await deps.db.$transaction(
    async (tx) => {
      // The runs are grouped in memory, not on disk.
      await tx.$executeRawUnsafe(`SET LOCAL work_mem = '64MB'`);
      let at = performance.now();
      const filter = await prefilter(tx);
      at = lap('prefilter', at);
      if (!filter) return [];
      // The pass: the only statement that reads the whole lookback, in parallel, into a temporary
      // table whose statistics then tell the planner how few days and meters it kept, so that the
      // joins below are planned for those, not for the millions of rows read.
      counts.days = await tx.$executeRaw`
        CREATE TEMP TABLE alert_days ON COMMIT DROP AS
        SELECT meter_id, day, volume_litres FROM meter_readings
        WHERE day BETWEEN DATE '1970-01-01' + ${windowStart}::int AND DATE '1970-01-01' + ${day}::int
          AND (volume_litres > ${filter.lowest}::int
               OR (volume_litres > ${filter.lowestOwn}::int AND meter_id = ANY(${filter.ownMeters}::uuid[])))`;
      await tx.$executeRawUnsafe('ANALYZE alert_days');
      at = lap('pass', at);
      // JIT pays on the pass (35 million rows) but costs seconds of compiling on the joins and
      // window functions below, which see a few thousand rows (measured: bench/README.md).
      await tx.$executeRawUnsafe('SET LOCAL jit = off');
      counts.meters = await tx.$executeRawUnsafe(`
        CREATE TEMP TABLE alert_meters ON COMMIT DROP AS
        SELECT m.id AS meter_id, m.supply_point_id, sp.customer_id,
               coalesce(c.alert_threshold_litres, t.threshold_litres) AS threshold, t.consecutive_days
        FROM (SELECT DISTINCT meter_id FROM alert_days) d
        JOIN meters m ON m.id = d.meter_id
        JOIN alert_thresholds t ON t.diameter_mm = m.diameter_mm
        JOIN supply_points sp ON sp.id = m.supply_point_id
        JOIN customers c ON c.id = sp.customer_id
        WHERE c.class = 'RESIDENTIAL' AND c.alerts_active`);
      await tx.$executeRawUnsafe('ANALYZE alert_meters');
      at = lap('meters', at);
      const runs = await tx.$queryRaw<Array<Run & { last: number }>>`
        WITH over AS (
          SELECT d.meter_id, d.day, d.volume_litres, w.supply_point_id, w.customer_id, w.threshold,
                 w.consecutive_days
          FROM alert_days d JOIN alert_meters w USING (meter_id)
          WHERE d.volume_litres > w.threshold
        ), runs AS (
          SELECT meter_id, supply_point_id, customer_id, threshold, consecutive_days,
                 min(day) AS start, max(day) AS last, count(*) AS days,
                 json_agg(json_build_object('day', day, 'litres', volume_litres) ORDER BY day) AS volumes
          FROM (SELECT o.*, o.day - row_number() OVER (PARTITION BY o.meter_id ORDER BY o.day)::int AS run
                FROM over o) numbered
          GROUP BY meter_id, supply_point_id, customer_id, threshold, consecutive_days, run
          HAVING count(*) >= consecutive_days
        )
        SELECT meter_id::text AS meter, supply_point_id::text AS "supplyPoint", customer_id::text AS customer,
               threshold, consecutive_days::int AS "consecutiveDays", (start - DATE '1970-01-01') AS start,
               (last - DATE '1970-01-01') AS last, volumes
        FROM runs
        WHERE NOT EXISTS (SELECT 1 FROM meter_readings later
                          WHERE later.meter_id = runs.meter_id AND later.day > runs.last
                            AND later.day <= DATE '1970-01-01' + ${day}::int)`;
      at = lap('runs', at);
      counts.runs = runs.length;
      if (runs.length === 0) return [];
      await traceBack(tx, runs, windowStart);
      at = lap('traceBack', at);

      const rows = JSON.stringify(
        runs.map((r) => ({
          meter_id: r.meter,
          supply_point_id: r.supplyPoint,
          customer_id: r.customer,
          start: r.start,
          threshold: r.threshold,
          consecutive_days: r.consecutiveDays,
          volumes: r.volumes,
        })),
      );
      // Letter: neither a mobile that works nor an e-mail that works (DOMAIN.md section 5).
      const inserted = await tx.$queryRaw<Created[]>`
        INSERT INTO consumption_alerts (meter_id, supply_point_id, customer_id, episode_start, detected_on,
          threshold_litres, consecutive_days, volumes, reply_code, by_letter, updated_at)
        SELECT a.meter_id, a.supply_point_id, a.customer_id, DATE '1970-01-01' + a.start,
               DATE '1970-01-01' + ${day}::int, a.threshold, a.consecutive_days, a.volumes,
               (1000 + floor(random() * 9000))::int::text,
               NOT EXISTS (SELECT 1 FROM customer_phones p
                           WHERE p.customer_id = c.id AND p.kind = 'MOBILE' AND NOT p.failing)
                 AND (coalesce(c.email, '') = '' OR c.email_failing),
               ${deps.clock.now()}
        FROM jsonb_to_recordset(${rows}::jsonb) AS a(meter_id uuid, supply_point_id uuid, customer_id uuid,
               start int, threshold int, consecutive_days int, volumes jsonb)
        JOIN customers c ON c.id = a.customer_id
        ON CONFLICT (meter_id, episode_start) DO NOTHING
        RETURNING id::text, meter_id::text AS meter, supply_point_id::text AS supply_point,
          customer_id::text AS customer, episode_start::text, by_letter,
          (SELECT k.agency_id::text FROM contracts k WHERE k.customer_id = consumption_alerts.customer_id
           ORDER BY k.supply_point_id = consumption_alerts.supply_point_id DESC NULLS LAST, k.created_at DESC
           LIMIT 1) AS agency`;
      lap('insert', at);
      return inserted;
    },
    { timeout: 10 * 60_000, maxWait: 30_000 },
  );

  const ids = created.map((a) => a.id);
  deps.logger?.info(
    {
      day: isoDay(day),
      ...counts,
      created: ids.length,
      ms: { ...ms, total: Math.round(performance.now() - started) },
    },
    'consumption alerts detected',
  );
  if (ids.length === 0) return ids;
  await publishDetected(deps, created, isoDay(day));
  await (options.onDetected ?? noHook)(ids);
  return ids;
}

const noHook = async () => undefined;

/**
 * What the pass keeps before any join: days above the lowest threshold of the table, or, for the
 * few meters whose customer asked for a lower threshold, above the lowest of those. A single low
 * customer threshold would otherwise let most of the table through to the joins and the sort.
 */
async function prefilter(
  tx: Pick<Db, '$queryRaw'>,
): Promise<{ lowest: number; lowestOwn: number; ownMeters: string[] } | null> {
  const [table] = await tx.$queryRaw<Array<{ lowest: number | null }>>`
    SELECT min(threshold_litres) AS lowest FROM alert_thresholds`;
  if (table?.lowest == null) return null;
  const own = await tx.$queryRaw<Array<{ meter: string; threshold: number }>>`
    SELECT m.id::text AS meter, c.alert_threshold_litres AS threshold
    FROM customers c
    JOIN supply_points sp ON sp.customer_id = c.id
    JOIN meters m ON m.supply_point_id = sp.id
    WHERE c.alert_threshold_litres < ${table.lowest}::int AND c.alerts_active AND c.class = 'RESIDENTIAL'`;
  return {
    lowest: table.lowest,
    lowestOwn: own.reduce((low, o) => Math.min(low, o.threshold), table.lowest),
    ownMeters: own.map((o) => o.meter),
  };
}

/**
 * Runs that begin on the lookback's first day may have begun before it: walk back over the
 * meter's earlier days above its threshold to the day the episode really began.
 */
async function traceBack(
  tx: Pick<Db, '$queryRaw'>,
  runs: Array<Run & { last: number }>,
  windowStart: number,
): Promise<void> {
  const cut = runs.filter((r) => r.start === windowStart);
  if (cut.length === 0) return;
  const earlier = await tx.$queryRaw<Array<{ meter: string; day: number }>>`
    SELECT r.meter_id::text AS meter, (r.day - DATE '1970-01-01') AS day
    FROM unnest(${cut.map((r) => r.meter)}::uuid[], ${cut.map((r) => r.threshold)}::int[]) AS t(meter_id, threshold)
    JOIN meter_readings r ON r.meter_id = t.meter_id
    WHERE r.day >= DATE '1970-01-01' + ${windowStart - TRACE_BACK_DAYS}::int
      AND r.day < DATE '1970-01-01' + ${windowStart}::int AND r.volume_litres > t.threshold
    ORDER BY r.meter_id, r.day DESC`;
  const daysOf = new Map<string, number[]>();
  for (const e of earlier) daysOf.set(e.meter, [...(daysOf.get(e.meter) ?? []), e.day]);
  for (const run of cut)
    for (const day of daysOf.get(run.meter) ?? []) {
      if (day !== run.start - 1) break;
      run.start = day;
    }
}

async function publishDetected(deps: DetectionDeps, created: Created[], detectedOn: string): Promise<void> {
  try {
    for (let i = 0; i < created.length; i += PUBLISH_BATCH)
      await Promise.all(
        created.slice(i, i + PUBLISH_BATCH).map((a) =>
          deps.events.publish({
            type: 'alert.detected',
            agencyId: a.agency,
            data: {
              alertId: a.id,
              meterId: a.meter,
              supplyPointId: a.supply_point,
              customerId: a.customer,
              agencyId: a.agency,
              episodeStart: a.episode_start,
              detectedOn,
              byLetter: a.by_letter,
            },
          }),
        ),
      );
  } catch (err) {
    // The alerts are stored (agents see them on the supply point); only the live ping is lost.
    deps.logger?.error({ err }, 'alert.detected events not all published');
  }
}
