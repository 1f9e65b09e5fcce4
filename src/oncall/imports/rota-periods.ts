import { formatLocal } from '../../imports/local-time.js';

// Pure rules of a rota file for one agency and on-call type (or one region): periods of the file
// must not overlap; against what is stored, the file is the rota of its span (from its first
// start to its last end): a stored period with the same person and start is the same period
// (its id is kept, pages refer to it), stored periods starting within the span that the file no
// longer lists are removed, except those already paged or already over, which are history.

export interface Interval {
  start: Date;
  end: Date;
}

export interface FilePeriod extends Interval {
  line: number;
  personRef: string;
}

export interface StoredPeriod extends Interval {
  id: string;
  personRef: string;
  /** Page attempts refer to it. */
  paged: boolean;
}

export interface RotaConflict {
  line: number;
  field: 'starts_at' | 'ends_at';
  message: string;
}

export interface GroupPlan {
  create: FilePeriod[];
  update: Array<{ id: string; end: Date }>;
  unchanged: number;
  remove: string[];
  /** Stored periods that stay, for the gap check. */
  kept: StoredPeriod[];
  conflicts: RotaConflict[];
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;
const periodKey = (p: { personRef: string; start: Date }) => `${p.personRef}|${p.start.getTime()}`;

export function describePeriod(p: { personRef: string } & Interval, zone: string): string {
  return `${p.personRef}, ${formatLocal(p.start, zone)} to ${formatLocal(p.end, zone)}`;
}

/** Pairs of periods of the file that overlap: the error goes on the later line, naming the other. */
export function findPeriodOverlaps(
  periods: readonly FilePeriod[],
): Array<{ line: number; other: FilePeriod }> {
  const sorted = [...periods].sort((a, b) => a.start.getTime() - b.start.getTime() || a.line - b.line);
  const found: Array<{ line: number; other: FilePeriod }> = [];
  let reach: FilePeriod | undefined; // the period reaching furthest so far
  for (const period of sorted) {
    if (reach && overlaps(reach, period)) {
      const [earlier, later] = reach.line < period.line ? [reach, period] : [period, reach];
      found.push({ line: later.line, other: earlier });
    }
    if (!reach || period.end > reach.end) reach = period;
  }
  return found;
}

export function spanOf(periods: readonly Interval[]): Interval {
  return {
    start: new Date(Math.min(...periods.map((p) => p.start.getTime()))),
    end: new Date(Math.max(...periods.map((p) => p.end.getTime()))),
  };
}

export function planRotaGroup(
  file: readonly FilePeriod[],
  stored: readonly StoredPeriod[],
  now: Date,
  zone: string,
): GroupPlan {
  const span = spanOf(file);
  const byKey = new Map(file.map((p) => [periodKey(p), p]));
  const matched = new Set<string>();
  const plan: GroupPlan = { create: [], update: [], unchanged: 0, remove: [], kept: [], conflicts: [] };

  for (const s of stored) {
    const key = periodKey(s);
    const same = byKey.get(key);
    if (same && !matched.has(key)) {
      matched.add(key);
      if (same.end.getTime() === s.end.getTime()) plan.unchanged++;
      else if (s.end <= now)
        plan.conflicts.push({
          line: same.line,
          field: 'ends_at',
          message: `the period ${describePeriod(s, zone)} is over: its end cannot be changed`,
        });
      else plan.update.push({ id: s.id, end: same.end });
      continue;
    }
    const startsInSpan = s.start >= span.start && s.start < span.end;
    if (startsInSpan && !s.paged && s.end > now) {
      plan.remove.push(s.id);
      continue;
    }
    plan.kept.push(s);
    const why = s.paged
      ? 'it has already been paged'
      : s.end <= now
        ? 'it is over'
        : 'it starts before the first period of this file';
    for (const p of file)
      if (overlaps(p, s))
        plan.conflicts.push({
          line: p.line,
          field: 'starts_at',
          message: `overlaps the period ${describePeriod(s, zone)} already recorded, which this file cannot replace (${why})`,
        });
  }
  plan.create = file.filter((p) => !matched.has(periodKey(p)));
  return plan;
}

/** The intervals in time order, those that overlap or touch joined into one. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const merged: Interval[] = [];
  for (const i of [...intervals].sort((a, b) => a.start.getTime() - b.start.getTime())) {
    const last = merged.at(-1);
    if (last && i.start <= last.end) {
      if (i.end > last.end) last.end = i.end;
    } else merged.push({ start: i.start, end: i.end });
  }
  return merged;
}

/** The parts of `required` that no period of `covered` covers. */
export function findGaps(required: readonly Interval[], covered: readonly Interval[]): Interval[] {
  const merged = mergeIntervals(covered);
  const gaps: Interval[] = [];
  for (const r of required) {
    let cursor = r.start;
    for (const c of merged) {
      if (c.end <= cursor || c.start >= r.end) continue;
      if (c.start > cursor) gaps.push({ start: cursor, end: c.start });
      if (c.end > cursor) cursor = c.end;
      if (cursor >= r.end) break;
    }
    if (cursor < r.end) gaps.push({ start: cursor, end: r.end });
  }
  return gaps;
}
