import { isoDay } from './day-numbers.js';
import { m3 } from './readings.rows.js';

// What a readings file does to one meter's days, as a pure function of what the file says and
// what is stored around those days. The daily volume is what detection reads: when the file
// gives only indexes it is the difference with the index of the day before (from the file or
// already stored). A missing day (gap) or an index that went down (roll-back: meter replaced,
// index reset) gives no volume for that day rather than a wrong one, with a warning.

/** Litres. `index`/`volume` null when not known. */
export interface DayReading {
  day: number;
  index: number | null;
  volume: number | null;
}

export interface FileReading extends DayReading {
  line: number;
}

export type Change = 'created' | 'updated' | 'unchanged';

export interface DayOutcome extends DayReading {
  change: Change;
}

export interface Problem {
  line: number;
  field: string | null;
  message: string;
}

export interface MeterOutcome {
  /** One per file reading applied (even unchanged), plus stored days whose volume it lets us derive. */
  days: DayOutcome[];
  errors: Problem[];
  warnings: Problem[];
}

function missingDays(serial: string, from: number, to: number): string {
  return from === to
    ? `no reading of meter ${serial} on ${isoDay(from)}`
    : `no reading of meter ${serial} from ${isoDay(from)} to ${isoDay(to)} (${to - from + 1} days)`;
}

/**
 * @param stored  the meter's stored days: the latest one before the file's first day, and those
 *                from the file's first day to the day after its last; sorted by day
 * @param file    the file's readings of this meter, one per day, sorted by day
 */
export function deriveMeterDays(
  serial: string,
  stored: readonly DayReading[],
  file: readonly FileReading[],
  maxDailyLitres: number,
): MeterOutcome {
  const outcome: MeterOutcome = { days: [], errors: [], warnings: [] };
  const storedOn = new Map(stored.map((s) => [s.day, s]));
  const fileOn = new Map(file.map((f) => [f.day, f]));
  const days = [...new Set([...storedOn.keys(), ...fileOn.keys()])].sort((a, b) => a - b);

  // The day before in the timeline, and the latest index known (a roll-back is checked across gaps).
  let previous: { day: number; index: number | null; fromFile: boolean } | null = null;
  let lastIndex: { day: number; index: number } | null = null;
  for (const day of days) {
    const read = fileOn.get(day);
    const kept = storedOn.get(day);
    if (!read) {
      // A stored day right after a day of the file: its index may now give its volume.
      if (
        kept &&
        previous?.fromFile &&
        previous.day === day - 1 &&
        previous.index !== null &&
        kept.index !== null &&
        kept.volume === null &&
        kept.index >= previous.index &&
        kept.index - previous.index <= maxDailyLitres
      )
        outcome.days.push({ ...kept, volume: kept.index - previous.index, change: 'updated' });
      previous = kept ? { day, index: kept.index, fromFile: false } : previous;
      if (kept?.index != null) lastIndex = { day, index: kept.index };
      continue;
    }

    const index = read.index ?? kept?.index ?? null;
    let volume = read.volume;
    const gap = previous !== null && day - previous.day > 1;
    const rolledBack = read.index !== null && lastIndex !== null && read.index < lastIndex.index;
    if (gap)
      outcome.warnings.push({
        line: read.line,
        field: 'day',
        message:
          missingDays(serial, previous!.day + 1, day - 1) +
          (volume === null && read.index !== null ? `: the volume of ${isoDay(day)} is not derived` : ''),
      });
    if (rolledBack)
      outcome.warnings.push({
        line: read.line,
        field: 'index_m3',
        message: `the index of meter ${serial} went down from ${m3(lastIndex!.index)} m³ (${isoDay(lastIndex!.day)}) to ${m3(read.index!)} m³ (meter replaced or reset?): the volume of ${isoDay(day)} is not derived`,
      });
    if (volume === null && read.index !== null && !gap && !rolledBack && previous?.index != null) {
      const derived = read.index - previous.index;
      if (derived > maxDailyLitres) {
        // Not applied: the next day then derives nothing from this index either (a gap).
        outcome.errors.push({
          line: read.line,
          field: 'index_m3',
          message: `the index of meter ${serial} rose by ${m3(derived)} m³ since ${isoDay(previous.day)}, more than the ${m3(maxDailyLitres)} m³ a day allowed (READINGS_MAX_DAILY_LITRES): a typing error?`,
        });
        continue;
      }
      volume = derived;
    }
    // A volume stored earlier (e.g. from a volume file) stays when this line cannot give one.
    volume ??= kept?.volume ?? null;
    const change: Change = !kept
      ? 'created'
      : kept.index === index && kept.volume === volume
        ? 'unchanged'
        : 'updated';
    outcome.days.push({ day, index, volume, change });
    previous = { day, index, fromFile: true };
    if (index !== null) lastIndex = { day, index };
  }
  return outcome;
}
