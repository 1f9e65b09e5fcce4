import { describe, expect, it } from 'vitest';
import { parseWeekdays } from '../../src/imports/field-parsers.js';
import { parseLocalDate, parseLocalDayOrTime } from '../../src/imports/local-time.js';

// The cells of the field roster and agency closures files ([AP-2]): weekdays, days, and the
// bounds of an absence, a day alone or a date and time of the agency's zone.

const value = <T>(parsed: { value: T } | { error: string }) => ('value' in parsed ? parsed.value : parsed);
const PARIS = 'Europe/Paris';

describe('weekdays', () => {
  it('[AP-2] reads lists and ranges of French or English days, abbreviated or not, in week order', () => {
    expect(value(parseWeekdays('lun-ven'))).toEqual([1, 2, 3, 4, 5]);
    expect(value(parseWeekdays('mon-fri'))).toEqual([1, 2, 3, 4, 5]);
    expect(value(parseWeekdays('lun,mar,jeu'))).toEqual([1, 2, 4]);
    expect(value(parseWeekdays('Jeudi; Lundi / Mardi'))).toEqual([1, 2, 4]);
    expect(value(parseWeekdays('Lundi - Mercredi, sam.'))).toEqual([1, 2, 3, 6]);
    expect(value(parseWeekdays('tuesday thursday'))).toEqual([2, 4]);
    expect(value(parseWeekdays('lun-mer,mar-jeu'))).toEqual([1, 2, 3, 4]);
    expect(value(parseWeekdays('dim'))).toEqual([7]);
  });

  it('runs a range that ends before it starts over the weekend', () => {
    expect(value(parseWeekdays('ven-lun'))).toEqual([1, 5, 6, 7]);
    expect(value(parseWeekdays('sam-sam'))).toEqual([6]);
  });

  it('names the word that is not a day, and refuses public holidays and three-ended ranges', () => {
    expect(parseWeekdays('lun,mra')).toEqual({
      error:
        '"lun,mra" is not a list of weekdays: "mra" is not a day of the week (e.g. "lun-ven", "lun,mar,jeu", "mon-fri")',
    });
    expect(parseWeekdays('lun,férié')).toEqual({
      error:
        '"lun,férié" is not a list of weekdays: "férié" is not a day of the week (e.g. "lun-ven", "lun,mar,jeu", "mon-fri")',
    });
    expect(parseWeekdays('lun-mer-ven')).toEqual({
      error:
        '"lun-mer-ven" is not a list of weekdays: "lun-mer-ven" is not a range (e.g. "lun-ven", "lun,mar,jeu", "mon-fri")',
    });
    expect(parseWeekdays(',')).toHaveProperty('error');
  });
});

describe('days and absence bounds', () => {
  it('reads a calendar date in ISO or French writing, and refuses a day that does not exist', () => {
    expect(value(parseLocalDate('2026-12-14'))).toBe('2026-12-14');
    expect(value(parseLocalDate('14/12/2026'))).toBe('2026-12-14');
    expect(value(parseLocalDate('4/1/2027'))).toBe('2027-01-04');
    expect(parseLocalDate('31/02/2027')).toEqual({
      error: '"31/02/2027" is not a date (YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-12-14)',
    });
  });

  it('[AP-2] makes a day alone the whole day in the zone (23 or 25 hours on DST days), a date and time one instant', () => {
    expect(value(parseLocalDayOrTime('14/12/2026', PARIS))).toEqual({
      start: new Date('2026-12-13T23:00:00Z'),
      end: new Date('2026-12-14T23:00:00Z'),
    });
    expect(value(parseLocalDayOrTime('2027-03-28', PARIS))).toEqual({
      start: new Date('2027-03-27T23:00:00Z'),
      end: new Date('2027-03-28T22:00:00Z'),
    });
    expect(value(parseLocalDayOrTime('2027-10-31', PARIS))).toEqual({
      start: new Date('2027-10-30T22:00:00Z'),
      end: new Date('2027-10-31T23:00:00Z'),
    });
    const instant = new Date('2026-12-14T12:30:00Z');
    expect(value(parseLocalDayOrTime('2026-12-14 13:30', PARIS))).toEqual({ start: instant, end: instant });
  });

  it('says what it accepts, and what to write for a time that does not exist', () => {
    expect(parseLocalDayOrTime('demain', PARIS)).toEqual({
      error: '"demain" is not a date (2026-12-14, 14/12/2026) nor a date and time (2026-12-14 13:30)',
    });
    expect(parseLocalDayOrTime('2027-03-28 02:30', PARIS)).toEqual({
      error: expect.stringContaining('does not exist in Europe/Paris'),
    });
  });
});
