import { DateTime } from 'luxon';
import type { ContactChannel, Urgency } from '../generated/prisma/enums.js';
import type { WindowCalendar } from '../oncall/on-call-windows.js';

// When a case is due (DOMAIN.md section 3): an urgent intervention is taken in charge within the
// hour, a priority one within the day; otherwise the answer is due 48 h after an e-mail, 5 working
// days after a letter, and 15 working days when a field intervention or another department is
// needed. The figures are settings (CASE_*).

export interface DeadlineSettings {
  urgentMinutes: number;
  emailHours: number;
  letterWorkingDays: number;
  interventionWorkingDays: number;
  /** Phone, SMS, visit and web requests: the domain names no figure; ours is a setting. */
  otherWorkingDays: number;
}

export const DEFAULT_DEADLINES: DeadlineSettings = {
  urgentMinutes: 60,
  emailHours: 48,
  letterWorkingDays: 5,
  interventionWorkingDays: 15,
  otherWorkingDays: 5,
};

export interface DeadlineInput {
  openedAt: Date;
  urgency: Urgency;
  /** The channel of the request (its first contact). */
  channel: ContactChannel | null;
  /** A field intervention or another department is needed. */
  needsIntervention: boolean;
}

export type DeadlineRule = 'urgent' | 'priority' | 'intervention' | 'email' | 'letter' | 'other';

export function dueDate(
  input: DeadlineInput,
  calendar: WindowCalendar,
  settings: DeadlineSettings = DEFAULT_DEADLINES,
): { dueAt: Date; rule: DeadlineRule } {
  const opened = DateTime.fromJSDate(input.openedAt, { zone: calendar.zone });
  if (input.urgency === 'URGENT')
    return { dueAt: opened.plus({ minutes: settings.urgentMinutes }).toJSDate(), rule: 'urgent' };
  if (input.urgency === 'PRIORITY') return { dueAt: opened.endOf('day').toJSDate(), rule: 'priority' };
  if (input.needsIntervention)
    return {
      dueAt: addWorkingDays(opened, settings.interventionWorkingDays, calendar),
      rule: 'intervention',
    };
  if (input.channel === 'EMAIL')
    return { dueAt: opened.plus({ hours: settings.emailHours }).toJSDate(), rule: 'email' };
  if (input.channel === 'LETTER')
    return { dueAt: addWorkingDays(opened, settings.letterWorkingDays, calendar), rule: 'letter' };
  return { dueAt: addWorkingDays(opened, settings.otherWorkingDays, calendar), rule: 'other' };
}

/** The same local time `days` working days later (Monday to Friday, not a public holiday). */
export function addWorkingDays(from: DateTime, days: number, calendar: WindowCalendar): Date {
  let day = from;
  let counted = 0;
  while (counted < days) {
    day = day.plus({ days: 1 });
    if (day.weekday <= 5 && !calendar.isPublicHoliday(day)) counted += 1;
  }
  return day.toJSDate();
}
