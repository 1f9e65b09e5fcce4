import { DateTime } from 'luxon';
import type { FollowUpSettings } from './follow-ups.settings.js';
import type { TimerPlan } from './timers.js';

// [DP-2] [DP-3] Calendar days counted from the planned move, in the service's time zone.

export const DEPARTURE_REMINDER = 'departure-reminder';
export const DEPARTURE_CALL = 'departure-call';

/** A planned date ('2026-12-07') as stored (a DATE: midnight UTC) and back. */
export const dateOnly = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
export const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The local day `now` falls on. */
const today = (now: Date, zone: string) => DateTime.fromJSDate(now, { zone }).startOf('day');

/** Why a planned date is refused, or null: not in the past, not further than the setting. */
export function plannedDateProblem(
  iso: string,
  now: Date,
  zone: string,
  settings: FollowUpSettings,
): string | null {
  const day = DateTime.fromISO(iso, { zone });
  if (!day.isValid) return `"${iso}" is not a date`;
  const first = today(now, zone);
  if (day < first) return `the planned date ${iso} is in the past`;
  const last = first.plus({ days: settings.departureMaxAheadDays });
  if (day > last)
    return `the planned date ${iso} is more than ${settings.departureMaxAheadDays} days ahead (last: ${last.toISODate()})`;
  return null;
}

/** [DP-2] The reminder (+10 days) and the call (+30 days), at the follow-ups' time of day. */
export function departureTimers(plannedDate: Date, zone: string, settings: FollowUpSettings): TimerPlan[] {
  const day = DateTime.fromISO(isoDay(plannedDate), { zone }).set({
    hour: Math.floor(settings.dueMinute / 60),
    minute: settings.dueMinute % 60,
  });
  return [
    { kind: DEPARTURE_REMINDER, dueAt: day.plus({ days: settings.departureReminderDays }).toJSDate() },
    { kind: DEPARTURE_CALL, dueAt: day.plus({ days: settings.departureCallDays }).toJSDate() },
  ];
}

/** [DP-3] Days since the planned move (0 on the day, negative before). */
export function daysSince(plannedDate: Date, now: Date, zone: string): number {
  const planned = DateTime.fromISO(isoDay(plannedDate), { zone });
  return Math.round(today(now, zone).diff(planned, 'days').days);
}

/** "lundi 7 décembre 2026" / "Monday 7 December 2026". */
export function dateWords(plannedDate: Date, locale: 'fr' | 'en'): string {
  return DateTime.fromISO(isoDay(plannedDate), { zone: 'UTC' })
    .setLocale(locale === 'en' ? 'en-GB' : 'fr-FR')
    .toFormat('cccc d LLLL yyyy');
}
