import { onCallIntervals } from './imports/on-call-intervals.js';
import { findGaps, type Interval, mergeIntervals } from './imports/rota-periods.js';
import {
  nextPeriodStart,
  type Period,
  periodAt,
  type WeeklyWindow,
  type WindowCalendar,
} from './on-call-windows.js';

// The on-call board's view of time (pure): which on-call period is "tonight" for an agency, and
// where the rotas leave nobody on call ahead. The periods are the routing's own and the gaps are
// found the way the rota import finds them, so the board, the paging and the import warnings agree.

/** How far ahead the board looks for rota gaps: a week, so the next weekend is always in view. */
export const GAP_HORIZON_DAYS = 7;

/** Settled pages (acknowledged, unreached) stay on the board this long: the night's history. */
export const SETTLED_PAGES_HOURS = 12;

export interface BoardPeriod extends Period {
  /** The agency is on call now (inside this period); otherwise it is the next one. */
  current: boolean;
}

/** From `now`, `GAP_HORIZON_DAYS` ahead. */
export function gapHorizon(now: Date): Interval {
  return { start: now, end: new Date(now.getTime() + GAP_HORIZON_DAYS * 24 * 3600 * 1000) };
}

/** The on-call period in progress, or else the next one to begin (null without on-call hours). */
export function currentOrNextPeriod(
  windows: readonly WeeklyWindow[],
  now: Date,
  calendar: WindowCalendar,
): BoardPeriod | null {
  const current = periodAt(windows, now, calendar);
  if (current) return { ...current, current: true };
  const next = nextPeriodStart(windows, now, calendar);
  const upcoming = next ? periodAt(windows, next, calendar) : null;
  return upcoming ? { ...upcoming, current: false } : null;
}

/**
 * When nobody is on a technician rota while the agency is on call (for one on-call type) within
 * the horizon. As in the rota import, an on-call type without recorded hours needs somebody at
 * every moment. Touching gaps (Friday night running into Saturday's day-time on-call) read as one.
 */
export function technicianGaps(
  windows: readonly WeeklyWindow[],
  rotas: readonly Interval[],
  horizon: Interval,
  calendar: WindowCalendar,
): Interval[] {
  const required = windows.length === 0 ? [horizon] : onCallIntervals(windows, horizon, calendar);
  return mergeIntervals(findGaps(required, rotas));
}

/** When a region has no regional on-call manager within the horizon (they are needed at every moment). */
export function managerGaps(rotas: readonly Interval[], horizon: Interval): Interval[] {
  return mergeIntervals(findGaps([horizon], rotas));
}
