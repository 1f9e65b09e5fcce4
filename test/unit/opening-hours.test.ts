import { describe, expect, it } from 'vitest';
import { createFrenchCalendar, departmentOf } from '../../src/calendar/french-calendar.js';
import { isOpen } from '../../src/calendar/opening-hours.js';

const calendar = createFrenchCalendar('Europe/Paris');
const weekdays = {
  mon: '08:00-12:00,13:30-18:00',
  tue: '08:00-18:00',
  wed: '08:00-18:00',
  thu: '08:00-18:00',
  fri: '08:00-18:00',
  publicHolidays: 'closed' as const,
};

describe('French calendar', () => {
  it('knows the national public holidays, Easter-based ones included', () => {
    expect(calendar.isPublicHoliday(new Date('2026-07-14T10:00:00Z'))).toBe(true);
    expect(calendar.isPublicHoliday(new Date('2027-03-29T10:00:00Z'))).toBe(true); // Easter Monday 2027
    expect(calendar.isPublicHoliday(new Date('2026-11-24T10:00:00Z'))).toBe(false);
  });

  it('adds Good Friday and 26 December in Alsace-Moselle only', () => {
    const goodFriday = new Date('2027-03-26T10:00:00Z');
    const stStephen = new Date('2026-12-26T10:00:00Z');
    for (const department of ['57', '67', '68']) {
      expect(calendar.isPublicHoliday(goodFriday, department)).toBe(true);
      expect(calendar.isPublicHoliday(stStephen, department)).toBe(true);
    }
    expect(calendar.isPublicHoliday(goodFriday, '69')).toBe(false);
    expect(calendar.isPublicHoliday(stStephen)).toBe(false);
  });

  it('judges the day in Paris time: 23:30 UTC on 13 July is already 14 July', () => {
    expect(calendar.isPublicHoliday(new Date('2026-07-13T22:30:00Z'))).toBe(true);
  });

  it('reads the department of a postcode', () => {
    expect(departmentOf('57000')).toBe('57');
    expect(departmentOf('97411')).toBe('974');
  });
});

describe('opening hours', () => {
  it('is open inside a range and closed at its end, in Paris time', () => {
    expect(isOpen(weekdays, new Date('2026-11-24T07:00:00Z'), calendar)).toBe(true); // Tue 08:00 Paris
    expect(isOpen(weekdays, new Date('2026-11-24T06:59:00Z'), calendar)).toBe(false);
    expect(isOpen(weekdays, new Date('2026-11-24T17:00:00Z'), calendar)).toBe(false); // 18:00
  });

  it('honours a lunch break', () => {
    expect(isOpen(weekdays, new Date('2026-11-23T11:30:00Z'), calendar)).toBe(false); // Mon 12:30
    expect(isOpen(weekdays, new Date('2026-11-23T12:30:00Z'), calendar)).toBe(true); // Mon 13:30
  });

  it('follows daylight-saving time: 08:00 in Paris is 06:00 UTC in summer', () => {
    expect(isOpen(weekdays, new Date('2026-06-16T06:00:00Z'), calendar)).toBe(true);
    expect(isOpen(weekdays, new Date('2026-12-15T06:00:00Z'), calendar)).toBe(false);
    // Tuesday 31 March 2026, two days after the change to summer time.
    expect(isOpen(weekdays, new Date('2026-03-31T06:30:00Z'), calendar)).toBe(true);
  });

  it('is closed on a public holiday unless told otherwise, and on days without hours', () => {
    const ascension = new Date('2026-05-14T09:00:00Z');
    expect(isOpen(weekdays, ascension, calendar)).toBe(false);
    expect(isOpen({ ...weekdays, publicHolidays: 'open' }, ascension, calendar)).toBe(true);
    expect(isOpen(weekdays, new Date('2026-11-28T09:00:00Z'), calendar)).toBe(false); // Saturday
  });

  it('uses the department of the hours for Alsace-Moselle holidays', () => {
    const goodFriday = new Date('2027-03-26T09:00:00Z');
    expect(isOpen(weekdays, goodFriday, calendar)).toBe(true);
    expect(isOpen({ ...weekdays, department: '57' }, goodFriday, calendar)).toBe(false);
  });
});
