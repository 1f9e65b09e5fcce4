import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/imports/import-report.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';

// The on-call imports through the real endpoint, against PostgreSQL and Redis: the samples of
// samples/ in order on an empty database, then what a utility's next files would do.

const BODY_LIMIT = 8192;
// The samples' rotas start on Monday 2026-11-30: the imports happen the Friday before, so that
// every period is still to come (the rota rules treat a period under way or over differently).
const FRIDAY_BEFORE = at('2026-11-27T10:00');
let h: Harness;
let importer: string; // API token, role IMPORT
let admin: string;

const sample = (name: string) => readFile(new URL(`../../samples/${name}.csv`, import.meta.url), 'utf8');

function post(
  kind: string,
  body: string | Buffer,
  options: { token?: string | null; query?: string; contentType?: string } = {},
) {
  const token = options.token === undefined ? importer : options.token;
  return h.app.inject({
    method: 'POST',
    url: `/api/imports/${kind}${options.query ? `?${options.query}` : ''}`,
    headers: {
      'content-type': options.contentType ?? 'text/csv; charset=utf-8',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    payload: body,
  });
}

async function imported(kind: string, body: string, query?: string): Promise<ImportReport> {
  const response = await post(kind, body, { query });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as ImportReport;
}

const refused = async (kind: string, body: string) => {
  const response = await post(kind, body);
  expect(response.statusCode, response.body).toBe(422);
  return response.json() as ImportReport;
};

beforeAll(async () => {
  h = await startHarness({
    clock: runningFrom(FRIDAY_BEFORE),
    env: { BODY_LIMIT_BYTES: String(BODY_LIMIT) },
  });
  admin = await h.login('ADMIN');
  importer = await h.apiToken('IMPORT', 'imports');
});

afterAll(async () => {
  await h.close();
});

describe('who may import', () => {
  it('refuses a request without a token (401), an agent and an integration token (403)', async () => {
    const csv = await sample('agencies');
    expect((await post('agencies', csv, { token: null })).statusCode).toBe(401);
    expect((await post('agencies', csv, { token: await h.login('AGENT') })).statusCode).toBe(403);
    const integration = await h.app.inject({
      method: 'POST',
      url: '/api/admin/api-tokens',
      headers: { authorization: `Bearer ${admin}` },
      payload: { name: 'wallboard', role: 'INTEGRATION' },
    });
    const token = (integration.json() as { token: string }).token;
    expect((await post('agencies', csv, { token })).statusCode).toBe(403);
    expect(await h.services.db.agency.count()).toBe(0);
  });
});

describe('the samples, in order, on an empty database', () => {
  it('[ON-2] imports agencies with their regions, deriving the Alsace-Moselle calendar from the postcode', async () => {
    const report = await imported('agencies', await sample('agencies'));
    expect(report).toMatchObject({ applied: true, refused: false, errors: [], warnings: [] });
    expect(report.entities).toMatchObject({ regions: { created: 2 }, agencies: { created: 4 } });
    const strasbourg = await h.services.db.agency.findUniqueOrThrow({
      where: { code: 'AG-STR' },
      include: { region: true },
    });
    expect(strasbourg).toMatchObject({
      holidayCalendar: 'FR-67',
      address: '7 route du Polygone, 67100 Strasbourg',
      phone: '+33353011000',
      email: 'agence.strasbourg@samples.example',
      region: {
        code: 'DR-EST',
        name: 'Direction régionale Est',
        directionEmail: 'direction.est@samples.example',
      },
    });
  });

  it('[ON-2] imports on-call hours as windows, nights running past midnight', async () => {
    const report = await imported('on-call-hours', await sample('on-call-hours'));
    expect(report.created).toBe(40);
    const annecy = await h.services.db.agency.findUniqueOrThrow({ where: { code: 'AG-ANN' } });
    const windows = await h.services.db.onCallWindow.findMany({
      where: { agencyId: annecy.id, onCallType: 'individual' },
      orderBy: { day: 'asc' },
      select: { day: true, startMinute: true, endMinute: true },
    });
    expect(windows[0]).toEqual({ day: 1, startMinute: 18 * 60, endMinute: 24 * 60 + 8 * 60 });
    expect(windows.at(-1)).toEqual({ day: 8, startMinute: 8 * 60, endMinute: 24 * 60 + 8 * 60 });
  });

  it('[ON-1] imports the eligibility file: customers, E.164 phones, contracts with their batch', async () => {
    const report = await imported('eligibility', await sample('eligibility'), 'batch=2026-W48');
    expect(report.entities).toMatchObject({
      customers: { created: 9 },
      contracts: { created: 10, uncovered: 0 },
      phones: { created: 11 },
    });
    const db = h.services.db;
    const fontaine = await db.customer.findUniqueOrThrow({
      where: { reference: 'C2001' },
      include: { phones: { orderBy: { e164: 'asc' } } },
    });
    expect(fontaine.phones.map((p) => [p.e164, p.kind])).toEqual([
      ['+33465710101', 'LANDLINE'],
      ['+33600200101', 'MOBILE'],
    ]);
    expect(await db.contract.findUniqueOrThrow({ where: { reference: 'CT-2003-1' } })).toMatchObject({
      outOfHoursCoverage: true,
      onCallType: 'boiler_room',
      equipment: 'BOILER_ROOM',
      contractualDelay: "dans l'heure",
      contractualDelayMinutes: 60,
      eligibilityBatch: '2026-W48',
    });
    expect(await db.contract.findUniqueOrThrow({ where: { reference: 'CT-2002-1' } })).toMatchObject({
      individual77: true,
      contractualDelayMinutes: 240,
    });
  });

  it('[ON-2] imports the technician rota, creating the technicians from its columns', async () => {
    const report = await imported('technician-rotas', await sample('technician-rotas'));
    expect(report).toMatchObject({ errors: [], warnings: [] });
    expect(report.entities).toMatchObject({ technicians: { created: 9 }, rotas: { created: 13 } });
    const db = h.services.db;
    const annecy = await db.agency.findUniqueOrThrow({ where: { code: 'AG-ANN' } });
    expect(await db.technician.findUniqueOrThrow({ where: { reference: 'T-ANN-01' } })).toMatchObject({
      lastName: 'Bouvier',
      firstName: 'Julien',
      mobile: '+33600300101',
      agencyId: annecy.id,
    });
    const first = await db.technicianRota.findFirstOrThrow({
      where: { technician: { reference: 'T-ANN-01' }, onCallType: 'individual' },
    });
    // 2026-11-30 08:00 in Paris, winter time.
    expect(first.startsAt).toEqual(new Date('2026-11-30T07:00:00Z'));
  });

  it('[ON-2] imports the regional managers rota (comma-separated) sent by an administrator', async () => {
    const response = await post('manager-rotas', await sample('manager-rotas'), { token: admin });
    expect(response.statusCode, response.body).toBe(200);
    expect((response.json() as ImportReport).entities).toMatchObject({
      managers: { created: 4 },
      rotas: { created: 4 },
    });
    expect(
      await h.services.db.regionalManager.findUniqueOrThrow({ where: { reference: 'CR-EST-02' } }),
    ).toMatchObject({ firstName: 'Jean-Marc', mobile: '+33600400202' });
  });

  it('records one audit row per applied import, with its counts and who sent it', async () => {
    const rows = await h.services.db.auditLog.findMany({
      where: { entity: 'import' },
      orderBy: { id: 'asc' },
    });
    expect(rows.map((r) => [r.action, r.actorType])).toEqual([
      ['import.agencies', 'API_TOKEN'],
      ['import.on-call-hours', 'API_TOKEN'],
      ['import.eligibility', 'API_TOKEN'],
      ['import.technician-rotas', 'API_TOKEN'],
      ['import.manager-rotas', 'USER'],
    ]);
    expect(rows[2]).toMatchObject({ entityId: '2026-W48', data: { created: 30, lines: 10, source: 'http' } });
  });

  it('[ON-1] changes nothing when the same files come again, and keeps the rota rows (pages refer to them)', async () => {
    const rotaIds = (await h.services.db.technicianRota.findMany({ orderBy: { id: 'asc' } })).map(
      (r) => r.id,
    );
    const before = await h.services.db.contract.findUniqueOrThrow({ where: { reference: 'CT-2001-1' } });
    for (const [kind, query] of [
      ['agencies'],
      ['on-call-hours'],
      ['eligibility', 'batch=2026-W48'],
      ['technician-rotas'],
      ['manager-rotas'],
    ] as const) {
      const report = await imported(kind, await sample(kind), query);
      expect({ kind, created: report.created, updated: report.updated, removed: report.removed }).toEqual({
        kind,
        created: 0,
        updated: 0,
        removed: 0,
      });
      expect(report.unchanged).toBeGreaterThan(0);
    }
    expect(
      (await h.services.db.technicianRota.findMany({ orderBy: { id: 'asc' } })).map((r) => r.id),
    ).toEqual(rotaIds);
    const after = await h.services.db.contract.findUniqueOrThrow({ where: { reference: 'CT-2001-1' } });
    expect(after.updatedAt).toEqual(before.updatedAt);
  });
});

describe('dry run', () => {
  it('reports what would change and writes nothing', async () => {
    const csv = `${await sample('eligibility')}C2010;Nouveau;Ninon;;1 rue Neuve;74000;Annecy;06 00 20 10 10;CT-2010-1;oui;individual;non;;;;AG-ANN\n`;
    const audits = await h.services.db.auditLog.count();
    const report = await imported('eligibility', csv, 'dryRun=true&batch=2026-W48');
    expect(report).toMatchObject({ dryRun: true, applied: false, refused: false });
    expect(report.entities).toMatchObject({
      customers: { created: 1, unchanged: 9 },
      contracts: { created: 1 },
    });
    expect(await h.services.db.customer.findUnique({ where: { reference: 'C2010' } })).toBeNull();
    expect(await h.services.db.auditLog.count()).toBe(audits);
  });
});

describe("next week's eligibility file", () => {
  it('[ON-1] replaces the previous one: absent contracts lose coverage, customers and their cases stay, phones follow the file', async () => {
    const db = h.services.db;
    const index = h.services.phoneIndex;
    await index.rebuild();
    const fontaine = await db.customer.findUniqueOrThrow({ where: { reference: 'C2001' } });
    const marchand = await db.customer.findUniqueOrThrow({ where: { reference: 'C2002' } });
    const kase = await db.case.create({
      data: { category: 'out-of-hours', subject: 'Panne de chauffage', customerId: fontaine.id },
    });
    expect(await index.customerIdsFor('+33600200202')).toEqual([marchand.id]);

    // C2001 (covered) and C2009 (not covered) are gone; C2002 changed mobile.
    const week49 = (await sample('eligibility'))
      .split('\n')
      .filter((line) => !line.startsWith('C2001;') && !line.startsWith('C2009;'))
      .join('\n')
      .replace('06.00.20.02.02', '06 00 20 02 99');
    const report = await imported('eligibility', week49, 'batch=2026-W49');
    expect(report.uncovered).toBe(1);
    expect(report.entities).toMatchObject({
      customers: { updated: 1, unchanged: 6 },
      contracts: { unchanged: 8, uncovered: 1 },
      phones: { created: 1, removed: 1 },
    });

    expect(await db.contract.findUniqueOrThrow({ where: { reference: 'CT-2001-1' } })).toMatchObject({
      outOfHoursCoverage: false,
      eligibilityBatch: '2026-W48', // the last file that listed it
    });
    expect(await db.contract.findUniqueOrThrow({ where: { reference: 'CT-2004-1' } })).toMatchObject({
      outOfHoursCoverage: true,
      eligibilityBatch: '2026-W49',
    });
    expect(await db.case.findUnique({ where: { id: kase.id } })).toMatchObject({ customerId: fontaine.id });
    expect(await db.customer.count()).toBe(9);

    // The built index (Redis) knows the new number and forgets the old one at once.
    expect(await index.customerIdsFor('+33600200299')).toEqual([marchand.id]);
    expect(await index.customerIdsFor('+33600200202')).toEqual([]);
  });

  it('is refused as a whole on any error, each named by line and field, and changes nothing', async () => {
    const csv = [
      'customer_ref;last_name;address;postcode;city;phones;contract_ref;out_of_hours;on_call_type;agency',
      'C3001;Valide;1 rue A;74000;Annecy;06 00 20 30 01;CT-3001;oui;individual;AG-ANN',
      'C3002;Faux;2 rue B;74000;Annecy;06 12;CT-3002;oui;individual;AG-ANN',
      'C3003;Inconnu;3 rue C;74000;Annecy;;CT-3003;oui;individual;AG-NOPE',
      'C3004;Double;4 rue D;74000;Annecy;;CT-3001;non;;AG-ANN',
    ].join('\n');
    const report = await refused('eligibility', csv);
    expect(report).toMatchObject({ applied: false, refused: true, created: 0, uncovered: 0 });
    expect(report.errors).toEqual([
      { line: 3, field: 'phones', message: '"06 12" is not a valid phone number' },
      {
        line: 4,
        field: 'agency',
        message: 'unknown agency "AG-NOPE" (import it with the agencies file first)',
      },
      { line: 5, field: 'contract_ref', message: 'contract "CT-3001" is already on line 2' },
    ]);
    expect(await h.services.db.customer.findUnique({ where: { reference: 'C3001' } })).toBeNull();
    expect(await h.services.db.contract.count({ where: { outOfHoursCoverage: true } })).toBe(7);
  });

  it('is refused when it would uncover most contracts (a truncated file?), unless forced', async () => {
    const db = h.services.db;
    const covered = await db.contract.count({ where: { outOfHoursCoverage: true } });
    const truncated = (await sample('eligibility')).split('\n').slice(0, 3).join('\n');
    const report = await refused('eligibility', truncated);
    expect(report.errors).toEqual([
      {
        line: 1,
        field: null,
        message: expect.stringMatching(
          /would remove out-of-hours cover from \d+ of the \d+ covered contracts/,
        ),
      },
    ]);
    expect(await db.contract.count({ where: { outOfHoursCoverage: true } })).toBe(covered);

    const forced = await imported('eligibility', truncated, 'force=true&dryRun=true');
    expect(forced.uncovered).toBeGreaterThan(3);
    expect(forced.errors).toEqual([]);
  });

  it('is refused when a column is missing, naming it', async () => {
    const csv =
      'customer_ref;last_name;address;postcode;city;contract_ref;out_of_hours;agency\nC1;A;B;74000;C;CT;oui;AG-ANN\n';
    const report = await refused('eligibility', csv);
    expect(report.errors).toEqual([
      { line: 1, field: 'on_call_type', message: 'missing column "on_call_type"' },
    ]);
  });
});

describe('[ID-7] the not-eligible-for-cut-off flag in the eligibility file', () => {
  it('[ID-7] is set from its column (yes/no, no reason), kept when a file has no such column, audited with the import', async () => {
    const lines = (await sample('eligibility')).trim().split('\n');
    const flagged = [
      `${lines[0]};non_coupable`,
      ...lines.slice(1).map((line) => `${line};${line.startsWith('C2002;') ? 'oui' : 'non'}`),
    ].join('\n');
    await imported('eligibility', flagged, 'batch=2026-W50');
    const flag = async (reference: string) =>
      (await h.services.db.customer.findUniqueOrThrow({ where: { reference } })).notEligibleForCutOff;
    expect(await flag('C2002')).toBe(true);
    expect(await flag('C2003')).toBe(false);
    await imported('eligibility', lines.join('\n'), 'batch=2026-W51');
    expect(await flag('C2002')).toBe(true);
    const audit = await h.services.db.auditLog.findFirstOrThrow({ where: { entityId: '2026-W50' } });
    expect(audit).toMatchObject({ action: 'import.eligibility' });
    const garbled = flagged.replace(/;oui$/m, ';peut-être');
    const refused = await post('eligibility', garbled, { query: 'batch=2026-W52' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('not_eligible_for_cut_off');
  });
});

describe('agencies and on-call hours', () => {
  it('skips an agency line with an error and applies the others', async () => {
    const csv = [
      'agency_code;agency_name;region_code;postcode;city;phone;recap_email',
      'AG-ANN;Agence Annecy Centre;DR-ALP;74000;Annecy;04 65 71 10 00;agence.annecy@samples.example',
      'AG-BAD;Agence sans région;DR-NOPE;74000;Annecy;04 65 71 10 01;x@samples.example',
      'AG-ALB;Agence Albertville;DR-ALP;73200;Albertville;04 65;agence.albertville@samples.example',
    ].join('\n');
    const report = await imported('agencies', csv);
    expect(report.entities).toMatchObject({ agencies: { created: 0, updated: 1 } });
    expect(report.errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'region_name'],
      [4, 'phone'],
    ]);
    // Columns absent from this file (address, holiday calendar) keep what is stored.
    expect(await h.services.db.agency.findUniqueOrThrow({ where: { code: 'AG-ANN' } })).toMatchObject({
      name: 'Agence Annecy Centre',
      address: '4 avenue des Marquisats, 74000 Annecy',
      holidayCalendar: 'FR',
    });
    expect(await h.services.db.agency.findUnique({ where: { code: 'AG-ALB' } })).toBeNull();
  });

  it("replaces one agency and type's windows, leaves the others, and refuses a set with overlapping windows", async () => {
    const db = h.services.db;
    const chambery = await db.agency.findUniqueOrThrow({ where: { code: 'AG-CHB' } });
    const annecyBefore = await db.onCallWindow.count({ where: { agency: { code: 'AG-ANN' } } });
    const csv = [
      'agence;type_astreinte;jour;début;fin',
      'AG-CHB;individuel;lun;18h;8h',
      'AG-CHB;individuel;sam;08:00;08:00',
      'AG-CHB;individuel;dim;08:00;08:00',
      'AG-DIJ;individual;mon;18:00;08:00',
      'AG-DIJ;individual;tue;06:00;12:00',
    ].join('\n');
    const report = await imported('on-call-hours', csv);
    expect(report.errors).toEqual([
      { line: 6, field: 'start', message: 'overlaps line 5 (mon 18:00-08:00)' },
    ]);
    expect(report.entities.windows).toMatchObject({ created: 2, unchanged: 1, removed: 7 });
    expect(await db.onCallWindow.count({ where: { agencyId: chambery.id } })).toBe(3);
    expect(await db.onCallWindow.count({ where: { agency: { code: 'AG-DIJ' } } })).toBe(8);
    expect(await db.onCallWindow.count({ where: { agency: { code: 'AG-ANN' } } })).toBe(annecyBefore);
  });
});

describe('rotas', () => {
  const header = 'agency;on_call_type;technician_ref;last_name;first_name;mobile;email;starts_at;ends_at';

  it('refuses periods that overlap within the file, naming both lines, and leaves that rota as it was', async () => {
    const csv = [
      header,
      'AG-STR;individual;T-STR-01;;;;;2026-12-14 08:00;2026-12-21 08:00',
      'AG-STR;individual;T-STR-02;;;;;2026-12-20 08:00;2026-12-28 08:00',
    ].join('\n');
    const report = await refused('technician-rotas', csv);
    expect(report.errors).toEqual([
      {
        line: 3,
        field: 'starts_at',
        message: 'overlaps line 2 (T-STR-01, 2026-12-14 08:00 to 2026-12-21 08:00)',
      },
    ]);
    expect(await h.services.db.technicianRota.count({ where: { agency: { code: 'AG-STR' } } })).toBe(2);
  });

  it('refuses a period overlapping one already recorded that the file cannot replace (already paged)', async () => {
    const db = h.services.db;
    const rota = await db.technicianRota.findFirstOrThrow({
      where: { agency: { code: 'AG-DIJ' }, technician: { reference: 'T-DIJ-01' } },
      include: { technician: true },
    });
    const kase = await db.case.create({ data: { category: 'out-of-hours', subject: 'Fuite' } });
    await db.page.create({
      data: {
        caseId: kase.id,
        decision: 'page-now',
        scheduledFor: rota.startsAt,
        replyCode: '4821',
        attempts: {
          create: {
            number: 1,
            target: 'TECHNICIAN',
            technicianId: rota.technicianId,
            rotaId: rota.id,
            mobile: rota.technician.mobile,
            startedAt: rota.startsAt,
          },
        },
      },
    });
    const csv = [header, 'AG-DIJ;individual;T-DIJ-02;;;;;2026-11-30 08:00;2026-12-07 08:00'].join('\n');
    const report = await refused('technician-rotas', csv);
    expect(report.errors).toEqual([
      {
        line: 2,
        field: 'starts_at',
        message:
          'overlaps the period T-DIJ-01, 2026-11-30 08:00 to 2026-12-07 08:00 already recorded, which this file cannot replace (it has already been paged)',
      },
    ]);
  });

  it('re-sent with another technician, replaces that period, keeps the others, and warns of gaps within on-call hours', async () => {
    const db = h.services.db;
    const kept = await db.technicianRota.findFirstOrThrow({
      where: { agency: { code: 'AG-ANN' }, onCallType: 'boiler_room', technician: { reference: 'T-ANN-03' } },
      orderBy: { startsAt: 'asc' },
    });
    // Tuesday night handed to a new technician; Thursday night left out (a gap). Daytime is not
    // a gap: the agency is open then.
    const csv = [
      header,
      'AG-ANN;boiler_room;T-ANN-03;;;;;2026-11-30 17:30;2026-12-01 08:30',
      'AG-ANN;boiler_room;T-ANN-04;Rey;Capucine;06 00 30 01 04;;2026-12-01 17:30;2026-12-02 08:30',
      'AG-ANN;boiler_room;T-ANN-03;;;;;2026-12-02 17:30;2026-12-03 08:30',
      'AG-ANN;boiler_room;T-ANN-03;;;;;2026-12-04 17:30;2026-12-07 08:30',
    ].join('\n');
    const report = await imported('technician-rotas', csv);
    expect(report.errors).toEqual([]);
    expect(report.entities).toMatchObject({
      technicians: { created: 1, unchanged: 1 },
      rotas: { created: 1, unchanged: 3, removed: 2 },
    });
    expect(report.warnings).toEqual([
      {
        line: 4,
        field: null,
        message:
          'nobody on call for AG-ANN boiler_room from 2026-12-03 17:30 to 2026-12-04 08:30: calls then go to the regional on-call manager',
      },
    ]);
    expect(await db.technicianRota.findUnique({ where: { id: kept.id } })).not.toBeNull();
    expect(
      await db.technicianRota.count({ where: { agency: { code: 'AG-ANN' }, onCallType: 'boiler_room' } }),
    ).toBe(4);
  });

  it('names an unknown technician the file does not describe, and a landline given as mobile', async () => {
    const csv = [
      header,
      'AG-CHB;individual;T-CHB-09;;;;;2026-12-14 08:00;2026-12-21 08:00',
      'AG-CHB;individual;T-CHB-01;;;04 65 71 00 09;;2026-12-21 08:00;2026-12-28 08:00',
    ].join('\n');
    const report = await refused('technician-rotas', csv);
    expect(report.errors).toEqual([
      {
        line: 2,
        field: 'technician_ref',
        message:
          'unknown technician "T-CHB-09": give last_name, first_name and mobile on one of their lines to create them',
      },
      {
        line: 3,
        field: 'mobile',
        message: '"04 65 71 00 09" is not a mobile number (pages are also sent by SMS)',
      },
    ]);
  });

  it('warns of a regional manager gap and refuses an unknown region', async () => {
    const csv = [
      'region;manager_ref;starts_at;ends_at',
      'DR-ALP;CR-ALP-01;2026-12-14 08:00;2026-12-18 08:00',
      'DR-ALP;CR-ALP-02;2026-12-18 20:00;2026-12-21 08:00',
      'DR-NOPE;CR-ALP-02;2026-12-14 08:00;2026-12-21 08:00',
    ].join('\n');
    const report = await imported('manager-rotas', csv);
    expect(report.errors).toEqual([
      {
        line: 4,
        field: 'region',
        message: 'unknown region "DR-NOPE" (import it with the agencies file first)',
      },
    ]);
    expect(report.warnings.map((w) => w.message)).toEqual([
      'nobody on call for DR-ALP from 2026-12-18 08:00 to 2026-12-18 20:00: escalations and emergencies then reach nobody',
    ]);
    expect(report.entities).toMatchObject({ rotas: { created: 2 } });
  });
});

describe('what the endpoint accepts', () => {
  it('answers 400 to an empty body, a JSON body and a file that is not UTF-8', async () => {
    const empty = await post('agencies', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: 'empty_body' });
    const json = await post('agencies', '{"agency_code":"AG-1"}', { contentType: 'application/json' });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toEqual({
      error: 'not_csv',
      message: 'expected a CSV file (Content-Type: text/csv), got application/json',
    });
    const latin1 = await post(
      'agencies',
      Buffer.from('agency_code;agency_name\nAG-1;Agence Orléans\n', 'latin1'),
    );
    expect(latin1.statusCode).toBe(400);
    expect(latin1.json()).toMatchObject({ error: 'not_csv', message: expect.stringContaining('UTF-8') });
  });

  it('answers 413 to a body over the limit', async () => {
    const big = `agency;on_call_type;day;start;end\n${'AG-ANN;individual;mon;18:00;08:00\n'.repeat(400)}`;
    expect(big.length).toBeGreaterThan(BODY_LIMIT);
    const response = await post('on-call-hours', big);
    expect(response.statusCode).toBe(413);
  });
});

describe('the CLI', () => {
  const run = (args: string[]) =>
    promisify(execFile)(
      new URL('../../node_modules/.bin/tsx', import.meta.url).pathname,
      ['scripts/import.ts', ...args],
      {
        cwd: new URL('../..', import.meta.url).pathname,
        env: {
          ...process.env,
          DATABASE_URL: h.settings.databaseUrl,
          REDIS_URL: h.settings.redisUrl,
          // The command's clock, as the service's: the Friday before the samples' week.
          CLOCK_START: FRIDAY_BEFORE.toISOString(),
        },
      },
    ).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );

  it('imports a sample, prints the report, and records the run as the system', async () => {
    const { code, stdout } = await run(['manager-rotas', 'samples/manager-rotas.csv', '--batch', 'cli-test']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'manager-rotas import of samples/manager-rotas.csv (batch cli-test, 4 lines): applied',
    );
    expect(stdout).toContain('managers: 0 created, 0 updated, 4 unchanged');
    const audit = await h.services.db.auditLog.findFirstOrThrow({ where: { entityId: 'cli-test' } });
    expect(audit).toMatchObject({ actorType: 'SYSTEM', data: { source: 'cli' } });
  });

  it('exits 1 and prints each error by line and field', async () => {
    const { code, stdout } = await run(['eligibility', 'samples/agencies.csv', '--dry-run']);
    expect(code).toBe(1);
    expect(stdout).toContain('REFUSED: nothing was applied');
    expect(stdout).toContain('line 1, field customer_ref: missing column "customer_ref"');
  });
});

describe('[TR-1] the unpaid interruptions sample', () => {
  it('[TR-1] imports on the register the samples filled, and again changes nothing', async () => {
    const first = await imported('unpaid-interruptions', await sample('unpaid-interruptions'));
    expect(first.entities.interruptions).toMatchObject({ created: 3 });
    expect(
      (await h.services.db.customer.findUniqueOrThrow({ where: { reference: 'C2003' } })).terminationCategory,
    ).toBe('local-authority');
    const again = await imported('unpaid-interruptions', await sample('unpaid-interruptions'));
    expect(again).toMatchObject({ created: 0, updated: 0 });
  });
});
