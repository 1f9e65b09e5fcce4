import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
let durand: string;
let martin: string;

beforeAll(async () => {
  h = await startHarness();
  const db = h.services.db;
  const customer = (reference: string, lastName: string, phones: string[]) =>
    db.customer.create({
      data: {
        reference,
        lastName,
        addressLine: '1 rue',
        postcode: '69002',
        city: 'Lyon',
        phones: { create: phones.map((e164) => ({ e164, kind: 'MOBILE' as const })) },
      },
    });
  durand = (await customer('C1', 'Durand', ['+33612345678', '+33699000000'])).id;
  martin = (await customer('C2', 'Martin', ['+33699000000'])).id;
});

afterAll(async () => {
  await h.close();
});

describe('phone index', () => {
  it('answers from PostgreSQL until it is built, then from Redis, with every customer sharing a number', async () => {
    const index = h.services.phoneIndex;
    expect(await index.customerIdsFor('+33699000000')).toEqual([durand, martin]);
    expect(await index.rebuild()).toBe(2);
    expect(await h.services.redis.hGet('phone-index', '+33699000000')).toBe(`${durand},${martin}`);
    expect(await index.customerIdsFor('+33699000000')).toEqual([durand, martin]);
    expect(await index.customerIdsFor('+33612345678')).toEqual([durand]);
    expect(await index.customerIdsFor('+33600000000')).toEqual([]);
  });

  it('forgets a departed customer once refreshed', async () => {
    await h.services.db.customer.update({ where: { id: martin }, data: { departedAt: new Date() } });
    await h.services.phoneIndex.refresh(['+33699000000']);
    expect(await h.services.phoneIndex.customerIdsFor('+33699000000')).toEqual([durand]);
    await h.services.db.customerPhone.deleteMany({ where: { customerId: durand, e164: '+33612345678' } });
    await h.services.phoneIndex.refresh(['+33612345678']);
    expect(await h.services.phoneIndex.customerIdsFor('+33612345678')).toEqual([]);
  });
});
