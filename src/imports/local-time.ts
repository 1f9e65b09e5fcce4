import { DateTime } from 'luxon';
import type { Parsed } from './field-parsers.js';

// Rota periods are written as local date-times of the agency (Europe/Paris). Around the
// daylight-saving changes a local time can be missing (last Sunday of March, 02:00-02:59 does not
// exist) or happen twice (last Sunday of October, 02:00-02:59). Neither is guessed: the line is
// refused with a message saying what to write instead. An explicit offset
// ("2026-10-25T02:30+01:00") settles an ambiguous time.

const FORMATS = ['yyyy-MM-dd HH:mm', "yyyy-MM-dd'T'HH:mm", 'dd/MM/yyyy HH:mm', 'yyyy-MM-dd HH:mm:ss'];
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})$/;

export function parseLocalDateTime(raw: string, zone: string): Parsed<Date> {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (WITH_OFFSET.test(text)) {
    const instant = DateTime.fromISO(text.replace(' ', 'T'), { setZone: true });
    if (instant.isValid) return { value: instant.toJSDate() };
  }
  for (const format of FORMATS) {
    const local = DateTime.fromFormat(text, format, { zone });
    if (!local.isValid) continue;
    // Luxon moves a time that does not exist forward by the DST gap: it no longer reads the same.
    if (local.toFormat(format) !== text)
      return {
        error: `"${raw}" does not exist in ${zone} (clocks go forward that night): write the time after the change, e.g. ${local.toFormat('yyyy-MM-dd HH:mm')}`,
      };
    const offsets = local.getPossibleOffsets();
    if (offsets.length > 1)
      return {
        error: `"${raw}" happens twice in ${zone} (clocks go back that night): add the offset, ${offsets
          .map((o) => o.toFormat("yyyy-MM-dd'T'HH:mmZZ"))
          .join(' (first) or ')} (second)`,
      };
    return { value: local.toJSDate() };
  }
  return { error: `"${raw}" is not a date and time (YYYY-MM-DD HH:MM, e.g. 2026-11-27 18:00)` };
}

/** "2026-11-27 18:00" in the zone: how periods are named in messages. */
export function formatLocal(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

// Days (agency closures, whole-day absences) are calendar dates, kept as "YYYY-MM-DD": a day is
// the same date in every zone, and becomes instants only in an agency's zone.
const DATE_FORMATS = ['yyyy-MM-dd', 'd/M/yyyy'];

/** "2026-12-14" or "14/12/2026" → "2026-12-14". */
export function parseLocalDate(raw: string): Parsed<string> {
  const text = raw.trim();
  for (const format of DATE_FORMATS) {
    const day = DateTime.fromFormat(text, format, { zone: 'utc' });
    if (day.isValid) return { value: day.toISODate()! };
  }
  return { error: `"${raw}" is not a date (YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-12-14)` };
}

/** The first instant of a day in the zone; the next day's is its end (23 or 25 hours later on DST days). */
export function startOfLocalDay(day: string, zone: string): Date {
  return DateTime.fromISO(day, { zone }).startOf('day').toJSDate();
}

/** The day after "2026-12-14": "2026-12-15". */
export function nextDay(day: string): string {
  return DateTime.fromISO(day, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
}

/** The date a wall clock in the zone shows at that instant. */
export function localDate(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!;
}

/**
 * A cell holding a day or a moment, in the zone: a day alone is the whole day (from its 00:00 to
 * the next day's), a date and time is one instant (start = end).
 */
export function parseLocalDayOrTime(raw: string, zone: string): Parsed<{ start: Date; end: Date }> {
  const day = parseLocalDate(raw);
  if ('value' in day)
    return {
      value: { start: startOfLocalDay(day.value, zone), end: startOfLocalDay(nextDay(day.value), zone) },
    };
  // With a time of day, what parseLocalDateTime says of it (daylight saving) is the clearer message.
  if (!/\d:\d\d/.test(raw))
    return {
      error: `"${raw}" is not a date (2026-12-14, 14/12/2026) nor a date and time (2026-12-14 13:30)`,
    };
  const instant = parseLocalDateTime(raw, zone);
  return 'error' in instant ? instant : { value: { start: instant.value, end: instant.value } };
}
