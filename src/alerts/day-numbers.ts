import { DateTime } from 'luxon';

// Meter readings are per calendar day, with no time of day. In code a day is a whole number
// (days since 1970-01-01), so that "the day before" is n - 1 and a run of consecutive days is
// plain arithmetic; SQL turns it back into a date with DATE '1970-01-01' + n.

const MS_PER_DAY = 86_400_000;

export function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

/** "2026-11-23" → day number; null when it is not a real date in that form. */
export function parseIsoDay(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const n = dayNumber(year, month, day);
  return isoDay(n) === text ? n : null;
}

export function isoDay(n: number): string {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The calendar day it is in `zone` at `instant`. */
export function dayIn(zone: string, instant: Date): number {
  const local = DateTime.fromJSDate(instant, { zone });
  return dayNumber(local.year, local.month, local.day);
}

/** A Date at UTC midnight of the day, as Prisma reads and writes @db.Date columns. */
export const dateOfDay = (n: number): Date => new Date(n * MS_PER_DAY);
