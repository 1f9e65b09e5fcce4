import type { DateTime } from 'luxon';
import type { FrenchCalendar } from '../calendar/french-calendar.js';

// Quiet hours for non-essential messages (settings QUIET_HOURS and QUIET_DAYS): a reminder
// written at 22:00 or on a Sunday waits for the next allowed time. Safety and on-call messages
// are essential and never wait.

export interface QuietHours {
  /** Minutes from midnight; the quiet time runs over midnight when start > end. Equal: none. */
  startMinute: number;
  endMinute: number;
  sundays: boolean;
  publicHolidays: boolean;
}

/** `nights` for what must still go the same day (a first alert); rest days as well otherwise. */
export type QuietScope = 'nights' | 'nights-and-rest-days';

export function nextSendingTime(
  at: Date,
  quiet: QuietHours,
  scope: QuietScope,
  calendar: FrenchCalendar,
): Date {
  let local = calendar.local(at);
  const morning = (day: DateTime) =>
    day.startOf('day').set({ hour: Math.floor(quiet.endMinute / 60), minute: quiet.endMinute % 60 });
  // A week is more than any run of rest days and nights.
  for (let step = 0; step < 14; step++) {
    const minute = local.hour * 60 + local.minute;
    if (scope === 'nights-and-rest-days' && isRestDay(local, quiet, calendar)) {
      local = morning(local.plus({ days: 1 }));
      continue;
    }
    if (inQuietTime(minute, quiet)) {
      local = minute < quiet.endMinute ? morning(local) : morning(local.plus({ days: 1 }));
      continue;
    }
    return local.toJSDate();
  }
  return local.toJSDate();
}

function inQuietTime(minute: number, { startMinute, endMinute }: QuietHours): boolean {
  if (startMinute === endMinute) return false;
  return startMinute > endMinute
    ? minute >= startMinute || minute < endMinute
    : minute >= startMinute && minute < endMinute;
}

function isRestDay(day: DateTime, quiet: QuietHours, calendar: FrenchCalendar): boolean {
  return (
    (quiet.sundays && day.weekday === 7) ||
    (quiet.publicHolidays && calendar.isPublicHoliday(day.set({ hour: 12 }).toJSDate()))
  );
}
