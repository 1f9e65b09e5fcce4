import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { freeSlots, slotsInWindow, slotWindow } from '../../src/appointments/slots.js';
import { createFrenchCalendar } from '../../src/calendar/french-calendar.js';
import type { OpeningHours } from '../../src/calendar/opening-hours.js';
import { agencyCalendar, type WindowCalendar } from '../../src/oncall/on-call-windows.js';
import { at } from '../support/clock.js';

// [AP-2] The slot rules on the French calendar: J+2 to J+10 working days, 2-hour slots cut from
// the field hours, public holidays and closures skipped, wall-clock times kept on the two days
// the clocks change in Europe/Paris.

const french = createFrenchCalendar('Europe/Paris');
const paris = agencyCalendar(french, { timeZone: 'Europe/Paris', holidayCalendar: 'FR' });
const WEEK = '08:00-12:00,13:30-17:30';
const weekdays: OpeningHours = { mon: WEEK, tue: WEEK, wed: WEEK, thu: WEEK, fri: WEEK };
const rules = { slotMinutes: 120, leadWorkingDays: 2, horizonWorkingDays: 10 };

function offered(requested: string, hours = weekdays, calendar: WindowCalendar = paris) {
  const now = at(requested);
  const window = slotWindow(now, calendar, rules);
  const slots = slotsInWindow({ fieldHours: hours, calendar }, window, rules, now);
  const local = (d: Date) =>
    DateTime.fromJSDate(d, { zone: 'Europe/Paris' }).toFormat('ccc yyyy-LL-dd HH:mm');
  return {
    first: window.first.toISODate(),
    last: window.last.toISODate(),
    days: [...new Set(slots.map((s) => s.day))],
    slots,
    local: slots.map((s) => local(s.startsAt)),
  };
}

describe('[AP-2] the slots a request is offered', () => {
  it('[AP-2] a Monday request: from Wednesday (J+2 working days) to ten working days later, weekends skipped, four 2-hour slots a day', () => {
    const o = offered('2026-12-07T10:00');
    expect(o.first).toBe('2026-12-09');
    expect(o.last).toBe('2026-12-21');
    expect(o.days).toEqual([
      '2026-12-09',
      '2026-12-10',
      '2026-12-11',
      '2026-12-14',
      '2026-12-15',
      '2026-12-16',
      '2026-12-17',
      '2026-12-18',
      '2026-12-21',
    ]);
    expect(o.local.slice(0, 4)).toEqual([
      'Wed 2026-12-09 08:00',
      'Wed 2026-12-09 10:00',
      'Wed 2026-12-09 13:30',
      'Wed 2026-12-09 15:30',
    ]);
    for (const slot of o.slots) expect(slot.endsAt.getTime() - slot.startsAt.getTime()).toBe(2 * 3600_000);
  });

  it('[AP-2] a Saturday request counts its working days from Monday: first slot on Tuesday', () => {
    const o = offered('2026-12-12T11:00');
    expect(o.first).toBe('2026-12-15');
    expect(o.last).toBe('2026-12-28');
  });

  it('[AP-2] Christmas and New Year are not working days: neither offered nor counted', () => {
    const o = offered('2026-12-22T09:00');
    expect(o.first).toBe('2026-12-24');
    // 24, 28, 29, 30, 31 December, then 4 to 7 January: ten working days without the 25th and the 1st.
    expect(o.last).toBe('2027-01-07');
    expect(o.days).not.toContain('2026-12-25');
    expect(o.days).not.toContain('2027-01-01');
    expect(o.days).toContain('2027-01-07');
  });

  it('[AP-2] Alsace-Moselle agencies also skip 26 December and Good Friday', () => {
    const moselle = agencyCalendar(french, { timeZone: 'Europe/Paris', holidayCalendar: 'FR-57' });
    const saturdays: OpeningHours = { ...weekdays, sat: '08:00-12:00' };
    expect(offered('2026-12-21T09:00', saturdays, paris).days).toContain('2026-12-26');
    expect(offered('2026-12-21T09:00', saturdays, moselle).days).not.toContain('2026-12-26');
    // Good Friday 2027 is 26 March.
    expect(offered('2027-03-22T09:00', weekdays, paris).days).toContain('2027-03-26');
    expect(offered('2027-03-22T09:00', weekdays, moselle).days).not.toContain('2027-03-26');
  });

  it('[AP-2] an agency closure is neither offered nor counted: the horizon moves one day on', () => {
    const closed: WindowCalendar = {
      zone: 'Europe/Paris',
      isPublicHoliday: (day) => day.toISODate() === '2026-12-15' || paris.isPublicHoliday(day),
    };
    const o = offered('2026-12-07T10:00', weekdays, closed);
    expect(o.days).not.toContain('2026-12-15');
    expect(o.last).toBe('2026-12-22');
  });

  it('[AP-2] a Saturday worked by the agency is offered without counting as a working day', () => {
    const o = offered('2026-12-07T10:00', { ...weekdays, sat: '08:00-12:00' });
    expect(o.days).toContain('2026-12-12');
    expect(o.local.filter((l) => l.startsWith('Sat 2026-12-12'))).toEqual([
      'Sat 2026-12-12 08:00',
      'Sat 2026-12-12 10:00',
    ]);
    expect(o.last).toBe('2026-12-21');
  });

  it('[AP-2] on the last Sunday of March (clocks forward) slots keep their wall-clock hours and last two real hours', () => {
    const sundays: OpeningHours = { ...weekdays, sat: '08:00-12:00', sun: '08:00-12:00' };
    const o = offered('2027-03-24T10:00', sundays);
    const sunday = o.slots.filter((s) => s.day === '2027-03-28');
    expect(sunday.map((s) => s.startsAt.toISOString())).toEqual([
      '2027-03-28T06:00:00.000Z', // 08:00 CEST
      '2027-03-28T08:00:00.000Z',
    ]);
    const saturday = o.slots.find((s) => s.day === '2027-03-27')!;
    expect(saturday.startsAt.toISOString()).toBe('2027-03-27T07:00:00.000Z'); // 08:00 CET
    for (const slot of o.slots) expect(slot.endsAt.getTime() - slot.startsAt.getTime()).toBe(2 * 3600_000);
  });

  it('[AP-2] on the last Sunday of October (clocks back) slots keep their wall-clock hours and last two real hours', () => {
    const sundays: OpeningHours = { ...weekdays, sun: '08:00-12:00' };
    const o = offered('2027-10-27T10:00', sundays);
    const sunday = o.slots.filter((s) => s.day === '2027-10-31');
    expect(sunday.map((s) => s.startsAt.toISOString())).toEqual([
      '2027-10-31T07:00:00.000Z', // 08:00 CET
      '2027-10-31T09:00:00.000Z',
    ]);
    expect(o.first).toBe('2027-10-29');
    // 29 Oct, then 1 November (All Saints) skipped: 2, 3, 4, 5, 8, 9, 10, 11 is Armistice, 12.
    expect(o.last).toBe('2027-11-12');
    expect(o.days).not.toContain('2027-11-01');
    expect(o.days).not.toContain('2027-11-11');
    for (const slot of o.slots) expect(slot.endsAt.getTime() - slot.startsAt.getTime()).toBe(2 * 3600_000);
  });

  it('[AP-2] a slot that does not fit whole in a range is not cut', () => {
    const o = offered('2026-12-07T10:00', { ...weekdays, wed: '08:00-11:00,14:00-17:30' });
    expect(o.local.filter((l) => l.startsWith('Wed 2026-12-09'))).toEqual([
      'Wed 2026-12-09 08:00',
      'Wed 2026-12-09 14:00',
    ]);
  });
});

describe('[AP-2] the technicians free in each slot', () => {
  const o = offered('2026-12-07T10:00');
  const wednesday = o.slots.filter((s) => s.day === '2026-12-09');

  it('[AP-2] a technician absent, booked or off the roster that weekday is not free; a slot with nobody free is not offered', () => {
    const [eight, ten] = wednesday;
    const free = freeSlots(
      wednesday,
      [
        {
          id: 'absent',
          fieldWeekdays: [1, 2, 3, 4, 5],
          busy: [{ startsAt: at('2026-12-09T00:00'), endsAt: at('2026-12-10T00:00') }],
        },
        { id: 'booked', fieldWeekdays: [1, 2, 3, 4, 5], busy: [eight!] },
        { id: 'not-wednesdays', fieldWeekdays: [1, 2, 4, 5], busy: [] },
      ],
      'Europe/Paris',
    );
    expect(free.map((s) => [s.startsAt.toISOString(), s.technicianIds])).toEqual(
      wednesday.slice(1).map((s) => [s.startsAt.toISOString(), ['booked']]),
    );
    expect(free[0]!.startsAt).toEqual(ten!.startsAt);
  });

  it('[AP-2] the least busy technician of the day is offered first', () => {
    const [eight, ten] = wednesday;
    const free = freeSlots(
      wednesday,
      [
        { id: 'busy', fieldWeekdays: [3], busy: [eight!] },
        { id: 'idle', fieldWeekdays: [3], busy: [] },
      ],
      'Europe/Paris',
    );
    expect(free.find((s) => s.startsAt.getTime() === ten!.startsAt.getTime())!.technicianIds).toEqual([
      'idle',
      'busy',
    ]);
  });
});
