import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/imports/import-report.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';

// The appointments' imports (field roster, agency closures) through the real endpoint, against
// PostgreSQL: on the agencies and technicians of the samples, then what an agency's next files do.

// The Friday before the samples' week, as in imports.test.ts: every absence of the samples is to come.
const NOW = at('2026-11-27T10:00');
const HOUR = 3600_000;
let h: Harness;
let importer: string; // API token, role IMPORT

const sample = (name: string) => readFile(new URL(`../../samples/${name}.csv`, import.meta.url), 'utf8');

function post(kind: string, body: string) {
  return h.app.inject({
    method: 'POST',
    url: `/api/imports/${kind}`,
    headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${importer}` },
    payload: body,
  });
}

async function imported(kind: string, body: string): Promise<ImportReport> {
  const response = await post(kind, body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as ImportReport;
}

async function refused(kind: string, body: string): Promise<ImportReport> {
  const response = await post(kind, body);
  expect(response.statusCode, response.body).toBe(422);
  return response.json() as ImportReport;
}

const technician = (reference: string) =>
  h.services.db.technician.findUniqueOrThrow({
    where: { reference },
    include: { agency: true, absences: { orderBy: { startsAt: 'asc' } } },
  });
const weekdays = async (reference: string) => (await technician(reference)).fieldWeekdays;
const absences = async (reference: string) =>
  (await technician(reference)).absences.map((a) => ({ start: a.startsAt, end: a.endsAt, reason: a.reason }));

const closures = async (code: string) =>
  (await h.services.db.agencyClosure.findMany({ where: { agency: { code } }, orderBy: { day: 'asc' } })).map(
    (c) => [c.day.toISOString().slice(0, 10), c.reason],
  );

beforeAll(async () => {
  h = await startHarness({ clock: runningFrom(NOW) });
  importer = await h.apiToken('IMPORT', 'imports');
  await imported('agencies', await sample('agencies'));
  await imported('technician-rotas', await sample('technician-rotas'));
});

afterAll(async () => {
  await h.close();
});

describe('the field roster', () => {
  it('[AP-2] imports the sample: weekdays from French lists and ranges, absences at their instants in the agency zone, a new technician created', async () => {
    const report = await imported('field-roster', await sample('field-roster'));
    expect(report).toMatchObject({ applied: true, refused: false, errors: [], warnings: [] });
    expect(report.entities).toMatchObject({
      technicians: { created: 1, updated: 0, unchanged: 4 },
      roster: { created: 5, updated: 0, removed: 0 },
      absences: { created: 3, removed: 0 },
    });

    expect(await weekdays('T-ANN-01')).toEqual([1, 2, 3, 4, 5]);
    expect(await weekdays('T-ANN-02')).toEqual([1, 2, 4, 5]);
    expect(await weekdays('T-CHB-02')).toEqual([1, 2, 3, 4]);
    // On call but not in the file: not in the appointments' roster.
    expect(await weekdays('T-ANN-03')).toEqual([]);
    expect(await technician('T-ANN-05')).toMatchObject({
      lastName: 'Perrier',
      firstName: 'Lucas',
      mobile: '+33600300105',
      fieldWeekdays: [2, 3, 4, 5, 6],
      agency: { code: 'AG-ANN' },
    });

    // Dates alone are whole days: 21 to 24 December is 21 December 00:00 to 25 December 00:00.
    expect(await absences('T-ANN-01')).toEqual([
      { start: at('2026-12-21T00:00'), end: at('2026-12-25T00:00'), reason: 'congés' },
      { start: at('2027-01-11T13:30'), end: at('2027-01-11T17:30'), reason: 'formation' },
    ]);
    expect((await absences('T-ANN-01'))[0]!.start).toEqual(new Date('2026-12-20T23:00:00Z'));
    // "14/12/2026" with no absent_to: that day.
    expect(await absences('T-CHB-01')).toEqual([
      { start: at('2026-12-14T00:00'), end: at('2026-12-15T00:00'), reason: 'RTT' },
    ]);

    const audit = await h.services.db.auditLog.findFirstOrThrow({ where: { action: 'import.field-roster' } });
    expect(audit).toMatchObject({ actorType: 'API_TOKEN', data: { source: 'http', lines: 6, created: 9 } });
  });

  it('[AP-2] reads French column titles and full day names; a whole day lasts 23 hours when clocks go forward, 25 when they go back', async () => {
    const csv = [
      'Agence;Matricule;Jours terrain;Absent du;Absent au;Motif',
      'AG-STR;T-STR-01;Lundi - Vendredi;2027-03-28;;',
      'AG-STR;T-STR-01;Lundi - Vendredi;31/10/2027;31/10/2027;',
      'AG-STR;T-STR-02;mon,wed;;;',
    ].join('\n');
    const report = await imported('field-roster', csv);
    expect(report.errors).toEqual([]);
    expect(report.entities).toMatchObject({ roster: { created: 2 }, absences: { created: 2 } });
    expect(await weekdays('T-STR-02')).toEqual([1, 3]);
    const [spring, autumn] = await absences('T-STR-01');
    expect(spring).toEqual({
      start: new Date('2027-03-27T23:00:00Z'),
      end: new Date('2027-03-28T22:00:00Z'),
      reason: null,
    });
    expect(spring!.end.getTime() - spring!.start.getTime()).toBe(23 * HOUR);
    expect(autumn!.start).toEqual(new Date('2027-10-30T22:00:00Z'));
    expect(autumn!.end.getTime() - autumn!.start.getTime()).toBe(25 * HOUR);
  });

  it('changes nothing when the same file comes again, and keeps the absence rows', async () => {
    const ids = (await h.services.db.technicianAbsence.findMany({ orderBy: { id: 'asc' } })).map((a) => a.id);
    const report = await imported('field-roster', await sample('field-roster'));
    expect({ created: report.created, updated: report.updated, removed: report.removed }).toEqual({
      created: 0,
      updated: 0,
      removed: 0,
    });
    expect(report.entities).toMatchObject({
      technicians: { unchanged: 5 },
      roster: { unchanged: 5 },
      absences: { unchanged: 3 },
    });
    expect(
      (await h.services.db.technicianAbsence.findMany({ orderBy: { id: 'asc' } })).map((a) => a.id),
    ).toEqual(ids);
  });

  it("[AP-2] re-sent, replaces the agency's roster: technicians not listed leave it, the listed ones' absences to come become the file's, past ones stay", async () => {
    const db = h.services.db;
    const ann01 = await technician('T-ANN-01');
    const ann02 = await technician('T-ANN-02');
    const past = { start: at('2026-11-02T00:00'), end: at('2026-11-07T00:00'), reason: 'congés' };
    const notListed = { start: at('2026-12-28T00:00'), end: at('2027-01-02T00:00'), reason: 'congés' };
    await db.technicianAbsence.createMany({
      data: [
        { technicianId: ann01.id, startsAt: past.start, endsAt: past.end, reason: past.reason },
        {
          technicianId: ann02.id,
          startsAt: notListed.start,
          endsAt: notListed.end,
          reason: notListed.reason,
        },
      ],
    });
    const csv = [
      'agency;technician_ref;weekdays;absent_from;absent_to;absence_reason',
      'AG-ANN;T-ANN-01;lun,mar,mer;2027-01-11 13:30;2027-01-11 17:30;formation gaz',
      'AG-ANN;T-ANN-01;lun,mar,mer;2026-12-28;2026-12-31;congés',
      'AG-ANN;T-ANN-05;mar-sam;;;',
    ].join('\n');
    const report = await imported('field-roster', csv);
    expect(report.errors).toEqual([]);
    expect(report.entities).toMatchObject({
      technicians: { unchanged: 2 },
      roster: { created: 0, updated: 1, unchanged: 1, removed: 1 },
      absences: { created: 1, updated: 1, unchanged: 0, removed: 1 },
    });

    expect(await weekdays('T-ANN-01')).toEqual([1, 2, 3]);
    expect(await weekdays('T-ANN-02')).toEqual([]);
    expect(await absences('T-ANN-01')).toEqual([
      past,
      { start: at('2026-12-28T00:00'), end: at('2027-01-01T00:00'), reason: 'congés' },
      { start: at('2027-01-11T13:30'), end: at('2027-01-11T17:30'), reason: 'formation gaz' },
    ]);
    // Not listed: out of the roster, absences untouched.
    expect(await absences('T-ANN-02')).toEqual([notListed]);
    // Another agency, not in the file: as it was.
    expect(await weekdays('T-CHB-01')).toEqual([1, 2, 3, 4, 5]);
    expect(await absences('T-CHB-01')).toHaveLength(1);
  });

  it('[AP-2] refuses unknown agencies, garbled weekdays, absences ending before they start or overlapping, and weekdays that disagree, by line, and changes nothing', async () => {
    const before = await h.services.db.technician.findMany({
      orderBy: { reference: 'asc' },
      include: { absences: true },
    });
    const audits = await h.services.db.auditLog.count();
    const csv = [
      'agency;technician_ref;weekdays;absent_from;absent_to',
      'AG-CHB;T-CHB-01;lun-ven;2026-12-14;2026-12-18',
      'AG-CHB;T-CHB-02;lun-vendredo;;',
      'AG-NOPE;T-CHB-03;lun-ven;;',
      'AG-DIJ;T-DIJ-01;lun-ven;2026-12-18;2026-12-14',
      'AG-DIJ;T-DIJ-01;lun-jeu;;',
      'AG-CHB;T-CHB-01;lun-ven;2026-12-16 08:00;2026-12-16 12:00',
    ].join('\n');
    const report = await refused('field-roster', csv);
    expect(report).toMatchObject({ applied: false, refused: true, created: 0, removed: 0 });
    expect(report.errors).toEqual([
      {
        line: 3,
        field: 'weekdays',
        message:
          '"lun-vendredo" is not a list of weekdays: "vendredo" is not a day of the week (e.g. "lun-ven", "lun,mar,jeu", "mon-fri")',
      },
      {
        line: 4,
        field: 'agency',
        message: 'unknown agency "AG-NOPE" (import it with the agencies file first)',
      },
      { line: 5, field: 'absent_to', message: '"2026-12-14" is not after absent_from "2026-12-18"' },
      {
        line: 6,
        field: 'weekdays',
        message: 'technician "T-DIJ-01" has weekdays mon,tue,wed,thu here but mon,tue,wed,thu,fri on line 5',
      },
      {
        line: 7,
        field: 'absent_from',
        message: 'overlaps the absence of line 2 (2026-12-14 00:00 to 2026-12-19 00:00)',
      },
    ]);
    expect(
      await h.services.db.technician.findMany({ orderBy: { reference: 'asc' }, include: { absences: true } }),
    ).toEqual(before);
    expect(await h.services.db.auditLog.count()).toBe(audits);
  });

  it('[AP-2] leaves an agency with an error as it was and applies the others; a file without absence columns keeps the absences', async () => {
    const csv = [
      'agency;technician_ref;last_name;first_name;mobile;weekdays',
      'AG-STR;T-STR-01;;;;lun-mer',
      'AG-STR;T-STR-02;;;;mon,wed',
      'AG-DIJ;T-DIJ-01;;;;lun-ven',
      'AG-DIJ;T-ANN-01;;;;lun-ven',
      'AG-DIJ;T-DIJ-09;Klein;;;lun',
    ].join('\n');
    const report = await imported('field-roster', csv);
    expect(report.errors).toEqual([
      {
        line: 5,
        field: 'technician_ref',
        message:
          'technician "T-ANN-01" belongs to agency AG-ANN, not AG-DIJ: an agency\'s roster lists its own technicians',
      },
      {
        line: 6,
        field: 'technician_ref',
        message:
          'unknown technician "T-DIJ-09": give last_name, first_name and mobile on one of their lines to create them',
      },
    ]);
    expect(report.entities).toMatchObject({
      technicians: { created: 0, unchanged: 2 },
      roster: { updated: 1, unchanged: 1 },
      absences: { created: 0, removed: 0 },
    });
    expect(await weekdays('T-STR-01')).toEqual([1, 2, 3]);
    expect(await absences('T-STR-01')).toHaveLength(2);
    expect(await weekdays('T-DIJ-01')).toEqual([]);
    expect(await weekdays('T-ANN-01')).toEqual([1, 2, 3]);
    expect(await h.services.db.technician.findUnique({ where: { reference: 'T-DIJ-09' } })).toBeNull();
  });
});

describe('agency closures', () => {
  it('[AP-2] imports the sample as calendar days, with their reasons', async () => {
    const report = await imported('agency-closures', await sample('agency-closures'));
    expect(report).toMatchObject({ errors: [], warnings: [] });
    expect(report.entities).toMatchObject({ closures: { created: 4 } });
    expect(await closures('AG-ANN')).toEqual([
      ['2026-12-24', 'pont de Noël'],
      ['2026-12-31', 'inventaire annuel'],
    ]);
    expect(await closures('AG-CHB')).toEqual([['2026-12-24', 'pont de Noël']]);

    const again = await imported('agency-closures', await sample('agency-closures'));
    expect(again.entities).toMatchObject({ closures: { created: 0, updated: 0, unchanged: 4, removed: 0 } });
  });

  it("[AP-2] replaces an agency's closures from today on, keeps past ones as history and leaves the other agencies", async () => {
    const annecy = await h.services.db.agency.findUniqueOrThrow({ where: { code: 'AG-ANN' } });
    await h.services.db.agencyClosure.create({
      data: { agencyId: annecy.id, day: new Date('2026-11-02T00:00:00Z'), reason: 'pont' },
    });
    const csv = [
      'agence;jour;motif',
      'AG-ANN;2026-12-24;fermeture exceptionnelle',
      'AG-ANN;02/01/2027;pont',
      'AG-ANN;2026-11-11;armistice',
    ].join('\n');
    const report = await imported('agency-closures', csv);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([
      {
        line: 4,
        field: 'day',
        message:
          '2026-11-11 is past: ignored (past closures are history, only those from today on are replaced)',
      },
    ]);
    expect(report.entities).toMatchObject({ closures: { created: 1, updated: 1, removed: 1 } });
    expect(await closures('AG-ANN')).toEqual([
      ['2026-11-02', 'pont'],
      ['2026-12-24', 'fermeture exceptionnelle'],
      ['2027-01-02', 'pont'],
    ]);
    expect(await closures('AG-CHB')).toEqual([['2026-12-24', 'pont de Noël']]);
  });

  it('[AP-2] refuses unknown agencies, dates that are not and days given twice, by line, and changes nothing', async () => {
    const before = await h.services.db.agencyClosure.findMany({ orderBy: { id: 'asc' } });
    const csv = [
      'agency;day',
      'AG-CHB;2026-12-26',
      'AG-CHB;31/02/2027',
      'AG-NOPE;2026-12-26',
      'AG-STR;2027-01-04',
      'AG-STR;04/01/2027',
    ].join('\n');
    const report = await refused('agency-closures', csv);
    expect(report.errors).toEqual([
      {
        line: 3,
        field: 'day',
        message: '"31/02/2027" is not a date (YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-12-14)',
      },
      {
        line: 4,
        field: 'agency',
        message: 'unknown agency "AG-NOPE" (import it with the agencies file first)',
      },
      { line: 6, field: 'day', message: '2027-01-04 is already on line 5' },
    ]);
    expect(await h.services.db.agencyClosure.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });
});

it('describes both kinds in the OpenAPI document', async () => {
  const openapi = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, { post?: { description?: string } }>;
  };
  expect(openapi.paths['/api/imports/field-roster']?.post?.description).toContain('roster');
  expect(openapi.paths['/api/imports/agency-closures']?.post?.description).toContain('closed');
});
