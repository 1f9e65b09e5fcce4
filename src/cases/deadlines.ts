import { DateTime } from 'luxon';
import type { ContactChannel, Urgency } from '../generated/prisma/enums.js';
import { addWorkingDays, type WindowCalendar } from '../oncall/on-call-windows.js';

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
  settings: DeadlineSettings,
): { dueAt: Date; rule: DeadlineRule } {
  const opened = DateTime.fromJSDate(input.openedAt, { zone: calendar.zone });
  if (input.urgency === 'URGENT')
    return { dueAt: opened.plus({ minutes: settings.urgentMinutes }).toJSDate(), rule: 'urgent' };
  if (input.urgency === 'PRIORITY') return { dueAt: opened.endOf('day').toJSDate(), rule: 'priority' };
  if (input.needsIntervention)
    return {
      dueAt: addWorkingDays(opened, settings.interventionWorkingDays, calendar).toJSDate(),
      rule: 'intervention',
    };
  if (input.channel === 'EMAIL')
    return { dueAt: opened.plus({ hours: settings.emailHours }).toJSDate(), rule: 'email' };
  if (input.channel === 'LETTER')
    return { dueAt: addWorkingDays(opened, settings.letterWorkingDays, calendar).toJSDate(), rule: 'letter' };
  return { dueAt: addWorkingDays(opened, settings.otherWorkingDays, calendar).toJSDate(), rule: 'other' };
}
