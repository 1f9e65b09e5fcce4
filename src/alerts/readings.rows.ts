import { type ColumnSpec, cell } from '../imports/csv-reader.js';
import { type Parsed, parseReference } from '../imports/field-parsers.js';
import type { RowReader } from '../imports/row-reader.js';
import { dayNumber, isoDay } from './day-numbers.js';

// One line of a readings file: a meter's serial, the day, and the cumulative index at the end of
// that day and/or the day's volume, both in m³ as meter software exports them (decimal comma or
// point, spaces between thousands). Stored as whole litres.

export const READING_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'meter_serial',
    required: true,
    aliases: ['numero_compteur', 'numero_de_compteur', 'n_compteur', 'compteur', 'serial', 'meter'],
  },
  { name: 'day', required: true, aliases: ['date', 'jour', 'date_releve', 'date_de_releve', 'date_index'] },
  { name: 'index_m3', aliases: ['index', 'index_compteur', 'index_m3'] },
  {
    name: 'volume_m3',
    aliases: ['volume', 'volume_journalier', 'consommation', 'consommation_m3', 'conso', 'conso_m3'],
  },
];

export interface ReadingLine {
  line: number;
  serial: string;
  day: number;
  /** Litres. */
  index: number | null;
  /** Litres. */
  volume: number | null;
}

export interface ReadingLimits {
  /** READINGS_MAX_DAILY_LITRES. */
  maxDailyLitres: number;
  /** Today in TZ_DEFAULT: a later day cannot have been read yet. */
  today: number;
}

// Indexes of real meters stay far below this (10^10 m³); beyond it is a broken export.
const MAX_WHOLE_DIGITS = 10;

/**
 * m³ → litres: "1 234,567", "1234.567", "0,85", "12". Decimal arithmetic on the text, not on a
 * float; beyond the litre (a fourth decimal) the value is rounded to the litre. "1,234.5" (two
 * separators) is refused rather than guessed.
 */
export function parseCubicMetres(raw: string): Parsed<number> {
  const compact = raw.replace(/[\s\u00a0\u202f]/g, '');
  const match = /^([+-]?)(\d+)(?:[.,](\d+))?$/.exec(compact);
  if (!match || match[2]!.length > MAX_WHOLE_DIGITS)
    return { error: `"${raw}" is not a number of m³ (e.g. 1234,567 or 0.85)` };
  const [, sign, whole, fraction = ''] = match;
  const thousandths = Number(`${fraction}000`.slice(0, 3)) + (Number(fraction[3] ?? 0) >= 5 ? 1 : 0);
  const litres = Number(whole) * 1000 + thousandths;
  return { value: sign === '-' && litres !== 0 ? -litres : litres };
}

/**
 * The day a reading covers: "2026-11-23", or French "23/11/2026" (also with "-" or "."). A time
 * of day is refused: an index read at 00:00 may belong to either day, and is not guessed.
 */
export function parseReadingDay(raw: string): Parsed<number> {
  const text = raw.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const french = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const [year, month, day] = iso
    ? [iso[1], iso[2], iso[3]]
    : french
      ? [french[3], french[2], french[1]]
      : [undefined, undefined, undefined];
  if (year !== undefined) {
    const n = dayNumber(Number(year), Number(month), Number(day));
    const [y, m, d] = isoDay(n).split('-').map(Number);
    if (y === Number(year) && m === Number(month) && d === Number(day)) return { value: n };
    return { error: `"${raw}" is not a date of the calendar` };
  }
  if (/\d{1,2}:\d{2}/.test(text))
    return { error: `"${raw}" has a time of day: give the day the reading covers (YYYY-MM-DD)` };
  return { error: `"${raw}" is not a date (YYYY-MM-DD or DD/MM/YYYY)` };
}

export const m3 = (litres: number): string =>
  (litres / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 3 });

/** Reads one row; null (errors recorded on its line) when it cannot be used. */
export function parseReadingRow(r: RowReader, limits: ReadingLimits): ReadingLine | null {
  const serial = r.required('meter_serial', parseReference);
  const day = r.required('day', parseReadingDay);
  const index = r.optional('index_m3', parseCubicMetres);
  const volume = r.optional('volume_m3', parseCubicMetres);
  if (day !== undefined && day > limits.today)
    r.error('day', `${isoDay(day)} is in the future: it cannot have been read yet`);
  if (index != null && index < 0)
    r.error('index_m3', `"${cell(r.row, 'index_m3')}": an index is never negative`);
  if (volume != null && volume < 0)
    r.error('volume_m3', `"${cell(r.row, 'volume_m3')}": a daily volume is never negative`);
  if (volume != null && volume > limits.maxDailyLitres)
    r.error(
      'volume_m3',
      `${m3(volume)} m³ in a day is more than the ${m3(limits.maxDailyLitres)} m³ allowed (READINGS_MAX_DAILY_LITRES): a unit or typing error?`,
    );
  if (cell(r.row, 'index_m3') == null && cell(r.row, 'volume_m3') == null)
    r.error(null, 'neither an index nor a volume');
  if (!r.valid || serial === undefined || day === undefined) return null;
  // Past this point undefined means the column is not in the file: nothing given.
  return { line: r.line, serial, day, index: index ?? null, volume: volume ?? null };
}
