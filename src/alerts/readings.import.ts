import { emptyCounts, type Issues } from '../imports/import-report.js';
import type { Importer, ImportPlan, Tx } from '../imports/importer.js';
import { RowReader } from '../imports/row-reader.js';
import { dayIn } from './day-numbers.js';
import { parseReadingRow, READING_COLUMNS, type ReadingLine } from './readings.rows.js';
import { type DayOutcome, type DayReading, deriveMeterDays, type FileReading } from './readings.rules.js';

// Daily meter readings (DOMAIN.md section 5): a file per day for every smart meter, so a million
// lines. Lines are independent: one with an error is skipped, the others applied. The database is
// read and written in bulk, arrays as parameters, never a query per line: one statement maps the
// serials to meters, one reads what is stored around the file's days, then upserts of 20,000 rows
// (INSERT ... SELECT FROM unnest ... ON CONFLICT). On 1,000,000 lines most of the time is
// PostgreSQL inserting into the readings' primary key and checking the meters' foreign key.

const CHUNK = 20_000;

interface MeterLines {
  serial: string;
  lines: ReadingLine[];
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Serial → meter id. One statement: for a file of every meter PostgreSQL hashes the serials and
 * reads the meters once; for a few, it looks them up by the unique index.
 */
async function meterIds(tx: Tx, serials: string[]): Promise<Map<string, string>> {
  const rows = await tx.$queryRaw<Array<{ serial: string; id: string }>>`
    SELECT serial, id::text AS id FROM meters WHERE serial = ANY(${serials}::text[])`;
  return new Map(rows.map((row) => [row.serial, row.id]));
}

const storedDay = (row: { day: number; idx: string | null; vol: number | null }): DayReading => ({
  day: row.day,
  index: row.idx === null ? null : Number(row.idx),
  volume: row.vol,
});

/**
 * For each meter: its stored days from the day before the file's first to the day after its last
 * (one statement over the file's days, as for serials), and, when the day before is not stored
 * (a gap, a new meter), its latest day before it, looked up on the primary key (meter_id, day).
 */
async function storedAround(
  tx: Tx,
  meters: Array<{ id: string; first: number; last: number }>,
): Promise<Map<string, DayReading[]>> {
  const stored = new Map<string, DayReading[]>();
  if (meters.length === 0) return stored;
  const span = new Map(meters.map((m) => [m.id, m]));
  const from = meters.reduce((day, m) => Math.min(day, m.first), Number.POSITIVE_INFINITY) - 1;
  const to = meters.reduce((day, m) => Math.max(day, m.last), Number.NEGATIVE_INFINITY) + 1;
  const around = await tx.$queryRaw<
    Array<{ meter: string; day: number; idx: string | null; vol: number | null }>
  >`
    SELECT meter_id::text AS meter, (day - DATE '1970-01-01') AS day, index_litres::text AS idx, volume_litres AS vol
    FROM meter_readings
    WHERE day BETWEEN DATE '1970-01-01' + ${from}::int AND DATE '1970-01-01' + ${to}::int
      AND meter_id = ANY(${meters.map((m) => m.id)}::uuid[])`;
  for (const row of around) {
    const meter = span.get(row.meter)!;
    if (row.day < meter.first - 1 || row.day > meter.last + 1) continue;
    const list = stored.get(row.meter) ?? [];
    list.push(storedDay(row));
    stored.set(row.meter, list);
  }
  const withoutDayBefore = meters.filter((m) => !stored.get(m.id)?.some((r) => r.day === m.first - 1));
  for (const chunk of chunks(withoutDayBefore)) {
    const earlier = await tx.$queryRaw<
      Array<{ meter: string; day: number; idx: string | null; vol: number | null }>
    >`
      SELECT f.meter_id::text AS meter, (p.day - DATE '1970-01-01') AS day, p.index_litres::text AS idx,
             p.volume_litres AS vol
      FROM unnest(${chunk.map((m) => m.id)}::uuid[], ${chunk.map((m) => m.first)}::int[]) AS f(meter_id, first_day)
      CROSS JOIN LATERAL (
        SELECT day, index_litres, volume_litres FROM meter_readings
        WHERE meter_id = f.meter_id AND day < DATE '1970-01-01' + f.first_day
        ORDER BY day DESC LIMIT 1
      ) p`;
    for (const row of earlier) {
      const list = stored.get(row.meter) ?? [];
      list.push(storedDay(row));
      stored.set(row.meter, list);
    }
  }
  for (const list of stored.values()) list.sort((a, b) => a.day - b.day);
  return stored;
}

async function upsert(tx: Tx, writes: Array<DayOutcome & { meterId: string }>): Promise<void> {
  // In key order: the primary key's pages and the foreign key's lookups are then visited in turn.
  writes.sort((a, b) => (a.meterId < b.meterId ? -1 : a.meterId > b.meterId ? 1 : a.day - b.day));
  for (const chunk of chunks(writes)) {
    await tx.$executeRaw`
      INSERT INTO meter_readings (meter_id, day, index_litres, volume_litres)
      SELECT w.meter_id, DATE '1970-01-01' + w.day, w.index_litres, w.volume_litres
      FROM unnest(${chunk.map((w) => w.meterId)}::uuid[], ${chunk.map((w) => w.day)}::int[],
                  ${chunk.map((w) => (w.index === null ? null : String(w.index)))}::bigint[],
                  ${chunk.map((w) => w.volume)}::int[]) AS w(meter_id, day, index_litres, volume_litres)
      ON CONFLICT (meter_id, day) DO UPDATE
        SET index_litres = EXCLUDED.index_litres, volume_litres = EXCLUDED.volume_litres`;
  }
}

export const readingsImporter: Importer = {
  kind: 'readings',
  columns: READING_COLUMNS,
  wholeFile: false,

  async plan(tx, rows, { issues, now, zone, readingsMaxDailyLitres }): Promise<ImportPlan> {
    const readings = emptyCounts();
    if (rows.length > 0 && !rows[0]!.cells.has('index_m3') && !rows[0]!.cells.has('volume_m3')) {
      issues.error(1, null, 'the file needs an index_m3 or a volume_m3 column (or both)');
      return { entities: { readings }, applicable: 0, apply: async () => ({ phones: [] }) };
    }

    // These statements read a day or three of a big table: compiling them (JIT) costs more than it saves.
    await tx.$executeRawUnsafe('SET LOCAL jit = off');
    const limits = { maxDailyLitres: readingsMaxDailyLitres, today: dayIn(zone, now) };
    const bySerial = new Map<string, MeterLines>();
    for (const row of rows) {
      const line = parseReadingRow(new RowReader(row, issues), limits);
      if (!line) continue;
      const meter = bySerial.get(line.serial) ?? { serial: line.serial, lines: [] };
      meter.lines.push(line);
      bySerial.set(line.serial, meter);
    }

    const ids = await meterIds(tx, [...bySerial.keys()]);
    const known: Array<{ id: string; serial: string; file: FileReading[] }> = [];
    for (const { serial, lines } of bySerial.values()) {
      const id = ids.get(serial);
      if (!id) {
        for (const l of lines)
          issues.error(l.line, 'meter_serial', `unknown meter "${serial}" (not among the meters on file)`);
        continue;
      }
      const file = oneReadingPerDay(lines, issues);
      if (file.length > 0) known.push({ id, serial, file });
    }

    const stored = await storedAround(
      tx,
      known.map((m) => ({ id: m.id, first: m.file[0]!.day, last: m.file.at(-1)!.day })),
    );
    const writes: Array<DayOutcome & { meterId: string }> = [];
    let applicable = 0;
    for (const meter of known) {
      const outcome = deriveMeterDays(
        meter.serial,
        stored.get(meter.id) ?? [],
        meter.file,
        readingsMaxDailyLitres,
      );
      for (const e of outcome.errors) issues.error(e.line, e.field, e.message);
      for (const w of outcome.warnings) issues.warn(w.line, w.field, w.message);
      for (const day of outcome.days) {
        readings[day.change]++;
        if (day.change !== 'unchanged') writes.push({ ...day, meterId: meter.id });
      }
      applicable += outcome.days.length;
    }

    return {
      entities: { readings },
      applicable,
      async apply(tx) {
        await upsert(tx, writes);
        return { phones: [] };
      },
    };
  },
};

/**
 * The file's readings of one meter sorted by day, one per day. A day given again with the same
 * values is a warning (the repeat is ignored); with other values, an error on each of its lines,
 * since which one is right cannot be told: none is applied.
 */
function oneReadingPerDay(lines: ReadingLine[], issues: Issues): FileReading[] {
  const sorted = lines.length === 1 ? lines : [...lines].sort((a, b) => a.day - b.day || a.line - b.line);
  const out: FileReading[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.day === sorted[i]!.day) j++;
    const [first, ...repeats] = sorted.slice(i, j) as [ReadingLine, ...ReadingLine[]];
    if (repeats.some((r) => r.index !== first.index || r.volume !== first.volume)) {
      const group = [first, ...repeats];
      for (const r of group) {
        const others = group.filter((o) => o !== r).map((o) => o.line);
        issues.error(
          r.line,
          null,
          `meter ${r.serial} on this day is also on line ${others.join(', ')} with other values: none of them is applied`,
        );
      }
    } else {
      for (const r of repeats) issues.warn(r.line, null, `the same reading as line ${first.line}, ignored`);
      out.push({ line: first.line, day: first.day, index: first.index, volume: first.volume });
    }
    i = j;
  }
  return out;
}
