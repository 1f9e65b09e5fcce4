import { type Static, Type } from '@sinclair/typebox';
import type { FrenchCalendar } from './french-calendar.js';

// Weekly opening hours as written in a flow file, e.g.
//   openingHours: { mon: "08:00-18:00", sat: "09:00-12:00", publicHolidays: closed }
// A day may have several ranges: "08:00-12:00,13:30-17:30". A missing day is closed.

const Ranges = Type.String({
  pattern:
    '^([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-4]):[0-5]\\d(,([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-4]):[0-5]\\d)*$',
  description: 'HH:MM-HH:MM, several separated by commas',
});

export const OpeningHoursSchema = Type.Object(
  {
    mon: Type.Optional(Ranges),
    tue: Type.Optional(Ranges),
    wed: Type.Optional(Ranges),
    thu: Type.Optional(Ranges),
    fri: Type.Optional(Ranges),
    sat: Type.Optional(Ranges),
    sun: Type.Optional(Ranges),
    publicHolidays: Type.Optional(Type.Union([Type.Literal('closed'), Type.Literal('open')])),
    /** Department whose public holidays apply (57, 67 and 68 have two more). */
    department: Type.Optional(Type.String({ pattern: '^[0-9][0-9AB][0-9]?$' })),
  },
  { additionalProperties: false },
);

export type OpeningHours = Static<typeof OpeningHoursSchema>;

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function isOpen(hours: OpeningHours, instant: Date, calendar: FrenchCalendar): boolean {
  if (hours.publicHolidays !== 'open' && calendar.isPublicHoliday(instant, hours.department)) return false;
  const local = calendar.local(instant);
  const now = local.hour * 60 + local.minute;
  return rangesOn(hours, local.weekday).some(([from, to]) => now >= from && now < to);
}

/** The day's ranges (ISO weekday: 1 = Monday) as [from, to) minutes since midnight. */
export function rangesOn(hours: OpeningHours, weekday: number): Array<[number, number]> {
  const ranges = hours[DAYS[weekday - 1]!];
  if (!ranges) return [];
  return ranges.split(',').map((range) => {
    const [from, to] = range.split('-') as [string, string];
    return [minutes(from), minutes(to)];
  });
}
