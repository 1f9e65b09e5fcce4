import { DateTime } from 'luxon';
import { periodsStartingOn, type WeeklyWindow, type WindowCalendar } from '../on-call-windows.js';
import type { Interval } from './rota-periods.js';

// When an agency is on call for a type, as instants within a span: what a technician rota must
// cover. The periods are the routing's own (on-call-windows.ts), clipped to the span.

export function onCallIntervals(
  windows: readonly WeeklyWindow[],
  within: Interval,
  calendar: WindowCalendar,
): Interval[] {
  const intervals: Interval[] = [];
  // From the day before (its night may run into the span) to the span's last day.
  let day = DateTime.fromJSDate(within.start, { zone: calendar.zone }).startOf('day').minus({ days: 1 });
  const last = DateTime.fromJSDate(within.end, { zone: calendar.zone }).startOf('day');
  for (; day <= last; day = day.plus({ days: 1 })) {
    for (const period of periodsStartingOn(windows, day, calendar)) {
      const clipped = {
        start: period.start < within.start ? within.start : period.start,
        end: period.end > within.end ? within.end : period.end,
      };
      if (clipped.start < clipped.end) intervals.push(clipped);
    }
  }
  return intervals;
}
