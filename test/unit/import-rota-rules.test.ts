import { describe, expect, it } from 'vitest';
import { createFrenchCalendar } from '../../src/calendar/french-calendar.js';
import type { CsvRow } from '../../src/imports/csv-reader.js';
import { Issues } from '../../src/imports/import-report.js';
import { RowReader } from '../../src/imports/row-reader.js';
import {
  describeWindow,
  findWindowOverlaps,
  parseWindow,
} from '../../src/oncall/imports/on-call-hours.import.js';
import { onCallIntervals } from '../../src/oncall/imports/on-call-intervals.js';
import {
  type FilePeriod,
  findGaps,
  findPeriodOverlaps,
  planRotaGroup,
  type StoredPeriod,
} from '../../src/oncall/imports/rota-periods.js';
import { agencyCalendar } from '../../src/oncall/on-call-windows.js';

const ZONE = 'Europe/Paris';
const at = (iso: string) => new Date(iso);
const period = (line: number, personRef: string, start: string, end: string): FilePeriod => ({
  line,
  personRef,
  start: at(start),
  end: at(end),
});
const stored = (id: string, personRef: string, start: string, end: string, paged = false): StoredPeriod => ({
  id,
  personRef,
  start: at(start),
  end: at(end),
  paged,
});
const NOW = at('2026-11-25T12:00:00Z');

describe('on-call hours lines', () => {
  const read = (day: string, start: string, end: string) => {
    const issues = new Issues();
    const row: CsvRow = {
      line: 2,
      cells: new Map([
        ['day', day],
        ['start', start],
        ['end', end],
      ]),
    };
    return { window: parseWindow(new RowReader(row, issues)), issues };
  };

  it('stores an end at or before the start as running past midnight', () => {
    expect(read('mon', '18:00', '08:00').window).toEqual({ day: 1, startMinute: 1080, endMinute: 1920 });
    expect(read('sam', '08:00', '08:00').window).toEqual({ day: 6, startMinute: 480, endMinute: 1920 });
    expect(read('férié', '00:00', '24:00').window).toEqual({ day: 8, startMinute: 0, endMinute: 1440 });
  });

  it('refuses 24:00 as a start', () => {
    const { window, issues } = read('mon', '24:00', '08:00');
    expect(window).toBeNull();
    expect(issues.errors[0]).toMatchObject({ field: 'start' });
  });

  it('finds windows of one agency and type covering the same time, Sunday night into Monday included', () => {
    const w = (line: number, day: number, startMinute: number, endMinute: number) => ({
      line,
      day,
      startMinute,
      endMinute,
    });
    expect(findWindowOverlaps([w(2, 1, 1080, 1920), w(3, 2, 1080, 1920), w(4, 6, 480, 1200)])).toEqual([]);
    // Monday 18:00 → Tuesday 08:00 against Tuesday 06:00 → 12:00.
    expect(findWindowOverlaps([w(2, 1, 1080, 1920), w(3, 2, 360, 720)])).toEqual([
      { line: 3, other: w(2, 1, 1080, 1920) },
    ]);
    // Sunday 20:00 → Monday 08:00 against Monday 07:00 → 09:00.
    expect(findWindowOverlaps([w(2, 7, 1200, 1920), w(3, 1, 420, 540)])).toHaveLength(1);
    // Public-holiday windows are compared only with each other.
    expect(findWindowOverlaps([w(2, 1, 480, 1920), w(3, 8, 480, 1920)])).toEqual([]);
    expect(describeWindow(w(2, 7, 1200, 1920))).toBe('sun 20:00-08:00');
  });
});

describe('rota periods of one agency and on-call type', () => {
  it('finds overlapping periods of the file and names the earlier line', () => {
    const a = period(2, 'T1', '2026-11-30T07:00:00Z', '2026-12-07T07:00:00Z');
    const b = period(3, 'T2', '2026-12-07T07:00:00Z', '2026-12-14T07:00:00Z'); // back to back: fine
    const c = period(4, 'T3', '2026-12-06T17:00:00Z', '2026-12-07T07:00:00Z');
    expect(findPeriodOverlaps([a, b])).toEqual([]);
    expect(findPeriodOverlaps([a, b, c])).toEqual([{ line: 4, other: a }]);
  });

  it('keeps a stored period with the same person and start (its id stays), and updates its end', () => {
    const plan = planRotaGroup(
      [
        period(2, 'T1', '2026-11-30T07:00:00Z', '2026-12-07T07:00:00Z'),
        period(3, 'T2', '2026-12-07T07:00:00Z', '2026-12-13T07:00:00Z'),
      ],
      [
        stored('r1', 'T1', '2026-11-30T07:00:00Z', '2026-12-07T07:00:00Z'),
        stored('r2', 'T2', '2026-12-07T07:00:00Z', '2026-12-14T07:00:00Z'),
      ],
      NOW,
      ZONE,
    );
    expect(plan).toMatchObject({
      create: [],
      update: [{ id: 'r2', end: at('2026-12-13T07:00:00Z') }],
      unchanged: 1,
      remove: [],
      conflicts: [],
    });
  });

  it("replaces the stored periods starting within the file's span that the file no longer lists", () => {
    const plan = planRotaGroup(
      [period(2, 'T3', '2026-11-30T07:00:00Z', '2026-12-07T07:00:00Z')],
      [stored('r1', 'T1', '2026-11-30T07:00:00Z', '2026-12-07T07:00:00Z')],
      NOW,
      ZONE,
    );
    expect(plan.remove).toEqual(['r1']);
    expect(plan.create.map((p) => p.personRef)).toEqual(['T3']);
    expect(plan.conflicts).toEqual([]);
  });

  it('never replaces a period already paged, and says why the new line overlaps it', () => {
    const plan = planRotaGroup(
      [period(5, 'T3', '2026-11-24T07:00:00Z', '2026-11-27T07:00:00Z')],
      [stored('r1', 'T1', '2026-11-24T07:00:00Z', '2026-12-01T07:00:00Z', true)],
      NOW,
      ZONE,
    );
    expect(plan.remove).toEqual([]);
    expect(plan.conflicts).toEqual([
      {
        line: 5,
        field: 'starts_at',
        message:
          'overlaps the period T1, 2026-11-24 08:00 to 2026-12-01 08:00 already recorded, which this file cannot replace (it has already been paged)',
      },
    ]);
  });

  it('refuses to change the end of a period that is over, and an overlap with a period starting before the file', () => {
    const over = planRotaGroup(
      [period(2, 'T1', '2026-11-16T07:00:00Z', '2026-11-24T07:00:00Z')],
      [stored('r1', 'T1', '2026-11-16T07:00:00Z', '2026-11-23T07:00:00Z')],
      NOW,
      ZONE,
    );
    expect(over.conflicts[0]).toMatchObject({ line: 2, field: 'ends_at' });
    expect(over.update).toEqual([]);
    const before = planRotaGroup(
      [period(3, 'T2', '2026-12-01T07:00:00Z', '2026-12-08T07:00:00Z')],
      [stored('r1', 'T1', '2026-11-28T07:00:00Z', '2026-12-02T07:00:00Z')],
      NOW,
      ZONE,
    );
    expect(before.conflicts[0]!.message).toContain('it starts before the first period of this file');
  });

  it('finds the gaps left in what must be covered', () => {
    const required = [
      { start: at('2026-12-01T17:00:00Z'), end: at('2026-12-02T07:00:00Z') },
      { start: at('2026-12-02T17:00:00Z'), end: at('2026-12-03T07:00:00Z') },
    ];
    const covered = [
      { start: at('2026-12-01T17:00:00Z'), end: at('2026-12-01T23:00:00Z') },
      { start: at('2026-12-01T22:00:00Z'), end: at('2026-12-02T07:00:00Z') },
      { start: at('2026-12-02T19:00:00Z'), end: at('2026-12-03T09:00:00Z') },
    ];
    expect(findGaps(required, covered)).toEqual([
      { start: at('2026-12-02T17:00:00Z'), end: at('2026-12-02T19:00:00Z') },
    ]);
    expect(findGaps(required, [])).toEqual(required);
  });
});

describe('on-call intervals of an agency', () => {
  const calendar = createFrenchCalendar(ZONE);
  const nights = [1, 2, 3, 4, 5].map((day) => ({ day, startMinute: 1080, endMinute: 1920 }));
  const weekend = [6, 7, 8].map((day) => ({ day, startMinute: 480, endMinute: 1920 }));

  it('places weekday nights and the weekend on the local calendar', () => {
    const intervals = onCallIntervals(
      [...nights, ...weekend],
      { start: at('2026-12-04T07:00:00Z'), end: at('2026-12-07T07:00:00Z') }, // Fri 08:00 → Mon 08:00
      agencyCalendar(calendar, { timeZone: ZONE, holidayCalendar: 'FR' }),
    );
    expect(intervals).toEqual([
      { start: at('2026-12-04T17:00:00Z'), end: at('2026-12-05T07:00:00Z') },
      { start: at('2026-12-05T07:00:00Z'), end: at('2026-12-06T07:00:00Z') },
      { start: at('2026-12-06T07:00:00Z'), end: at('2026-12-07T07:00:00Z') },
    ]);
  });

  it("uses the public-holiday windows on a holiday of the agency's calendar (26 December in Moselle)", () => {
    const saturday26 = { start: at('2026-12-25T23:00:00Z'), end: at('2026-12-26T23:00:00Z') }; // Saturday 26 December
    const holiday = [{ day: 8, startMinute: 0, endMinute: 1440 }];
    const windows = [{ day: 6, startMinute: 600, endMinute: 720 }, ...holiday];
    expect(
      onCallIntervals(
        windows,
        saturday26,
        agencyCalendar(calendar, { timeZone: ZONE, holidayCalendar: 'FR-57' }),
      ),
    ).toEqual([saturday26]);
    expect(
      onCallIntervals(
        windows,
        saturday26,
        agencyCalendar(calendar, { timeZone: ZONE, holidayCalendar: 'FR' }),
      ),
    ).toEqual([{ start: at('2026-12-26T09:00:00Z'), end: at('2026-12-26T11:00:00Z') }]);
  });

  it('keeps 18:00 at 18:00 local on the night clocks go back', () => {
    const saturday = [{ day: 6, startMinute: 1080, endMinute: 1920 }];
    const [night] = onCallIntervals(
      saturday,
      { start: at('2026-10-24T00:00:00Z'), end: at('2026-10-26T00:00:00Z') },
      agencyCalendar(calendar, { timeZone: ZONE, holidayCalendar: 'FR' }),
    );
    // Saturday 18:00 summer time → Sunday 08:00 winter time: 15 hours.
    expect(night).toEqual({ start: at('2026-10-24T16:00:00Z'), end: at('2026-10-25T07:00:00Z') });
  });
});
