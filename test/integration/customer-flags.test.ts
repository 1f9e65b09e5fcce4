import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

// [ID-7] The not-eligible-for-cut-off flag: set by a supervisor in the console or by the
// eligibility import, shown with the customer, audited, never with a reason.

let h: Harness;
let customerId: string;

beforeAll(async () => {
  h = await startHarness();
  customerId = (
    await h.services.db.customer.create({
      data: {
        reference: 'C930001',
        lastName: 'Garnier',
        addressLine: '3 rue Haute',
        postcode: '69001',
        city: 'Lyon',
      },
    })
  ).id;
});

afterAll(async () => {
  await h.close();
});

const put = (token: string, id: string, payload: object) =>
  h.app.inject({
    method: 'PUT',
    url: `/api/customers/${id}/not-eligible-for-cut-off`,
    headers: { authorization: `Bearer ${token}` },
    payload,
  });

describe('[ID-7] not eligible for cut-off', () => {
  it('[ID-7] is set by a supervisor, audited without any reason, and shown with the customer', async () => {
    const supervisor = await h.login('SUPERVISOR');
    const set = await put(supervisor, customerId, { notEligibleForCutOff: true });
    expect(set.statusCode, set.body).toBe(200);
    expect(await h.services.db.customer.findUniqueOrThrow({ where: { id: customerId } })).toMatchObject({
      notEligibleForCutOff: true,
    });
    const audit = await h.services.db.auditLog.findMany({
      where: { action: 'customer.not-eligible-for-cut-off', entityId: customerId },
    });
    expect(audit.map((a) => a.data)).toEqual([{ from: false, to: true }]);
    // Set again: nothing changes, nothing more in the audit trail.
    expect((await put(supervisor, customerId, { notEligibleForCutOff: true })).statusCode).toBe(200);
    expect(
      await h.services.db.auditLog.count({ where: { action: 'customer.not-eligible-for-cut-off' } }),
    ).toBe(1);

    const agent = await h.login('AGENT');
    const shown = await h.app.inject({
      method: 'GET',
      url: `/api/identification?customers=${customerId}&relation=HOLDER`,
      headers: { authorization: `Bearer ${agent}` },
    });
    expect(shown.json().candidates[0]).toMatchObject({ notEligibleForCutOff: true });
  });

  it('[ID-7] never keeps a reason given with it', async () => {
    const supervisor = await h.login('SUPERVISOR');
    const body = { notEligibleForCutOff: false, reason: 'dialyse à domicile' };
    expect((await put(supervisor, customerId, body)).statusCode).toBe(200);
    const audit = await h.services.db.auditLog.findMany({ where: { entityId: customerId } });
    expect(JSON.stringify(audit.map((a) => a.data))).not.toContain('dialyse');
    expect((await put(supervisor, customerId, { notEligibleForCutOff: true })).statusCode).toBe(200);
  });

  it('[ID-7] refuses an agent (403), a value that is not yes or no (400), and an unknown customer (404)', async () => {
    const agent = await h.login('AGENT');
    expect((await put(agent, customerId, { notEligibleForCutOff: false })).statusCode).toBe(403);
    const supervisor = await h.login('SUPERVISOR');
    expect((await put(supervisor, customerId, { notEligibleForCutOff: 'oui' })).statusCode).toBe(400);
    expect((await put(supervisor, customerId, {})).statusCode).toBe(400);
    expect(
      (await put(supervisor, '00000000-0000-4000-8000-000000000000', { notEligibleForCutOff: true }))
        .statusCode,
    ).toBe(404);
    expect((await put(supervisor, 'nope', { notEligibleForCutOff: true })).statusCode).toBe(404);
    expect(
      (await h.services.db.customer.findUniqueOrThrow({ where: { id: customerId } })).notEligibleForCutOff,
    ).toBe(true);
  });
});
