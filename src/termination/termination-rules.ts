import { DateTime } from 'luxon';
import type { TerminationSettings } from './termination.settings.js';

// [TR-1] [TR-2] [TR-3] What the run does with one interrupted, unrestored supply on a given day.
// Pure: the days are local dates ("2026-12-07"), compared as text.

/** [TR-3] The customers who get a written reminder before they are terminated. */
export const REMINDED_CATEGORIES = [
  'medium-voltage',
  'retired-employee',
  'partner-staff',
  'board-member',
  'high-authority',
  'public-administration',
  'local-authority',
] as const;
export type RemindedCategory = (typeof REMINDED_CATEGORIES)[number];

export type Verdict = 'terminate' | 'remind' | 'management-decision' | 'wait';

export interface InterruptedSupply {
  interruptedOn: string;
  remindedOn: string | null;
  category: string | null;
  /** [TR-2] The utility's employees and sensitive customers: a manager decides, never the run. */
  employee: boolean;
  sensitive: boolean;
}

const plus = (day: string, days: number) =>
  DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate()!;

/** The day the supply becomes terminable: the interruption + 30 days. */
const dueDay = (supply: { interruptedOn: string }, settings: TerminationSettings) =>
  plus(supply.interruptedOn, settings.afterDays);

/**
 * The day the customer is terminated: 30 days after the interruption, and for those reminded
 * [TR-3] not before 7 days after their reminder (sent `today` when it is still to send).
 */
export function terminationDay(
  supply: Pick<InterruptedSupply, 'interruptedOn' | 'remindedOn' | 'category'>,
  today: string,
  settings: TerminationSettings,
): string {
  const due = dueDay(supply, settings);
  if (!isReminded(supply.category)) return due;
  const noticeEnds = plus(supply.remindedOn ?? today, settings.reminderDays);
  return noticeEnds > due ? noticeEnds : due;
}

function isReminded(category: string | null): category is RemindedCategory {
  return (REMINDED_CATEGORIES as readonly string[]).includes(category ?? '');
}

export function verdict(supply: InterruptedSupply, today: string, settings: TerminationSettings): Verdict {
  const due = dueDay(supply, settings);
  if (supply.employee || supply.sensitive) return today >= due ? 'management-decision' : 'wait';
  if (!isReminded(supply.category)) return today >= due ? 'terminate' : 'wait';
  if (!supply.remindedOn) return today >= plus(due, -settings.reminderDays) ? 'remind' : 'wait';
  // A reminder sent late (a file imported late) still gives its full notice.
  return today >= terminationDay(supply, today, settings) ? 'terminate' : 'wait';
}
