import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../src/imports/import-report.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';

// [AL-1] The customer register through the real import endpoint: what puts a utility's meters
// under consumption alerts.

let h: Harness;
let importer: string;

beforeAll(async () => {
  h = await startHarness({ clock: runningFrom(at('2026-11-23T11:00')) });
  importer = await h.apiToken('IMPORT', 'register');
});

afterAll(async () => {
  await h.close();
});

const post = (kind: string, body: string) =>
  h.app.inject({
    method: 'POST',
    url: `/api/imports/${kind}`,
    headers: { 'content-type': 'text/csv; charset=utf-8', authorization: `Bearer ${importer}` },
    payload: body,
  });

const HEADER =
  'customer_ref;last_name;first_name;class;email;phones;alerts;non_coupable;supply_point_ref;address;postcode;city;meter_serial;diameter_mm';
const REGISTER = [
  HEADER,
  'C950001;Roux;Anna;particulier;anna.roux@test.example;06 10 20 30 40;oui;non;PDL-950001;5 rue Neuve;69003;Lyon;M9500011;15',
  'C950002;Boulangerie Roux;;professionnel;;04 72 10 20 30;non;;PDL-950002;7 rue Neuve;69003;Lyon;M9500021;30',
  'C950002;Boulangerie Roux;;professionnel;;04 72 10 20 30;non;;PDL-950003;9 rue Neuve;69003;Lyon;M9500031;40',
  'C950003;Martin;Paul;particulier;;;oui;oui;PDL-950004;1 place Haute;69004;Lyon;M9500041;17',
  'C950004;Petit;;pas un client;;;oui;;PDL-950005;2 place Haute;69004;Lyon;M9500051;15',
].join('\n');

describe('[AL-1] the customer register import', () => {
  it('[AL-1] creates customers, supply points and meters with contacts and consent; skips and names bad lines', async () => {
    const response = await post('register', REGISTER);
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json() as ImportReport;
    expect(report.errors).toEqual([
      expect.objectContaining({
        line: 5,
        field: 'diameter_mm',
        message: expect.stringContaining('no alert threshold for a 17 mm meter'),
      }),
      expect.objectContaining({
        line: 6,
        field: 'class',
        message: expect.stringContaining('"pas un client" is not a customer class'),
      }),
    ]);
    expect(report.entities).toMatchObject({
      customers: { created: 2 },
      supplyPoints: { created: 3 },
      meters: { created: 3 },
    });
    const anna = await h.services.db.customer.findUniqueOrThrow({
      where: { reference: 'C950001' },
      include: { phones: true, supplyPoints: { include: { meters: true } } },
    });
    expect(anna).toMatchObject({
      class: 'RESIDENTIAL',
      email: 'anna.roux@test.example',
      alertsActive: true,
      notEligibleForCutOff: false,
      addressLine: '5 rue Neuve',
    });
    expect(anna.phones.map((p) => [p.e164, p.kind])).toEqual([['+33610203040', 'MOBILE']]);
    expect(anna.supplyPoints[0]!.meters[0]).toMatchObject({ serial: 'M9500011', diameterMm: 15 });
    const bakery = await h.services.db.customer.findUniqueOrThrow({ where: { reference: 'C950002' } });
    expect(bakery).toMatchObject({ class: 'PROFESSIONAL', alertsActive: false });
    expect(await h.services.phoneIndex.customerIdsFor('+33610203040')).toEqual([anna.id]);
  });

  it('[AL-1] changes nothing when the same file comes again, and its meters take readings', async () => {
    const again = (await post('register', REGISTER)).json() as ImportReport;
    expect(again.entities).toMatchObject({
      customers: { created: 0, updated: 0, unchanged: 2 },
      supplyPoints: { created: 0, updated: 0, unchanged: 3 },
      meters: { created: 0, updated: 0, unchanged: 3 },
    });
    const readings = await post(
      'readings',
      'meter_serial;day;index_m3;volume_m3\nM9500011;2026-11-22;;0,250',
    );
    expect(readings.statusCode, readings.body).toBe(200);
    expect((readings.json() as ImportReport).created).toBe(1);
  });

  it('[AL-1] moves a supply point to the new occupant named by a later file', async () => {
    const moved = [
      HEADER,
      'C950005;Durand;Léa;particulier;;06 99 88 77 66;oui;non;PDL-950001;5 rue Neuve;69003;Lyon;M9500011;15',
    ].join('\n');
    const report = (await post('register', moved)).json() as ImportReport;
    expect(report.entities).toMatchObject({ customers: { created: 1 }, supplyPoints: { updated: 1 } });
    const point = await h.services.db.supplyPoint.findUniqueOrThrow({
      where: { reference: 'PDL-950001' },
      include: { customer: true },
    });
    expect(point.customer?.reference).toBe('C950005');
  });
});
