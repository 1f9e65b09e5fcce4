import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

// [ID-6] Collecting a phone number, a mobile or an e-mail: the console shows the legal notice to
// read, and the detail is recorded only once the agent says it was given, audited with it.

let h: Harness;
let agent: string;
let customerId: string;

beforeAll(async () => {
  h = await startHarness();
  agent = await h.login('AGENT');
  customerId = (
    await h.services.db.customer.create({
      data: {
        reference: 'C940001',
        lastName: 'Perrin',
        addressLine: '8 quai Sud',
        postcode: '69002',
        city: 'Lyon',
      },
    })
  ).id;
});

afterAll(async () => {
  await h.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

describe('[ID-6] legal notices when contact details are collected', () => {
  it('[ID-6] gives the notices to read: the do-not-call list for a phone, consent for an e-mail, both for a mobile', async () => {
    const phone = (await api('GET', '/api/notices/contact-details?kind=PHONE')).json();
    expect(phone.notices.map((n: { key: string }) => n.key)).toEqual(['phone-collected']);
    expect(phone.notices[0].text).toContain('Bloctel');
    const mobile = (await api('GET', '/api/notices/contact-details?kind=MOBILE&locale=en')).json();
    expect(mobile.notices.map((n: { key: string }) => n.key)).toEqual(['phone-collected', 'contact-consent']);
    expect(mobile.notices[1].text).toContain('messages about your contract');
    expect((await api('GET', '/api/notices/contact-details?kind=FAX')).statusCode).toBe(400);
  });

  it('[ID-6] records a mobile and an e-mail only once the notice was given, audited, and the caller lookup knows the number', async () => {
    const without = await api('POST', `/api/customers/${customerId}/contact-details`, {
      kind: 'MOBILE',
      value: '06 44 55 66 77',
      noticeGiven: false,
    });
    expect(without.statusCode).toBe(422);
    expect(without.json()).toMatchObject({ error: 'notice_required' });
    expect(await h.services.db.customerPhone.count({ where: { customerId } })).toBe(0);

    const mobile = await api('POST', `/api/customers/${customerId}/contact-details`, {
      kind: 'MOBILE',
      value: '06 44 55 66 77',
      noticeGiven: true,
    });
    expect(mobile.statusCode, mobile.body).toBe(201);
    expect(mobile.json()).toMatchObject({
      value: '+33644556677',
      notices: ['phone-collected', 'contact-consent'],
    });
    expect(await h.services.phoneIndex.customerIdsFor('+33644556677')).toEqual([customerId]);

    const email = await api('POST', `/api/customers/${customerId}/contact-details`, {
      kind: 'EMAIL',
      value: ' Perrin@Test.example ',
      noticeGiven: true,
    });
    expect(email.statusCode).toBe(201);
    expect((await h.services.db.customer.findUniqueOrThrow({ where: { id: customerId } })).email).toBe(
      'perrin@test.example',
    );
    const audit = await h.services.db.auditLog.findMany({
      where: { action: 'customer.contact-details.added', entityId: customerId },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => a.data)).toEqual([
      { kind: 'MOBILE', notices: ['phone-collected', 'contact-consent'], noticeGiven: true },
      { kind: 'EMAIL', notices: ['contact-consent'], noticeGiven: true },
    ]);
  });

  it('[ID-6] refuses a landline given as a mobile, a garbled e-mail and an unknown customer', async () => {
    const post = (payload: object, id = customerId) =>
      api('POST', `/api/customers/${id}/contact-details`, payload);
    expect((await post({ kind: 'MOBILE', value: '04 72 00 00 00', noticeGiven: true })).json()).toMatchObject(
      {
        error: 'invalid_value',
      },
    );
    expect((await post({ kind: 'EMAIL', value: 'perrin at test', noticeGiven: true })).statusCode).toBe(422);
    expect((await post({ kind: 'PHONE', value: 'abc', noticeGiven: true })).statusCode).toBe(422);
    expect(
      (
        await post(
          { kind: 'PHONE', value: '04 72 00 00 00', noticeGiven: true },
          '00000000-0000-4000-8000-000000000000',
        )
      ).statusCode,
    ).toBe(404);
  });
});
