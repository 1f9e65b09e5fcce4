import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../prisma/seed.js';
import type { ImportReport } from '../../src/imports/import-report.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';

// The readings import through the real endpoint, on the demo database (meters M9000000 to
// M9000299, no readings yet), against PostgreSQL.

// Monday 23 November 2026: the sample's readings (16 to 22 November) are yesterday's and before.
const MONDAY = at('2026-11-23T11:00');
let h: Harness;
let importer: string; // API token, role IMPORT

function post(body: string, query?: string) {
  return h.app.inject({
    method: 'POST',
    url: `/api/imports/readings${query ? `?${query}` : ''}`,
    headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${importer}` },
    payload: body,
  });
}

async function imported(body: string, query?: string): Promise<ImportReport> {
  const response = await post(body, query);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as ImportReport;
}

const csv = (...lines: string[]) => ['meter_serial;day;index_m3;volume_m3', ...lines].join('\n');

/** Stored days of a meter: "2026-11-20" → [index, volume] in litres. */
async function daysOf(serial: string): Promise<Record<string, [number | null, number | null]>> {
  const rows = await h.services.db.meterReading.findMany({
    where: { meter: { serial } },
    orderBy: { day: 'asc' },
  });
  return Object.fromEntries(
    rows.map((r) => [
      r.day.toISOString().slice(0, 10),
      [r.indexLitres === null ? null : Number(r.indexLitres), r.volumeLitres],
    ]),
  );
}

const messages = (issues: ImportReport['errors']) =>
  issues.map((i) => `line ${i.line}, ${i.field}: ${i.message}`);

beforeAll(async () => {
  h = await startHarness({ clock: runningFrom(MONDAY) });
  await seedDemo(h.services.db, MONDAY);
  importer = await h.apiToken('IMPORT', 'meter-data');
});

afterAll(async () => {
  await h.close();
});

describe('the sample on the demo data', () => {
  it('[AL-1] imports every line, deriving the volumes of index-only meters, and records the import', async () => {
    const sample = await readFile(new URL('../../samples/readings.csv', import.meta.url), 'utf8');
    const report = await imported(sample);
    expect(report).toMatchObject({ applied: true, errors: [], warnings: [], lines: 42 });
    expect(report.entities).toEqual({
      readings: { created: 42, updated: 0, unchanged: 0, removed: 0, uncovered: 0 },
    });
    const leak = await daysOf('M9000001');
    expect(leak['2026-11-16']).toEqual([1_234_779, null]); // its first reading: nothing to compare with
    expect(leak['2026-11-17']).toEqual([1_234_977, 198]);
    expect(leak['2026-11-22']).toEqual([1_239_930, 1496]);
    expect((await daysOf('M9000012'))['2026-11-20']).toEqual([null, 0]);
    const audit = await h.services.db.auditLog.findFirstOrThrow({ where: { action: 'import.readings' } });
    expect(audit).toMatchObject({ actorType: 'API_TOKEN', data: { created: 42, lines: 42, source: 'http' } });
  });

  it('changes nothing when the same file comes again', async () => {
    const sample = await readFile(new URL('../../samples/readings.csv', import.meta.url), 'utf8');
    const report = await imported(sample);
    expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 42, errors: [], warnings: [] });
  });
});

describe('index-only files', () => {
  it('derive each day from the day before, also from the day already stored', async () => {
    await imported(csv('M9000020;2026-11-18;500,000;', 'M9000020;2026-11-19;500,310;'));
    const report = await imported(csv('M9000020;2026-11-20;500,620;', 'M9000020;21/11/2026;500,9;'));
    expect(report).toMatchObject({ created: 2, errors: [], warnings: [] });
    expect(await daysOf('M9000020')).toEqual({
      '2026-11-18': [500_000, null],
      '2026-11-19': [500_310, 310],
      '2026-11-20': [500_620, 310],
      '2026-11-21': [500_900, 280],
    });
  });

  it('warn of missing days and of an index going down, and leave those days without volume', async () => {
    const report = await imported(
      csv(
        'M9000021;2026-11-15;80,000;',
        'M9000021;2026-11-16;80,200;',
        'M9000021;2026-11-19;80,900;',
        'M9000021;2026-11-20;12,000;',
        'M9000021;2026-11-21;12,250;',
      ),
    );
    expect(report.errors).toEqual([]);
    expect(messages(report.warnings)).toEqual([
      'line 4, day: no reading of meter M9000021 from 2026-11-17 to 2026-11-18 (2 days): the volume of 2026-11-19 is not derived',
      'line 5, index_m3: the index of meter M9000021 went down from 80,9 m³ (2026-11-19) to 12 m³ (meter replaced or reset?): the volume of 2026-11-20 is not derived',
    ]);
    expect(await daysOf('M9000021')).toEqual({
      '2026-11-15': [80_000, null],
      '2026-11-16': [80_000 + 200, 200],
      '2026-11-19': [80_900, null],
      '2026-11-20': [12_000, null],
      '2026-11-21': [12_250, 250],
    });
  });

  it('fill in the volume of the day after once a late day arrives', async () => {
    await imported(csv('M9000022;2026-11-18;7,000;', 'M9000022;2026-11-20;7,900;'));
    const report = await imported(csv('M9000022;2026-11-19;7,400;'));
    expect(report).toMatchObject({ created: 1, updated: 1, errors: [] });
    expect(await daysOf('M9000022')).toEqual({
      '2026-11-18': [7000, null],
      '2026-11-19': [7400, 400],
      '2026-11-20': [7900, 500],
    });
  });
});

describe('bad lines', () => {
  it('are reported by line and field and skipped; the other lines are applied', async () => {
    const report = await imported(
      csv(
        'M9000030;2026-11-20;;0,350',
        'M0000000;2026-11-20;;0,350',
        'M9000031;2026-11-20;;-0,2',
        'M9000031;2026-11-21;;250',
        'M9000032;2026-11-20;;beaucoup',
        'M9000032;2026-11-31;;0,2',
        'M9000032;2099-01-01;;0,2',
        'M9000033;2026-11-20;;',
      ),
    );
    expect(messages(report.errors)).toEqual([
      'line 3, meter_serial: unknown meter "M0000000" (not among the meters on file)',
      'line 4, volume_m3: "-0,2": a daily volume is never negative',
      'line 5, volume_m3: 250 m³ in a day is more than the 100 m³ allowed (READINGS_MAX_DAILY_LITRES): a unit or typing error?',
      'line 6, volume_m3: "beaucoup" is not a number of m³ (e.g. 1234,567 or 0.85)',
      'line 7, day: "2026-11-31" is not a date of the calendar',
      'line 8, day: 2099-01-01 is in the future: it cannot have been read yet',
      'line 9, null: neither an index nor a volume',
    ]);
    expect(report).toMatchObject({ applied: true, refused: false, created: 1 });
    expect(await daysOf('M9000030')).toEqual({ '2026-11-20': [null, 350] });
    expect(await daysOf('M9000031')).toEqual({});
  });

  it('a day given twice: the same values are a warning, other values an error on both lines', async () => {
    const report = await imported(
      csv(
        'M9000034;2026-11-20;;0,300',
        'M9000035;2026-11-20;;0,300',
        'M9000034;2026-11-20;;0,300',
        'M9000035;2026-11-20;;0,900',
      ),
    );
    expect(messages(report.warnings)).toEqual(['line 4, null: the same reading as line 2, ignored']);
    expect(messages(report.errors)).toEqual([
      'line 3, null: meter M9000035 on this day is also on line 5 with other values: none of them is applied',
      'line 5, null: meter M9000035 on this day is also on line 3 with other values: none of them is applied',
    ]);
    expect(await daysOf('M9000034')).toEqual({ '2026-11-20': [null, 300] });
    expect(await daysOf('M9000035')).toEqual({});
  });

  it('a file without an index or volume column is refused', async () => {
    const response = await post('compteur;date\nM9000036;2026-11-20');
    expect(response.statusCode).toBe(422);
    expect(messages((response.json() as ImportReport).errors)).toEqual([
      'line 1, null: the file needs an index_m3 or a volume_m3 column (or both)',
    ]);
  });
});

describe('dry run and command line', () => {
  it('a dry run counts and writes nothing', async () => {
    const report = await imported(
      csv('M9000040;2026-11-20;;0,300', 'M9000040;2026-11-21;;0,320'),
      'dryRun=true',
    );
    expect(report).toMatchObject({ dryRun: true, applied: false, created: 2 });
    expect(await daysOf('M9000040')).toEqual({});
  });

  it('the CLI imports readings with the same report', async () => {
    const { stdout } = await promisify(execFile)(
      new URL('../../node_modules/.bin/tsx', import.meta.url).pathname,
      ['scripts/import.ts', 'readings', 'samples/readings.csv', '--dry-run'],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        env: {
          ...process.env,
          DATABASE_URL: h.settings.databaseUrl,
          REDIS_URL: h.settings.redisUrl,
          CLOCK_START: MONDAY.toISOString(),
        },
      },
    );
    expect(stdout).toContain('readings import of samples/readings.csv');
    expect(stdout).toContain('readings: 0 created, 0 updated, 42 unchanged (would be)');
  });
});
