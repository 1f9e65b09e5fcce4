import { DateTime } from 'luxon';
import type { FrenchCalendar } from '../calendar/french-calendar.js';

// An agency's weekly on-call calendar for one on-call type, as stored (OnCallWindow rows): day
// 1 = Monday ... 7 = Sunday, 8 = public holiday; minutes from midnight, the end past 1440 when
// the window runs into the next morning. Instants are placed on the local calendar (luxon), so
// "18:00" stays 18:00 on the days clocks change.

export const PUBLIC_HOLIDAY = 8;

export interface WeeklyWindow {
  day: number;
  startMinute: number;
  endMinute: number;
}

export interface Period {
  start: Date;
  end: Date;
}

export interface WindowCalendar {
  zone: string;
  /**
   * What makes two calendars the same (time zone and holiday calendar), when known: agencies with
   * the same calendar and on-call hours share their placed periods. Without it, they are placed
   * on each use.
   */
  key?: string;
  /** Whether this local day is a public holiday for the agency (Alsace-Moselle aware). */
  isPublicHoliday(day: DateTime): boolean;
}

/** The same local time `days` working days later (Monday to Friday, not a public holiday). */
export function addWorkingDays(from: DateTime, days: number, calendar: WindowCalendar): DateTime {
  let day = from;
  let counted = 0;
  while (counted < days) {
    day = day.plus({ days: 1 });
    if (day.weekday <= 5 && !calendar.isPublicHoliday(day)) counted += 1;
  }
  return day;
}

/** Local day + minutes from its midnight (possibly past 1440), by the calendar, not by adding hours. */
function at(day: DateTime, minute: number): DateTime {
  const days = Math.floor(minute / 1440);
  const rest = minute % 1440;
  return day
    .plus({ days })
    .set({ hour: Math.floor(rest / 60), minute: rest % 60, second: 0, millisecond: 0 });
}

// The periods of a local day, remembered: placing them on the calendar (luxon's time-zone offsets)
// was 6 % of the api's CPU in a burst of night calls (issue 24). They are shared by every agency
// of the same calendar and on-call hours (most agencies keep the standard hours); a calendar
// without a key (made for one call) places them each time.
const shared = new Map<string, Period[]>();
// Distinct calendars × on-call hours × days: a bound that a year of nights stays far below.
const SHARED_MAX = 20_000;
const windowsKeys = new WeakMap<readonly WeeklyWindow[], string>();

function windowsKey(windows: readonly WeeklyWindow[]): string {
  let key = windowsKeys.get(windows);
  if (key === undefined) {
    key = windows.map((w) => `${w.day}:${w.startMinute}-${w.endMinute}`).join(',');
    windowsKeys.set(windows, key);
  }
  return key;
}

/** The on-call periods that start on this local day: the holiday windows on a public holiday, if the agency has any. */
export function periodsStartingOn(
  windows: readonly WeeklyWindow[],
  day: DateTime,
  calendar: WindowCalendar,
): Period[] {
  if (calendar.key === undefined) return placePeriods(windows, day, calendar);
  const key = `${calendar.key}|${day.toISODate()}|${windowsKey(windows)}`;
  let periods = shared.get(key);
  if (!periods) {
    if (shared.size >= SHARED_MAX) shared.clear();
    periods = placePeriods(windows, day, calendar);
    shared.set(key, periods);
  }
  return periods;
}

function placePeriods(windows: readonly WeeklyWindow[], day: DateTime, calendar: WindowCalendar): Period[] {
  const holiday = calendar.isPublicHoliday(day) && windows.some((w) => w.day === PUBLIC_HOLIDAY);
  const weekday = holiday ? PUBLIC_HOLIDAY : day.weekday;
  return windows
    .filter((w) => w.day === weekday)
    .map((w) => ({ start: at(day, w.startMinute).toJSDate(), end: at(day, w.endMinute).toJSDate() }));
}

/** The on-call period `instant` falls in, or null outside the agency's on-call hours. */
export function periodAt(
  windows: readonly WeeklyWindow[],
  instant: Date,
  calendar: WindowCalendar,
): Period | null {
  const today = DateTime.fromJSDate(instant, { zone: calendar.zone }).startOf('day');
  // A window started yesterday evening may still run this morning.
  for (const day of [today.minus({ days: 1 }), today]) {
    const period = periodsStartingOn(windows, day, calendar).find(
      (p) => p.start <= instant && instant < p.end,
    );
    if (period) return period;
  }
  return null;
}

/** When the agency's on-call hours next begin after `instant` (within a week and a day), or null. */
export function nextPeriodStart(
  windows: readonly WeeklyWindow[],
  instant: Date,
  calendar: WindowCalendar,
): Date | null {
  const today = DateTime.fromJSDate(instant, { zone: calendar.zone }).startOf('day');
  let best: Date | null = null;
  for (let offset = 0; offset <= 8 && !best; offset++) {
    for (const { start } of periodsStartingOn(windows, today.plus({ days: offset }), calendar)) {
      if (start > instant && (!best || start < best)) best = start;
    }
  }
  return best;
}

/** An agency's calendar: its time zone and its public holidays ("FR", or "FR-57" in Moselle). */
export function agencyCalendar(
  calendar: FrenchCalendar,
  agency: { timeZone: string; holidayCalendar: string },
): WindowCalendar {
  const department = agency.holidayCalendar.split('-')[1] ?? null;
  return {
    zone: agency.timeZone,
    key: `${agency.timeZone}|${agency.holidayCalendar}`,
    isPublicHoliday: (day) => calendar.isPublicHoliday(day.set({ hour: 12 }).toJSDate(), department),
  };
}
