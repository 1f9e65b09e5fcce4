import { describe, expect, it } from 'vitest';
import { dayNumber, isoDay, parseIsoDay } from '../../src/alerts/day-numbers.js';
import { parseCubicMetres, parseReadingDay, parseReadingRow } from '../../src/alerts/readings.rows.js';
import { type DayReading, deriveMeterDays, type FileReading } from '../../src/alerts/readings.rules.js';
import type { CsvRow } from '../../src/imports/csv-reader.js';
import { Issues } from '../../src/imports/import-report.js';
import { RowReader } from '../../src/imports/row-reader.js';

const value = <T>(parsed: { value: T } | { error: string }) => ('value' in parsed ? parsed.value : parsed);
const NOV = (day: number) => dayNumber(2026, 11, day);
const MAX = 100_000;

describe('cells of a readings file', () => {
  it('reads m³ with a decimal comma or point and spaces between thousands, as whole litres', () => {
    expect(value(parseCubicMetres('1234,567'))).toBe(1_234_567);
    expect(value(parseCubicMetres('1 234.5'))).toBe(1_234_500);
    expect(value(parseCubicMetres('1\u202f234,5'))).toBe(1_234_500);
    expect(value(parseCubicMetres('0,85'))).toBe(850);
    expect(value(parseCubicMetres('12'))).toBe(12_000);
    // Beyond the litre: rounded to the litre, without floating-point drift.
    expect(value(parseCubicMetres('0,2855'))).toBe(286);
    expect(value(parseCubicMetres('0.2854'))).toBe(285);
    expect(value(parseCubicMetres('-1,5'))).toBe(-1500);
  });

  it('refuses what is not one number rather than guessing', () => {
    for (const bad of ['1,234.5', '1.234,5', 'abc', '12 m3', '', '1e3'])
      expect(parseCubicMetres(bad)).toEqual({
        error: `"${bad}" is not a number of m³ (e.g. 1234,567 or 0.85)`,
      });
  });

  it('reads ISO and French dates, refuses impossible ones and a time of day', () => {
    expect(value(parseReadingDay('2026-11-23'))).toBe(NOV(23));
    expect(value(parseReadingDay('23/11/2026'))).toBe(NOV(23));
    expect(value(parseReadingDay('3.11.2026'))).toBe(NOV(3));
    expect(parseReadingDay('31/11/2026')).toEqual({ error: '"31/11/2026" is not a date of the calendar' });
    expect(parseReadingDay('2026-11-23 00:00')).toEqual({
      error: '"2026-11-23 00:00" has a time of day: give the day the reading covers (YYYY-MM-DD)',
    });
    expect(parseReadingDay('11/2026')).toEqual({
      error: '"11/2026" is not a date (YYYY-MM-DD or DD/MM/YYYY)',
    });
  });

  it('counts days as whole numbers and back', () => {
    expect(isoDay(NOV(23))).toBe('2026-11-23');
    expect(NOV(23) - NOV(22)).toBe(1);
    expect(dayNumber(2027, 1, 1) - NOV(30)).toBe(32);
    expect(parseIsoDay('2026-02-29')).toBeNull();
  });
});

describe('a line of a readings file', () => {
  const read = (cells: Record<string, string>) => {
    const issues = new Issues();
    const row: CsvRow = { line: 2, cells: new Map(Object.entries(cells)) };
    const line = parseReadingRow(new RowReader(row, issues), { maxDailyLitres: MAX, today: NOV(23) });
    return { line, errors: issues.errors.map((e) => `${e.field}: ${e.message}`) };
  };

  it('gives the meter, the day, and index and volume in litres (a column absent or empty: not given)', () => {
    expect(read({ meter_serial: 'M9000001', day: '2026-11-22', index_m3: '1234,567' }).line).toEqual({
      line: 2,
      serial: 'M9000001',
      day: NOV(22),
      index: 1_234_567,
      volume: null,
    });
    expect(
      read({ meter_serial: 'M1', day: '22/11/2026', index_m3: '', volume_m3: '0,4' }).line,
    ).toMatchObject({
      index: null,
      volume: 400,
    });
  });

  it('refuses a negative or absurd volume, a negative index, a day not yet read, and a line with no value', () => {
    expect(read({ meter_serial: 'M1', day: '2026-11-22', volume_m3: '-0,2' }).errors).toEqual([
      'volume_m3: "-0,2": a daily volume is never negative',
    ]);
    expect(read({ meter_serial: 'M1', day: '2026-11-22', volume_m3: '150' }).errors).toEqual([
      'volume_m3: 150 m³ in a day is more than the 100 m³ allowed (READINGS_MAX_DAILY_LITRES): a unit or typing error?',
    ]);
    expect(read({ meter_serial: 'M1', day: '2026-11-22', index_m3: '-3' }).errors).toEqual([
      'index_m3: "-3": an index is never negative',
    ]);
    expect(read({ meter_serial: 'M1', day: '2026-11-24', volume_m3: '1' }).errors).toEqual([
      'day: 2026-11-24 is in the future: it cannot have been read yet',
    ]);
    expect(read({ meter_serial: 'M1', day: '2026-11-22', index_m3: '', volume_m3: '' }).errors).toEqual([
      'null: neither an index nor a volume',
    ]);
    expect(read({ meter_serial: 'M1', day: '2026-11-22', volume_m3: '100' }).errors).toEqual([]);
  });
});

describe('volumes derived from indexes', () => {
  const file = (...days: Array<[day: number, index: number | null, volume?: number | null]>): FileReading[] =>
    days.map(([day, index, volume = null], k) => ({ line: k + 2, day: NOV(day), index, volume }));
  const derive = (stored: DayReading[], readings: FileReading[]) =>
    deriveMeterDays('M1', stored, readings, MAX);
  const volumes = (outcome: ReturnType<typeof derive>) =>
    outcome.days.map((d) => [isoDay(d.day).slice(8), d.volume, d.change]);

  it('takes the difference with the day before, from the file, or from what is stored', () => {
    const outcome = derive(
      [{ day: NOV(19), index: 1_000_000, volume: 210 }],
      file([20, 1_000_250], [21, 1_001_750], [22, 1_003_250]),
    );
    expect(volumes(outcome)).toEqual([
      ['20', 250, 'created'],
      ['21', 1500, 'created'],
      ['22', 1500, 'created'],
    ]);
    expect(outcome.warnings).toEqual([]);
  });

  it("leaves the first day of a meter without volume (nothing to compare with), and keeps a file's given volume", () => {
    expect(volumes(derive([], file([20, 5000], [21, 5300, 280])))).toEqual([
      ['20', null, 'created'],
      ['21', 280, 'created'],
    ]);
  });

  it('does not derive across a gap, and says which days are missing', () => {
    const outcome = derive([{ day: NOV(17), index: 1000, volume: 100 }], file([20, 1900], [21, 2200]));
    expect(volumes(outcome)).toEqual([
      ['20', null, 'created'],
      ['21', 300, 'created'],
    ]);
    expect(outcome.warnings).toEqual([
      {
        line: 2,
        field: 'day',
        message:
          'no reading of meter M1 from 2026-11-18 to 2026-11-19 (2 days): the volume of 2026-11-20 is not derived',
      },
    ]);
  });

  it('names a single missing day, within the file too', () => {
    const outcome = derive([], file([20, 1000], [22, 1600]));
    expect(outcome.warnings.map((w) => w.message)).toEqual([
      'no reading of meter M1 on 2026-11-21: the volume of 2026-11-22 is not derived',
    ]);
    expect(volumes(outcome)).toEqual([
      ['20', null, 'created'],
      ['22', null, 'created'],
    ]);
  });

  it('does not derive a roll-back (the index went down): no volume that day, the next days derive from the new index', () => {
    const outcome = derive([{ day: NOV(19), index: 98_500, volume: 300 }], file([20, 120], [21, 420]));
    expect(volumes(outcome)).toEqual([
      ['20', null, 'created'],
      ['21', 300, 'created'],
    ]);
    expect(outcome.warnings).toEqual([
      {
        line: 2,
        field: 'index_m3',
        message:
          'the index of meter M1 went down from 98,5 m³ (2026-11-19) to 0,12 m³ (meter replaced or reset?): the volume of 2026-11-20 is not derived',
      },
    ]);
  });

  it('refuses an index jump above the daily cap; the next day then has nothing to derive from', () => {
    const outcome = derive([{ day: NOV(19), index: 1000, volume: 100 }], file([20, 901_000], [21, 901_300]));
    expect(outcome.errors).toEqual([
      {
        line: 2,
        field: 'index_m3',
        message:
          'the index of meter M1 rose by 900 m³ since 2026-11-19, more than the 100 m³ a day allowed (READINGS_MAX_DAILY_LITRES): a typing error?',
      },
    ]);
    expect(volumes(outcome)).toEqual([['21', null, 'created']]);
  });

  it('counts a day stored with the same values as unchanged, other values as updated', () => {
    const stored = [
      { day: NOV(19), index: 1000, volume: null },
      { day: NOV(20), index: 1200, volume: 200 },
      { day: NOV(21), index: 1500, volume: 250 },
    ];
    expect(volumes(derive(stored, file([20, 1200], [21, 1500])))).toEqual([
      ['20', 200, 'unchanged'],
      ['21', 300, 'updated'],
    ]);
  });

  it('derives the volume of the stored day after a late file (its index was waiting for this one)', () => {
    const stored = [
      { day: NOV(19), index: 1000, volume: 150 },
      { day: NOV(21), index: 1700, volume: null },
    ];
    expect(volumes(derive(stored, file([20, 1300])))).toEqual([
      ['20', 300, 'created'],
      ['21', 400, 'updated'],
    ]);
  });

  it('keeps a stored volume (from a volume file) when an index-only line cannot give one', () => {
    const stored = [{ day: NOV(20), index: null, volume: 640 }];
    expect(volumes(derive(stored, file([20, 5000])))).toEqual([['20', 640, 'updated']]);
    expect(derive(stored, file([20, 5000])).days[0]).toMatchObject({ index: 5000, volume: 640 });
  });
});
