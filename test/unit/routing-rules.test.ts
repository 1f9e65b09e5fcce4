import { describe, expect, it } from 'vitest';
import { createFrenchCalendar } from '../../src/calendar/french-calendar.js';
import { agencyCalendar, PUBLIC_HOLIDAY, type WeeklyWindow } from '../../src/oncall/on-call-windows.js';
import { decideRouting, type RoutingInput } from '../../src/oncall/routing.rules.js';

// The out-of-hours routing rules of DOMAIN.md section 1, at chosen instants (Paris time).

const french = createFrenchCalendar('Europe/Paris');
const lyon = agencyCalendar(french, { timeZone: 'Europe/Paris', holidayCalendar: 'FR' });
const metz = agencyCalendar(french, { timeZone: 'Europe/Paris', holidayCalendar: 'FR-57' });

const H = 60;
// Weeknights 18:00-08:00, weekends and public holidays 08:00-20:00 (day-time on-call only).
const NIGHTS_AND_WEEKEND_DAYS: WeeklyWindow[] = [
  ...[1, 2, 3, 4, 5].map((day) => ({ day, startMinute: 18 * H, endMinute: 32 * H })),
  ...[6, 7, PUBLIC_HOLIDAY].map((day) => ({ day, startMinute: 8 * H, endMinute: 20 * H })),
];
// Only day-time on-call on weekends and public holidays.
const WEEKEND_DAYS_ONLY: WeeklyWindow[] = [6, 7, PUBLIC_HOLIDAY].map((day) => ({
  day,
  startMinute: 8 * H,
  endMinute: 20 * H,
}));

const SETTINGS = { restStartsMinute: 18 * H, morningStartsMinute: 8 * H, deferralLatestMinute: 12 * H };
const COVERED = { outOfHoursCoverage: true, individual77: false };

function route(at: string, overrides: Partial<RoutingInput> = {}) {
  return decideRouting({
    now: new Date(at),
    emergency: false,
    contract: COVERED,
    windows: NIGHTS_AND_WEEKEND_DAYS,
    calendar: lyon,
    settings: SETTINGS,
    ...overrides,
  });
}

describe('out-of-hours routing', () => {
  it('[ON-3] sends callers without a contract, or without out-of-hours cover, to a message for the agency', () => {
    expect(route('2026-11-24T21:30:00Z', { contract: null })).toEqual({ kind: 'not-eligible' });
    expect(
      route('2026-11-24T21:30:00Z', { contract: { outOfHoursCoverage: false, individual77: false } }),
    ).toEqual({ kind: 'not-eligible' });
  });

  it('[ON-5] pages the technician at once inside the on-call hours, and knows the period', () => {
    // Tuesday 22:30 in Paris: inside Tuesday's 18:00-08:00 window.
    expect(route('2026-11-24T21:30:00Z')).toEqual({
      kind: 'page-now',
      period: { start: new Date('2026-11-24T17:00:00Z'), end: new Date('2026-11-25T07:00:00Z') },
    });
    // Wednesday 06:00: still in the window that started on Tuesday evening.
    expect(route('2026-11-25T05:00:00Z')).toMatchObject({ kind: 'page-now' });
  });

  it('[ON-8] escalates a life-safety emergency at once, covered or not, at any hour', () => {
    const uncovered = { outOfHoursCoverage: false, individual77: false };
    expect(route('2026-11-24T10:00:00Z', { emergency: true, contract: uncovered })).toEqual({
      kind: 'emergency',
    });
    expect(
      route('2026-11-24T21:30:00Z', { emergency: true, contract: { ...COVERED, individual77: true } }),
    ).toEqual({ kind: 'emergency' });
  });

  it('[ON-6] pages the next morning a call made the evening before a day-time on-call Saturday', () => {
    // Friday 27 November, 21:00 in Paris; on-call opens Saturday 08:00.
    expect(route('2026-11-27T20:00:00Z', { windows: WEEKEND_DAYS_ONLY })).toEqual({
      kind: 'deferred',
      pageAt: new Date('2026-11-28T07:00:00Z'),
      reason: 'outside-window',
    });
  });

  it('[ON-6] pages the next morning a call made the evening before a public holiday', () => {
    // Tuesday 10 November 2026, 22:00; Armistice Day (Wednesday) has day-time on-call.
    expect(route('2026-11-10T21:00:00Z', { windows: WEEKEND_DAYS_ONLY })).toEqual({
      kind: 'deferred',
      pageAt: new Date('2026-11-11T07:00:00Z'),
      reason: 'outside-window',
    });
  });

  it('knows Good Friday is a holiday in Moselle only', () => {
    // Thursday 25 March 2027, 21:00.
    const thursdayEvening = '2027-03-25T20:00:00Z';
    expect(route(thursdayEvening, { windows: WEEKEND_DAYS_ONLY, calendar: metz })).toMatchObject({
      kind: 'deferred',
      pageAt: new Date('2027-03-26T07:00:00Z'),
    });
    expect(route(thursdayEvening, { windows: WEEKEND_DAYS_ONLY, calendar: lyon })).toEqual({
      kind: 'recap-only',
      nextPeriodStart: new Date('2027-03-27T07:00:00Z'),
    });
  });

  it('[ON-6] keeps each agency its own holidays when agencies share their on-call hours, whichever calls first', () => {
    // Each agency's calendar and hours as the routing cache makes them: new objects per agency.
    const agency = (holidayCalendar: string) => ({
      calendar: agencyCalendar(french, { timeZone: 'Europe/Paris', holidayCalendar }),
      windows: WEEKEND_DAYS_ONLY.map((w) => ({ ...w })),
    });
    // The evenings before Good Friday 2027 (Moselle first) and 2028 (Lyon first).
    for (const [evening, order] of [
      ['2027-03-25T20:00:00Z', ['FR-57', 'FR']],
      ['2028-04-13T20:00:00Z', ['FR', 'FR-57']],
    ] as const) {
      const decisions = Object.fromEntries(
        order.map((holidays) => [holidays, route(evening, agency(holidays))]),
      );
      expect(decisions['FR-57']).toMatchObject({ kind: 'deferred' });
      expect(decisions.FR).toMatchObject({ kind: 'recap-only' });
      // A third agency of the same calendar as the first decides as it did.
      expect(route(evening, agency(order[0]))).toEqual(decisions[order[0]]);
    }
  });

  it('[ON-6] leaves a call outside the on-call hours with no on-call next morning to the agency', () => {
    // Tuesday 12:30: the next on-call period starts at 18:00, not the next morning.
    expect(route('2026-11-24T11:30:00Z')).toEqual({
      kind: 'recap-only',
      nextPeriodStart: new Date('2026-11-24T17:00:00Z'),
    });
    expect(route('2026-11-24T21:30:00Z', { windows: [] })).toEqual({
      kind: 'recap-only',
      nextPeriodStart: null,
    });
  });

  describe('[ON-7] individual 7/7 contracts after 18:00: as outside the window, whatever the window', () => {
    const sevenDays = { outOfHoursCoverage: true, individual77: true };

    it('[ON-7] leaves a weekday evening call to the agency: no page that night nor the next morning', () => {
      // Tuesday 19:15, inside the agency's window: no page; on call next begins Wednesday 18:00.
      expect(route('2026-11-24T18:15:00Z', { contract: sevenDays })).toEqual({
        kind: 'recap-only',
        nextPeriodStart: new Date('2026-11-25T17:00:00Z'),
      });
      // Wednesday 03:00: the same.
      expect(route('2026-11-25T02:00:00Z', { contract: sevenDays })).toEqual({
        kind: 'recap-only',
        nextPeriodStart: new Date('2026-11-25T17:00:00Z'),
      });
    });

    it('[ON-7] pages when on call begins the next morning, on the eve of a day-time on-call day', () => {
      // Friday 21:00: Saturday's day-time on call begins at 08:00.
      expect(route('2026-11-27T20:00:00Z', { contract: sevenDays })).toEqual({
        kind: 'deferred',
        pageAt: new Date('2026-11-28T07:00:00Z'),
        reason: 'individual-7-7-night',
      });
      // Thursday 24 December, 20:00: Christmas Day's on call begins at 08:00.
      expect(route('2026-12-24T19:00:00Z', { contract: sevenDays })).toMatchObject({
        kind: 'deferred',
        pageAt: new Date('2026-12-25T07:00:00Z'),
      });
      // Saturday 02:00: that morning.
      expect(route('2026-11-28T01:00:00Z', { contract: sevenDays })).toMatchObject({
        kind: 'deferred',
        pageAt: new Date('2026-11-28T07:00:00Z'),
      });
    });

    it('[ON-7] never defers to an hour no on-call period covers', () => {
      // Friday 21:00 for an agency with no day-time on call on Saturday: the agency handles it.
      const weeknightsOnly = NIGHTS_AND_WEEKEND_DAYS.filter((w) => w.day <= 5);
      expect(route('2026-11-27T20:00:00Z', { contract: sevenDays, windows: weeknightsOnly })).toEqual({
        kind: 'recap-only',
        nextPeriodStart: new Date('2026-11-30T17:00:00Z'),
      });
    });

    it('[ON-7] pages a 7/7 call in the day-time on-call hours at once', () => {
      // Saturday 10:00, day-time on call.
      expect(route('2026-11-28T09:00:00Z', { contract: sevenDays })).toMatchObject({ kind: 'page-now' });
    });
  });

  it('places windows on the local calendar across the change to summer time', () => {
    // Saturday 27 March 2027, 21:00 (UTC+1); Sunday's window opens 08:00 summer time (UTC+2).
    expect(route('2027-03-27T20:00:00Z', { windows: WEEKEND_DAYS_ONLY })).toMatchObject({
      kind: 'deferred',
      pageAt: new Date('2027-03-28T06:00:00Z'),
    });
    // A Saturday-night window 20:00-08:00 ends at 08:00 summer time on Sunday.
    const saturdayNight = [{ day: 6, startMinute: 20 * H, endMinute: 32 * H }];
    expect(route('2027-03-28T05:30:00Z', { windows: saturdayNight })).toEqual({
      kind: 'page-now',
      period: { start: new Date('2027-03-27T19:00:00Z'), end: new Date('2027-03-28T06:00:00Z') },
    });
  });
});
