import { DateTime } from 'luxon';
import { nextPeriodStart, periodAt, type WeeklyWindow, type WindowCalendar } from './on-call-windows.js';
import type { OnCallSettings } from './oncall.settings.js';

// What to do with an out-of-hours call (DOMAIN.md section 1, seed 003, 5.2 "cas particuliers"),
// decided from the contract, the agency's on-call hours and the instant. Pure: the clock and the
// calendar are arguments, so every branch is tested at any hour.

export interface ContractTerms {
  outOfHoursCoverage: boolean;
  /** Individual contract with the 7/7 option: at night its calls are handled as outside the window [ON-7]. */
  individual77: boolean;
}

export type Routing =
  /** Life-safety risk: the regional on-call manager is paged at once, whatever the contract's cover. */
  | { kind: 'emergency' }
  /** No contract, or no out-of-hours cover: a message for the agency's next working day. */
  | { kind: 'not-eligible' }
  /** Inside the agency's on-call hours: the technician is paged when the call ends. */
  | { kind: 'page-now'; period: { start: Date; end: Date } }
  /** Paged when on call begins the next morning: outside the on-call hours (or 7/7 at night) on the eve of a day-time on-call day. */
  | { kind: 'deferred'; pageAt: Date; reason: 'outside-window' | 'individual-7-7-night' }
  /** Outside the on-call hours with no on-call the next morning: the agency handles it when it opens. */
  | { kind: 'recap-only'; nextPeriodStart: Date | null };

export interface RoutingInput {
  now: Date;
  emergency: boolean;
  /** Null when the caller has no current contract. */
  contract: ContractTerms | null;
  windows: readonly WeeklyWindow[];
  calendar: WindowCalendar;
  settings: Pick<OnCallSettings, 'restStartsMinute' | 'morningStartsMinute' | 'deferralLatestMinute'>;
}

export function decideRouting(input: RoutingInput): Routing {
  const { now, contract, calendar, settings } = input;
  if (!contract) return { kind: 'not-eligible' };
  if (input.emergency) return { kind: 'emergency' };
  if (!contract.outOfHoursCoverage) return { kind: 'not-eligible' };

  const local = DateTime.fromJSDate(now, { zone: calendar.zone });
  const minute = local.hour * 60 + local.minute;
  // [ON-7] An individual 7/7 contract at night is handled as outside the window [ON-6], whatever
  // the agency's window, to protect the technician's rest.
  const restNight = contract.individual77 && isNight(minute, settings);
  const period = restNight ? null : periodAt(input.windows, now, calendar);
  if (period) return { kind: 'page-now', period };

  // [ON-6] Paged only when on call begins the next morning (a day-time on-call day), at its start:
  // never at an hour no rota covers. Otherwise the agency handles it when it opens.
  const next = nextPeriodStart(input.windows, now, calendar);
  if (next && opensNextMorning(next, local, settings.deferralLatestMinute, calendar.zone))
    return { kind: 'deferred', pageAt: next, reason: restNight ? 'individual-7-7-night' : 'outside-window' };
  return { kind: 'recap-only', nextPeriodStart: next };
}

function isNight(minute: number, settings: RoutingInput['settings']): boolean {
  return minute >= settings.restStartsMinute || minute < settings.morningStartsMinute;
}

/** Whether on-call opens later tonight or tomorrow before `latestMinute` (the "next morning"). */
function opensNextMorning(next: Date, local: DateTime, latestMinute: number, zone: string): boolean {
  const opens = DateTime.fromJSDate(next, { zone });
  const days = opens.startOf('day').diff(local.startOf('day'), 'days').days;
  const minute = opens.hour * 60 + opens.minute;
  return (days === 0 || Math.round(days) === 1) && minute < latestMinute;
}
