import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createTwilioApi, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// The termination run after unpaid bills (DOMAIN.md section 7): the interruptions come with the
// billing system's CSV file, the run sorts the unrestored ones into its three lists and sends the
// written reminders' SMS or e-mail once; the lists are also CSV files for the night's printing.

const twilioApi = createTwilioApi();
const clock = runningFrom(at('2026-12-07T10:00'));
let h: Harness;
let supervisor: string;
let importer: string;
let outbox: Stoppable;

beforeAll(async () => {
  twilioApi.listen();
  h = await startHarness({ clock, env: { ...TWILIO_TEST_ENV } });
  supervisor = await h.login('SUPERVISOR');
  importer = await h.apiToken('IMPORT');
  outbox = startOutboxWorker(h.services);
  const customers: Array<[string, string | null, string | null]> = [
    ['T-STD', null, null],
    ['T-BACK', null, null],
    ['T-EMP', null, null],
    ['T-SENS', null, null],
    ['T-MAIRIE', 'mairie@test.example', null],
    ['T-HTA', null, '+33655000001'],
    ['T-LATE', null, null],
  ];
  for (const [reference, email, mobile] of customers)
    await h.services.db.customer.create({
      data: {
        reference,
        lastName: reference,
        addressLine: '1 place de la Mairie',
        postcode: '69001',
        city: 'Lyon',
        email,
        ...(mobile ? { phones: { create: { e164: mobile, kind: 'MOBILE' } } } : {}),
      },
    });
});

afterAll(async () => {
  await outbox.close();
  await h.close();
  twilioApi.close();
});

const post = (url: string, body: string, token: string, type = 'text/csv; charset=utf-8') =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': type, authorization: `Bearer ${token}` },
    payload: body,
  });
const get = (url: string) =>
  h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${supervisor}` } });
const refs = (lines: Array<{ customerReference: string }>) => lines.map((l) => l.customerReference).sort();

describe('[TR-1] [TR-2] [TR-3] [TR-4] the termination run', () => {
  it('[TR-1] the interruptions file: bad lines are refused one by one with a clear error, the others applied', async () => {
    const file = [
      'client;date_coupure;date_retablissement;categorie;salarie;sensible',
      'T-STD;2026-11-07;;standard;non;non', // 30 days today
      'T-BACK;2026-11-01;2026-11-20;;;', // restored
      'T-EMP;2026-11-01;;;oui;non',
      'T-SENS;2026-11-01;;;non;oui',
      'T-MAIRIE;2026-11-14;;collectivité locale;;', // terminable on 14 December: reminded today
      'T-HTA;2026-11-07;;moyenne tension;;', // terminable today, but not reminded yet
      'T-LATE;;;;;', // no interruption date
      'T-STD;2026-11-20;;chef de projet;;', // unknown category
      'T-NOBODY;2026-11-01;;;;',
    ].join('\n');
    const response = await post('/api/imports/unpaid-interruptions', file, importer);
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.entities.interruptions.created).toBe(6);
    expect(report.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [8, 'interrupted_on'],
      [9, 'category'],
      [10, 'customer'],
    ]);
    expect(report.errors[1].message).toContain('"chef de projet" is not a known category');
  });

  it('[TR-4] the preview sorts the lists and sends nothing; [TR-2] employees and sensitive customers go to a manager', async () => {
    const lists = (await get('/api/termination/lists')).json();
    expect(lists.day).toBe('2026-12-07');
    expect(refs(lists.toTerminate)).toEqual(['T-STD']);
    expect(refs(lists.toRemind)).toEqual(['T-HTA', 'T-MAIRIE']);
    expect(refs(lists.managementDecision)).toEqual(['T-EMP', 'T-SENS']);
    expect(lists.toTerminate[0]).toMatchObject({
      interruptedOn: '2026-11-07',
      terminationDay: '2026-12-07',
      fieldOrder: 'meter-removal-and-index',
    });
    expect(
      lists.toRemind.find((l: { customerReference: string }) => l.customerReference === 'T-HTA').fieldOrder,
    ).toBe('index-only');
    expect(await h.services.db.message.count({ where: { purpose: 'termination-reminder' } })).toBe(0);
  });

  it('[TR-3] the run sends each written reminder’s e-mail or SMS once, and the customer is terminated 7 days later', async () => {
    const run = await h.app.inject({
      method: 'POST',
      url: '/api/termination/run',
      headers: { authorization: `Bearer ${supervisor}` },
    });
    expect(run.statusCode, run.body).toBe(200);
    const reminded = run.json().toRemind as Array<{ customerReference: string; reminder: string[] }>;
    expect(Object.fromEntries(reminded.map((l) => [l.customerReference, l.reminder]))).toEqual({
      'T-HTA': ['letter', 'SMS'],
      'T-MAIRIE': ['letter', 'EMAIL'],
    });
    const sms = await until(async () => twilioApi.messages.find((m) => m.to === '+33655000001'));
    expect(sms.body).toContain('sera résilié le 14 décembre 2026');
    await h.app.inject({
      method: 'POST',
      url: '/api/termination/run',
      headers: { authorization: `Bearer ${supervisor}` },
    });
    expect(await h.services.db.message.count({ where: { purpose: 'termination-reminder' } })).toBe(2);

    const nextWeek = (await get('/api/termination/lists?day=2026-12-13')).json();
    expect(refs(nextWeek.toTerminate)).toEqual(['T-STD']);
    const onTheDay = (await get('/api/termination/lists?day=2026-12-14')).json();
    expect(refs(onTheDay.toTerminate)).toEqual(['T-HTA', 'T-MAIRIE', 'T-STD']);
    const csv = await get('/api/termination/to-terminate.csv?day=2026-12-14');
    expect(csv.body).toContain(
      'T-HTA;T-HTA;1 place de la Mairie, 69001 Lyon;medium-voltage;2026-11-07;2026-12-14;index-only;',
    );
  });

  it('[TR-1] a restoration, even after the reminder, ends the procedure', async () => {
    const response = await post(
      '/api/imports/unpaid-interruptions',
      'client;date_coupure;date_retablissement\nT-MAIRIE;2026-11-14;2026-12-08\n',
      importer,
    );
    expect(response.statusCode, response.body).toBe(200);
    const lists = (await get('/api/termination/lists?day=2026-12-14')).json();
    expect(refs(lists.toTerminate)).toEqual(['T-HTA', 'T-STD']);
  });
});
