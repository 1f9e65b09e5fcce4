import { Equipment } from '../generated/prisma/enums.js';
import { isMobile, toE164 } from '../identification/phone-number.js';

// One parser per kind of cell, pure: the text of a cell → a value, or the reason it is not one
// (in English, quoting the value, for the per-line error report).

export type Parsed<T> = { value: T } | { error: string };

const ok = <T>(value: T): Parsed<T> => ({ value });
const fail = (error: string): Parsed<never> => ({ error });

/** Lower case, no accents, single spaces: for matching words people type in several ways. */
export function fold(raw: string): string {
  return raw
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

const YES = new Set(['yes', 'y', 'oui', 'o', '1', 'true', 'vrai', 'x']);
const NO = new Set(['no', 'n', 'non', '0', 'false', 'faux']);

export function parseYesNo(raw: string): Parsed<boolean> {
  const word = fold(raw);
  if (YES.has(word)) return ok(true);
  if (NO.has(word)) return ok(false);
  return fail(`"${raw}" is not yes or no (accepted: yes/no, oui/non, 1/0, true/false)`);
}

export function parsePhone(raw: string): Parsed<string> {
  const e164 = toE164(raw);
  return e164 ? ok(e164) : fail(`"${raw}" is not a valid phone number`);
}

/** On-call staff are paged by call and SMS: a landline will not do. */
export function parseMobile(raw: string): Parsed<string> {
  const parsed = parsePhone(raw);
  if ('error' in parsed) return parsed;
  return isMobile(parsed.value)
    ? parsed
    : fail(`"${raw}" is not a mobile number (pages are also sent by SMS)`);
}

/** Several numbers in one cell, separated by "|"; duplicates dropped, order kept. */
export function parsePhoneList(raw: string): Parsed<string[]> {
  const numbers: string[] = [];
  for (const part of raw.split('|')) {
    if (part.trim() === '') continue;
    const parsed = parsePhone(part.trim());
    if ('error' in parsed) return parsed;
    if (!numbers.includes(parsed.value)) numbers.push(parsed.value);
  }
  return ok(numbers);
}

export function parseEmail(raw: string): Parsed<string> {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)
    ? ok(raw.toLowerCase())
    : fail(`"${raw}" is not a valid e-mail address`);
}

/** Five digits. Spreadsheets drop the leading zero of 01000-09999: four digits get it back. */
export function parsePostcode(raw: string): Parsed<string> {
  const compact = raw.replace(/\s/g, '');
  if (/^\d{5}$/.test(compact)) return ok(compact);
  if (/^\d{4}$/.test(compact)) return ok(`0${compact}`);
  return fail(`"${raw}" is not a French postcode (5 digits)`);
}

/** Agency, region, customer, contract, technician and manager references, kept as written. */
export function parseReference(raw: string): Parsed<string> {
  return /^[\p{L}\p{N}][\p{L}\p{N} ._/-]{0,59}$/u.test(raw)
    ? ok(raw)
    : fail(`"${raw}" is not a valid reference (letters, digits, "-", "_", ".", "/", at most 60)`);
}

// French names of the on-call types the platform knows; other codes pass through as written
// (normalised), since each agency defines its own types with its on-call hours.
const ON_CALL_TYPE_SYNONYMS: Record<string, string> = {
  individuel: 'individual',
  individuelle: 'individual',
  chaufferie: 'boiler_room',
  'boiler room': 'boiler_room',
  collectif: 'collective',
  collective: 'collective',
};

export function parseOnCallType(raw: string): Parsed<string> {
  const word = fold(raw);
  const code = ON_CALL_TYPE_SYNONYMS[word] ?? word.replace(/ /g, '_');
  return /^[a-z][a-z0-9_]{0,39}$/.test(code)
    ? ok(code)
    : fail(`"${raw}" is not a valid on-call type (e.g. individual, boiler_room)`);
}

// French labels seen in eligibility files, folded (see fold()).
const EQUIPMENT_LABELS: Record<string, Equipment> = {
  'chaudiere individuelle gaz': 'INDIVIDUAL_GAS_BOILER',
  'chaudiere gaz individuelle': 'INDIVIDUAL_GAS_BOILER',
  'chaudiere gaz': 'INDIVIDUAL_GAS_BOILER',
  'chaudiere individuelle fioul': 'INDIVIDUAL_OIL_BOILER',
  'chaudiere fioul individuelle': 'INDIVIDUAL_OIL_BOILER',
  'chaudiere fioul': 'INDIVIDUAL_OIL_BOILER',
  chaufferie: 'BOILER_ROOM',
  'chaufferie collective': 'BOILER_ROOM',
  collectif: 'COLLECTIVE',
  'installation collective': 'COLLECTIVE',
  'chauffage collectif': 'COLLECTIVE',
  'pompe a chaleur': 'HEAT_PUMP',
  pac: 'HEAT_PUMP',
  eau: 'WATER_SUPPLY',
  'alimentation en eau': 'WATER_SUPPLY',
  'alimentation eau': 'WATER_SUPPLY',
  autre: 'OTHER',
};

export function parseEquipment(raw: string): Parsed<Equipment> {
  const asEnum = raw
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  if (Object.hasOwn(Equipment, asEnum)) return ok(asEnum as Equipment);
  const label = EQUIPMENT_LABELS[fold(raw)];
  return label
    ? ok(label)
    : fail(
        `"${raw}" is not a known equipment (e.g. "chaudière individuelle gaz", "chaufferie", or ${Object.keys(Equipment).join(', ')})`,
      );
}

export function parsePositiveMinutes(raw: string): Parsed<number> {
  const value = Number(raw);
  return /^\d+$/.test(raw) && value >= 1 && value <= 100_000
    ? ok(value)
    : fail(`"${raw}" is not a number of minutes (a whole number from 1 to 100000)`);
}

/**
 * Minutes of a contractual delay written in words, when it says a duration: "sous 4 heures" →
 * 240, "4h30" → 270, "90 min" → 90, "dans l'heure" → 60, "24 h" → 1440. Null when the text names
 * a period rather than a delay ("7/7 individuel", "jours ouvrés"): days are not counted, since
 * "1 jour ouvré" is not 1440 minutes.
 */
export function delayMinutesFrom(text: string): number | null {
  const t = fold(text);
  if (/\bdans l ?heure\b|\bwithin the hour\b|\bwithin an hour\b/.test(t.replace(/'/g, ' '))) return 60;
  const hours = /(\d+)\s*(?:h|heures?|hours?)\s*(\d{1,2})?\b/.exec(t);
  if (hours) return Number(hours[1]) * 60 + Number(hours[2] ?? 0);
  const minutes = /(\d+)\s*(?:min|mn|minutes?)\b/.exec(t);
  return minutes ? Number(minutes[1]) : null;
}

const DAY_WORDS: Record<string, number> = {
  mon: 1,
  monday: 1,
  lun: 1,
  lundi: 1,
  tue: 2,
  tuesday: 2,
  mar: 2,
  mardi: 2,
  wed: 3,
  wednesday: 3,
  mer: 3,
  mercredi: 3,
  thu: 4,
  thursday: 4,
  jeu: 4,
  jeudi: 4,
  fri: 5,
  friday: 5,
  ven: 5,
  vendredi: 5,
  sat: 6,
  saturday: 6,
  sam: 6,
  samedi: 6,
  sun: 7,
  sunday: 7,
  dim: 7,
  dimanche: 7,
  'public holiday': 8,
  holiday: 8,
  ferie: 8,
  'jour ferie': 8,
  jf: 8,
};

/** 1 = Monday ... 7 = Sunday, 8 = public holiday (as OnCallWindow.day). */
export function parseDay(raw: string): Parsed<number> {
  const day = DAY_WORDS[fold(raw).replace(/\.$/, '')];
  return day
    ? ok(day)
    : fail(`"${raw}" is not a day (mon, tue, wed, thu, fri, sat, sun or public_holiday; lun ... dim, férié)`);
}

const WEEKDAYS_EXAMPLE = '(e.g. "lun-ven", "lun,mar,jeu", "mon-fri")';

/**
 * Days of the week, 1 = Monday ... 7 = Sunday, in order: a list ("lun,mar,jeu", "mon tue"),
 * ranges ("lun-ven", "mon - fri"; "ven-lun" runs over the weekend) or both ("lun-mer,ven").
 */
export function parseWeekdays(raw: string): Parsed<number[]> {
  const days = new Set<number>();
  // Dashes join a range (spaces around them dropped); commas, semicolons, slashes, "+" and spaces
  // separate days.
  for (const part of raw.replace(/\s*[-–]\s*/g, '-').split(/[\s,;/+]+/)) {
    if (part === '') continue;
    const ends: number[] = [];
    for (const word of part.split('-')) {
      const day = parseDay(word);
      if ('error' in day || day.value > 7)
        return fail(
          `"${raw}" is not a list of weekdays: "${word}" is not a day of the week ${WEEKDAYS_EXAMPLE}`,
        );
      ends.push(day.value);
    }
    if (ends.length > 2)
      return fail(`"${raw}" is not a list of weekdays: "${part}" is not a range ${WEEKDAYS_EXAMPLE}`);
    const [first, last = first] = ends as [number, number?];
    for (let day = first; ; day = (day % 7) + 1) {
      days.add(day);
      if (day === last) break;
    }
  }
  if (days.size === 0) return fail(`"${raw}" names no day of the week ${WEEKDAYS_EXAMPLE}`);
  return ok([...days].sort((a, b) => a - b));
}

/** "18:00", "8:30", "18h", "18h30" → minutes from midnight; "24:00" (end of day) → 1440. */
export function parseClockTime(raw: string): Parsed<number> {
  const match = /^(\d{1,2})\s*(?::|h)\s*(\d{2})?$/i.exec(raw.trim());
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2] ?? 0);
  if (!match || minute > 59 || hour > 24 || (hour === 24 && minute > 0))
    return fail(`"${raw}" is not a time of day (HH:MM, e.g. 18:00)`);
  return ok(hour * 60 + minute);
}

const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const FIELD_HOURS_EXAMPLE = '(e.g. "lun-ven 08:00-12:00,13:30-17:30; sam 09:00-12:00")';
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * [AP-2] An agency's field hours: groups of days with their time ranges, separated by ";" →
 * { mon: "08:00-12:00,13:30-17:30", sat: "09:00-12:00" } (the opening-hours format).
 */
export function parseFieldHours(raw: string): Parsed<Partial<Record<(typeof DAY_KEYS)[number], string>>> {
  const hours: Partial<Record<(typeof DAY_KEYS)[number], string>> = {};
  for (const group of raw.split(/\s*[;|]\s*/).filter(Boolean)) {
    const match = /^(.*?[a-zé.])\s*(\d.*)$/i.exec(group.trim());
    if (!match) return fail(`"${group}" is not days followed by times ${FIELD_HOURS_EXAMPLE}`);
    const days = parseWeekdays(match[1]!);
    if ('error' in days) return days;
    const ranges: string[] = [];
    for (const range of match[2]!.split(/\s*,\s*/)) {
      const [from, to, ...rest] = range.split(/\s*[-–à]\s*/);
      const start = parseClockTime(from ?? '');
      const end = parseClockTime(to ?? '');
      if (rest.length > 0 || 'error' in start || 'error' in end || end.value <= start.value)
        return fail(`"${range}" is not a time range like 08:00-12:00 ${FIELD_HOURS_EXAMPLE}`);
      ranges.push(`${hhmm(start.value)}-${hhmm(end.value)}`);
    }
    for (const day of days.value) {
      const key = DAY_KEYS[day - 1]!;
      if (hours[key]) return fail(`"${raw}" gives ${key} twice ${FIELD_HOURS_EXAMPLE}`);
      hours[key] = ranges.join(',');
    }
  }
  return Object.keys(hours).length > 0 ? ok(hours) : fail(`"${raw}" names no day ${FIELD_HOURS_EXAMPLE}`);
}

/** "FR", or "FR-57"/"FR-67"/"FR-68" (Alsace-Moselle: Good Friday and 26 December too); "57" alone is accepted. */
export function parseHolidayCalendar(raw: string): Parsed<string> {
  const code = raw.trim().toUpperCase().replace(/\s/g, '');
  if (code === 'FR') return ok('FR');
  const department = /^(?:FR-?)?(57|67|68)$/.exec(code)?.[1];
  return department
    ? ok(`FR-${department}`)
    : fail(`"${raw}" is not a holiday calendar (FR, FR-57, FR-67 or FR-68)`);
}

/** The calendar of a postcode's department: Alsace-Moselle has two more public holidays. */
export function holidayCalendarFor(department: string): string {
  return ['57', '67', '68'].includes(department) ? `FR-${department}` : 'FR';
}

export function parseText(max: number) {
  return (raw: string): Parsed<string> =>
    raw.length <= max ? ok(raw) : fail(`longer than ${max} characters`);
}
