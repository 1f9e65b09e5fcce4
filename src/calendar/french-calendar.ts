import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

// French public holidays, with the two extra days of Alsace-Moselle (Good Friday and
// 26 December) for departments 57, 67 and 68. date-holidays keeps the rules (Easter-based
// days included) so no table has to be updated each year.

const ALSACE_MOSELLE = new Set(['57', '67', '68']);

export interface FrenchCalendar {
  /** Whether the local day of `instant` is a public holiday where `department` lies (e.g. "57"). */
  isPublicHoliday(instant: Date, department?: string | null): boolean;
  /** The instant as a local date-time in the calendar's time zone (Europe/Paris by default). */
  local(instant: Date): DateTime;
}

export function createFrenchCalendar(timeZone = 'Europe/Paris'): FrenchCalendar {
  const byRegion = new Map<string, Holidays>();
  const holidaysFor = (department: string | null | undefined) => {
    const region = department && ALSACE_MOSELLE.has(department) ? department : 'national';
    let holidays = byRegion.get(region);
    if (!holidays) {
      holidays =
        region === 'national'
          ? new Holidays('FR', { timezone: timeZone, types: ['public'] })
          : new Holidays('FR', region, { timezone: timeZone, types: ['public'] });
      byRegion.set(region, holidays);
    }
    return holidays;
  };
  // date-holidays computes the year's rules on every question (about 6 % of the api's CPU under
  // a burst of night calls): the answer per region and local day never changes, so keep it.
  const known = new Map<string, boolean>();
  return {
    isPublicHoliday(instant, department) {
      const region = department && ALSACE_MOSELLE.has(department) ? department : 'national';
      const key = `${region}:${DateTime.fromJSDate(instant, { zone: timeZone }).toISODate()}`;
      let holiday = known.get(key);
      if (holiday === undefined) {
        const found = holidaysFor(department).isHoliday(instant);
        holiday = Array.isArray(found) && found.some((h) => h.type === 'public');
        known.set(key, holiday);
      }
      return holiday;
    },
    local: (instant) => DateTime.fromJSDate(instant, { zone: timeZone }),
  };
}

/** The department of a French postcode: "57000" → "57", "2A004" → "2A", "97411" → "974". */
export function departmentOf(postcode: string): string {
  return postcode.startsWith('97') || postcode.startsWith('98') ? postcode.slice(0, 3) : postcode.slice(0, 2);
}
