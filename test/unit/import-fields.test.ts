import { describe, expect, it } from 'vitest';
import type { CsvRow } from '../../src/imports/csv-reader.js';
import {
  delayMinutesFrom,
  parseClockTime,
  parseDay,
  parseEquipment,
  parseFieldHours,
  parseHolidayCalendar,
  parseMobile,
  parseOnCallType,
  parsePhoneList,
  parsePostcode,
  parseYesNo,
} from '../../src/imports/field-parsers.js';
import { formatIssue, Issues } from '../../src/imports/import-report.js';
import { parseLocalDateTime } from '../../src/imports/local-time.js';
import { groupByCustomer, parseEligibilityRow } from '../../src/oncall/imports/eligibility.rows.js';

const value = <T>(parsed: { value: T } | { error: string }) => ('value' in parsed ? parsed.value : parsed);

describe('cell rules', () => {
  it('accepts yes/no in English and French, 1/0, and names what it accepts otherwise', () => {
    for (const yes of ['yes', 'Oui', 'O', '1', 'true', 'VRAI']) expect(value(parseYesNo(yes))).toBe(true);
    for (const no of ['no', 'NON', 'n', '0', 'false', 'faux']) expect(value(parseYesNo(no))).toBe(false);
    expect(parseYesNo('peut-être')).toEqual({
      error: '"peut-être" is not yes or no (accepted: yes/no, oui/non, 1/0, true/false)',
    });
  });

  it('normalises every French writing of several numbers in one cell to E.164, and rejects a bad one by its text', () => {
    expect(value(parsePhoneList('06 00 20 01 01|04.65.71.01.01| +33 6 00 20 01 01 |0033600200102'))).toEqual([
      '+33600200101',
      '+33465710101',
      '+33600200102',
    ]);
    expect(parsePhoneList('06 00 20 01 01|06 12')).toEqual({ error: '"06 12" is not a valid phone number' });
  });

  it('wants a mobile for on-call staff, since pages also go by SMS', () => {
    expect(value(parseMobile('06 00 30 01 01'))).toBe('+33600300101');
    expect(parseMobile('04 65 71 00 09')).toEqual({
      error: '"04 65 71 00 09" is not a mobile number (pages are also sent by SMS)',
    });
  });

  it('maps French equipment labels as well as the enum names', () => {
    expect(value(parseEquipment('Chaudière individuelle gaz'))).toBe('INDIVIDUAL_GAS_BOILER');
    expect(value(parseEquipment('chaudiere fioul'))).toBe('INDIVIDUAL_OIL_BOILER');
    expect(value(parseEquipment('Chaufferie collective'))).toBe('BOILER_ROOM');
    expect(value(parseEquipment('pompe à chaleur'))).toBe('HEAT_PUMP');
    expect(value(parseEquipment('boiler_room'))).toBe('BOILER_ROOM');
    expect(parseEquipment('grille-pain')).toHaveProperty('error');
  });

  it('reads the minutes of a contractual delay when its words state a duration, not a period', () => {
    expect(delayMinutesFrom('intervention sous 4 heures')).toBe(240);
    expect(delayMinutesFrom('sous 4h30')).toBe(270);
    expect(delayMinutesFrom('sous 4 h')).toBe(240);
    expect(delayMinutesFrom('90 min')).toBe(90);
    expect(delayMinutesFrom("dans l'heure")).toBe(60);
    expect(delayMinutesFrom('7/7 individuel')).toBeNull();
    expect(delayMinutesFrom('jours ouvrés')).toBeNull();
  });

  it('reads on-call types as codes, French names included', () => {
    expect(value(parseOnCallType('individuel'))).toBe('individual');
    expect(value(parseOnCallType('Chaufferie'))).toBe('boiler_room');
    expect(value(parseOnCallType('boiler room'))).toBe('boiler_room');
    expect(parseOnCallType('3x8')).toHaveProperty('error');
  });

  it('reads days in English and French, with public holidays as day 8', () => {
    expect(value(parseDay('mon'))).toBe(1);
    expect(value(parseDay('Dimanche'))).toBe(7);
    expect(value(parseDay('sam.'))).toBe(6);
    expect(value(parseDay('public_holiday'))).toBe(8);
    expect(value(parseDay('férié'))).toBe(8);
    expect(parseDay('someday')).toHaveProperty('error');
  });

  it('reads times of day as minutes, 24:00 being the end of the day', () => {
    expect(value(parseClockTime('18:00'))).toBe(1080);
    expect(value(parseClockTime('8:30'))).toBe(510);
    expect(value(parseClockTime('18h'))).toBe(1080);
    expect(value(parseClockTime('17h30'))).toBe(1050);
    expect(value(parseClockTime('24:00'))).toBe(1440);
    for (const bad of ['24:30', '18:75', '6pm', '']) expect(parseClockTime(bad)).toHaveProperty('error');
  });

  it('accepts the Alsace-Moselle holiday calendars and gives back the zero spreadsheets drop from postcodes', () => {
    expect(value(parseHolidayCalendar('fr-57'))).toBe('FR-57');
    expect(value(parseHolidayCalendar('67'))).toBe('FR-67');
    expect(parseHolidayCalendar('FR-69')).toHaveProperty('error');
    expect(value(parsePostcode('1000'))).toBe('01000');
    expect(parsePostcode('7400')).toEqual({ value: '07400' });
    expect(parsePostcode('740')).toHaveProperty('error');
  });
});

describe('[AP-2] agency field hours', () => {
  it('[AP-2] groups of days with their ranges become the opening-hours format, French or English', () => {
    expect(value(parseFieldHours('lun-ven 08:00-12:00, 13:30-17:30; sam 9h-12h'))).toEqual({
      mon: '08:00-12:00,13:30-17:30',
      tue: '08:00-12:00,13:30-17:30',
      wed: '08:00-12:00,13:30-17:30',
      thu: '08:00-12:00,13:30-17:30',
      fri: '08:00-12:00,13:30-17:30',
      sat: '09:00-12:00',
    });
    expect(value(parseFieldHours('mon,wed 07:30-11:30'))).toEqual({ mon: '07:30-11:30', wed: '07:30-11:30' });
  });

  it('[AP-2] garbled hours are refused, saying what is wrong', () => {
    const error = (raw: string) => (value(parseFieldHours(raw)) as { error: string }).error;
    expect(error('lun-ven')).toMatch(/not days followed by times .*lun-ven 08:00-12:00/);
    expect(error('08:00-12:00')).toMatch(/not days followed by times/);
    expect(error('lun 12:00-08:00')).toMatch(/"12:00-08:00" is not a time range/);
    expect(error('xyz 08:00-10:00')).toMatch(/"xyz" is not a day of the week/);
    expect(error('lun 08:00-10:00; lun 14:00-16:00')).toMatch(/gives mon twice/);
  });
});

describe('local date-times of rotas (Europe/Paris)', () => {
  const zone = 'Europe/Paris';
  it('converts winter and summer local times to the right instants', () => {
    expect(value(parseLocalDateTime('2026-11-27 18:00', zone))).toEqual(new Date('2026-11-27T17:00:00Z'));
    expect(value(parseLocalDateTime('2026-07-14 08:00', zone))).toEqual(new Date('2026-07-14T06:00:00Z'));
    expect(value(parseLocalDateTime('27/11/2026 18:00', zone))).toEqual(new Date('2026-11-27T17:00:00Z'));
  });

  it('refuses a time skipped when clocks go forward, saying what to write', () => {
    expect(parseLocalDateTime('2026-03-29 02:30', zone)).toEqual({
      error:
        '"2026-03-29 02:30" does not exist in Europe/Paris (clocks go forward that night): write the time after the change, e.g. 2026-03-29 03:30',
    });
  });

  it('refuses a time that happens twice when clocks go back, unless its offset is given', () => {
    const ambiguous = parseLocalDateTime('2026-10-25 02:30', zone);
    expect(ambiguous).toHaveProperty('error');
    expect((ambiguous as { error: string }).error).toContain(
      '2026-10-25T02:30+02:00 (first) or 2026-10-25T02:30+01:00',
    );
    expect(value(parseLocalDateTime('2026-10-25T02:30+02:00', zone))).toEqual(
      new Date('2026-10-25T00:30:00Z'),
    );
    expect(value(parseLocalDateTime('2026-10-25T02:30+01:00', zone))).toEqual(
      new Date('2026-10-25T01:30:00Z'),
    );
  });

  it('refuses what is not a date-time', () => {
    expect(parseLocalDateTime('vendredi soir', zone)).toHaveProperty('error');
    expect(parseLocalDateTime('2026-02-30 08:00', zone)).toHaveProperty('error');
  });
});

const HEADER = [
  'customer_ref',
  'last_name',
  'first_name',
  'address',
  'postcode',
  'city',
  'phones',
  'contract_ref',
  'out_of_hours',
  'on_call_type',
  'equipment',
  'contractual_delay',
  'agency',
];
const row = (line: number, values: string[], header = HEADER): CsvRow => ({
  line,
  cells: new Map(header.map((name, i) => [name, values[i] ?? ''])),
});
const durand = (contract: string, overrides: Partial<Record<string, string>> = {}) =>
  HEADER.map(
    (name) =>
      overrides[name] ??
      {
        customer_ref: 'C1',
        last_name: 'Durand',
        first_name: 'Camille',
        address: '1 rue des Lilas',
        postcode: '74000',
        city: 'Annecy',
        phones: '06 00 20 01 01',
        contract_ref: contract,
        out_of_hours: 'oui',
        on_call_type: 'individuel',
        equipment: 'chaudière individuelle gaz',
        contractual_delay: 'sous 4 heures',
        agency: 'AG-ANN',
      }[name]!,
  );

describe('eligibility lines', () => {
  it('reads a line into a customer and a contract, deriving the delay in minutes', () => {
    const issues = new Issues();
    const parsed = parseEligibilityRow(row(2, durand('CT1')), issues);
    expect(issues.errors).toEqual([]);
    expect(parsed).toMatchObject({
      line: 2,
      customer: { reference: 'C1', lastName: 'Durand', phones: ['+33600200101'] },
      contract: {
        reference: 'CT1',
        agencyCode: 'AG-ANN',
        outOfHoursCoverage: true,
        onCallType: 'individual',
        equipment: 'INDIVIDUAL_GAS_BOILER',
        contractualDelayMinutes: 240,
      },
    });
    // Columns absent from the file keep what is stored.
    expect(parsed!.contract.individual77).toBeUndefined();
  });

  it('reports each bad cell with its line and column, in the words of the error report', () => {
    const issues = new Issues();
    const parsed = parseEligibilityRow(
      row(7, durand('CT1', { phones: '06 12', out_of_hours: 'oui', on_call_type: '', postcode: 'Annecy' })),
      issues,
    );
    expect(parsed).toBeNull();
    expect(issues.errors.map(formatIssue)).toEqual([
      'line 7, field postcode: "Annecy" is not a French postcode (5 digits)',
      'line 7, field phones: "06 12" is not a valid phone number',
      'line 7, field on_call_type: a value is required',
    ]);
  });

  it('lets a contract without out-of-hours coverage leave the on-call type empty', () => {
    const issues = new Issues();
    const parsed = parseEligibilityRow(
      row(2, durand('CT1', { out_of_hours: 'non', on_call_type: '' })),
      issues,
    );
    expect(issues.errors).toEqual([]);
    expect(parsed!.contract).toMatchObject({ outOfHoursCoverage: false, onCallType: null });
  });

  it('groups contracts by customer and refuses a customer described two ways', () => {
    const issues = new Issues();
    const lines = [
      row(2, durand('CT1')),
      row(3, durand('CT2')),
      row(4, durand('CT3', { address: '2 rue des Lilas' })),
      row(5, durand('CT4', { phones: '06 00 20 01 02' })),
    ].map((r) => parseEligibilityRow(r, issues)!);
    const groups = groupByCustomer(lines, issues);
    expect(groups.get('C1')!.contracts.map((c) => c.contract.reference)).toEqual(['CT1', 'CT2']);
    expect(issues.errors.map(formatIssue)).toEqual([
      'line 4, field address: customer "C1" has "2 rue des Lilas" here but "1 rue des Lilas" on line 2',
      'line 5, field phones: customer "C1" has other phone numbers here than on line 2',
    ]);
  });
});
