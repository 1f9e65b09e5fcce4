import { DateTime } from 'luxon';
import { PUBLIC_HOLIDAY, type WeeklyWindow, type WindowCalendar } from '../on-call-windows.js';
import type { Interval } from './rota-periods.js';

// When an agency is on call for a type, as instants within a span: what a technician rota must
// cover. Read as the routing reads the windows (on-call-windows.ts): on a public holiday the
// holiday windows apply if the agency has any, else the weekday's; times are placed on the local
// calendar, so "18:00" stays 18:00 on the days clocks change.

function at(day: DateTime, minute: number): DateTime {
  const rest = minute % 1440;
  return day
    .plus({ days: Math.floor(minute / 1440) })
    .set({ hour: Math.floor(rest / 60), minute: rest % 60, second: 0, millisecond: 0 });
}

export function onCallIntervals(
  windows: readonly WeeklyWindow[],
  within: Interval,
  calendar: WindowCalendar,
): Interval[] {
  const hasHolidayWindows = windows.some((w) => w.day === PUBLIC_HOLIDAY);
  const intervals: Interval[] = [];
  // From the day before (its night may run into the span) to the span's last day.
  let day = DateTime.fromJSDate(within.start, { zone: calendar.zone }).startOf('day').minus({ days: 1 });
  const last = DateTime.fromJSDate(within.end, { zone: calendar.zone }).startOf('day');
  for (; day <= last; day = day.plus({ days: 1 })) {
    const weekday = hasHolidayWindows && calendar.isPublicHoliday(day) ? PUBLIC_HOLIDAY : day.weekday;
    for (const w of windows) {
      if (w.day !== weekday) continue;
      const start = at(day, w.startMinute).toJSDate();
      const end = at(day, w.endMinute).toJSDate();
      const clipped = {
        start: start < within.start ? within.start : start,
        end: end > within.end ? within.end : end,
      };
      if (clipped.start < clipped.end) intervals.push(clipped);
    }
  }
  return intervals;
}
