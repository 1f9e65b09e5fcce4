import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/realtime/event-bus.js';
import { consoleSocket } from '../support/console-socket.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createWeeknightAgency } from '../support/oncall-fixture.js';
import { PhoneCall } from '../support/phone-call.js';
import { until } from '../support/until.js';

// The screen pop: a call queued for the agents, or a night call whose case is open, reaches the
// console at once with who the caller may be; the identification checklist comes with it, and
// the masked details only once the agent says the caller confirmed every item.

const OUT_OF_HOURS = '+33970000001';
const DAYTIME = '+33970000002';
const SHARED = '+33622334455';

let now = new Date('2026-11-24T09:15:00Z'); // a Tuesday, 10:15 in Paris
let h: Harness;
let agent: string;
let socket: Socket;
const ids: Record<string, string> = {};
const received: DomainEvent[] = [];

beforeAll(async () => {
  h = await startHarness({ clock: { now: () => now }, listen: true });
  const db = h.services.db;
  // On call on weeknights, 18:00 to 08:00.
  const agency = await createWeeknightAgency(db, 'POP', 'Agence de Lyon');
  ids.agency = agency.id;
  const customer = async (reference: string, postcode: string, phone: string, serviceContract = false) => {
    const created = await db.customer.create({
      data: {
        reference,
        lastName: `Nom ${reference}`,
        firstName: 'Prénom',
        email: `${reference.toLowerCase()}@client.example`,
        addressLine: '1 rue des Essais',
        postcode,
        city: 'Lyon',
        phones: { create: { e164: phone, kind: 'MOBILE' } },
        supplyPoints: {
          create: {
            reference: `PDL-${reference}`,
            addressLine: '1 rue des Essais',
            postcode,
            city: 'Lyon',
            meters: { create: { serial: `M-${reference}`, diameterMm: 15 } },
          },
        },
      },
    });
    await db.contract.create({
      data: {
        reference: `CT-${reference}`,
        customerId: created.id,
        agencyId: agency.id,
        outOfHoursCoverage: true,
        serviceContract,
      },
    });
    ids[reference] = created.id;
  };
  await customer('C910001', '69002', '+33612340001', true);
  await customer('C910002', '69003', SHARED);
  await customer('C910003', '69004', SHARED);
  await h.services.phoneIndex.rebuild();

  agent = await h.login('AGENT');
  socket = await consoleSocket(h, agent);
  socket.on('event', (event: DomainEvent) => received.push(event));
  // Daytime calls pop on the console of the agent they are offered to: this one, available.
  await api('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
});

afterAll(async () => {
  socket?.disconnect();
  await h.close();
});

const popFor = (callSid: string, reason: string): Promise<DomainEvent> =>
  until(async () =>
    received.find(
      (e) => e.type === 'call.screen-pop' && e.data.callSid === callSid && e.data.reason === reason,
    ),
  );

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

describe('screen pop', () => {
  it('pops a recognised daytime caller offered to the agent, once, even when Twilio retries the webhook', async () => {
    now = new Date('2026-11-24T09:15:00Z');
    const call = new PhoneCall(h, '06 12 34 00 01', DAYTIME);
    expect((await call.dial()).next).toMatchObject({ kind: 'enqueue', queue: 'daytime' });
    await call.dial(); // Twilio retried the first webhook

    const pop = await popFor(call.sid, 'offered');
    expect(pop.data).toMatchObject({
      line: 'daytime',
      lineKind: 'daytime',
      callerNumber: '+33612340001',
      identification: 'one',
      customerIds: [ids.C910001],
      caseId: null,
    });
    // Events arrive in stream order: once a marker published now has arrived, so has any second pop.
    const marker = await h.services.events.publish({ type: 'test.marker', data: {} });
    await until(async () => received.some((e) => e.id === marker));
    expect(received.filter((e) => e.type === 'call.screen-pop' && e.data.callSid === call.sid)).toHaveLength(
      1,
    );

    // What the console asks next: the candidate and the checklist, for a caller not yet known.
    const lookup = (await api('GET', `/api/identification?customers=${ids.C910001}&relation=UNKNOWN`)).json();
    expect(lookup.candidates).toHaveLength(1);
    expect(lookup.candidates[0]).toMatchObject({
      reference: 'C910001',
      lastName: 'Nom C910001',
      addressLine: '1 rue des Essais',
      serviceContract: true,
      checklist: {
        confirm: ['lastName', 'firstName', 'servedAddress', 'customerReference', 'extraElement'],
        refusedByPhone: [{ request: 'iban-change' }, { request: 'account-move' }],
      },
    });
    // The masked details are not in the pop's lookup.
    expect(JSON.stringify(lookup)).not.toContain('c910001@client.example');
    expect(JSON.stringify(lookup)).not.toContain('+33612340001');
    await call.hangUp(); // the agent is free for the next call
  });

  it('pops the customers sharing a number, and the postcode tells them apart', async () => {
    now = new Date('2026-11-24T09:20:00Z');
    const call = new PhoneCall(h, SHARED, DAYTIME);
    await call.dial();
    const pop = await popFor(call.sid, 'offered');
    expect(pop.data).toMatchObject({ identification: 'several' });
    expect([...(pop.data.customerIds as string[])].sort()).toEqual([ids.C910002, ids.C910003].sort());
    const one = (
      await api(
        'GET',
        `/api/identification?customers=${(pop.data.customerIds as string[]).join(',')}&reference=69004`,
      )
    ).json();
    expect(one.candidates.map((c: { reference: string }) => c.reference)).toEqual(['C910003']);
    await call.hangUp();
  });

  it('pops a withheld caller as withheld, with nobody to show', async () => {
    now = new Date('2026-11-24T09:25:00Z');
    const call = new PhoneCall(h, 'anonymous', DAYTIME);
    await call.dial();
    const pop = await popFor(call.sid, 'offered');
    expect(pop.data).toMatchObject({ identification: 'withheld', callerNumber: null, customerIds: [] });
    await call.hangUp();
  });

  it('pops a night call with its case once the case is open, to the agency', async () => {
    now = new Date('2026-11-24T21:30:00Z'); // 22:30 in Paris: on call
    const call = new PhoneCall(h, '+33612340001', OUT_OF_HOURS);
    await call.dial();
    await call.press('2');
    await call.confirmAddress();
    const pop = await popFor(call.sid, 'case-opened');
    const kase = await h.services.db.case.findUniqueOrThrow({ where: { id: pop.data.caseId as string } });
    expect(pop).toMatchObject({
      agencyId: ids.agency,
      data: { lineKind: 'out-of-hours', caseNumber: kase.number, customerIds: [ids.C910001] },
    });
  });
});

describe('identity verification', () => {
  const verify = (body: object) => api('POST', '/api/identification/verify', body);

  it('[ID-1] refuses to reveal the details until every checklist item is confirmed, naming what is missing', async () => {
    const partial = await verify({
      customerId: ids.C910001,
      relation: 'THIRD_PARTY',
      referenceGiven: false,
      confirmed: ['lastName', 'firstName', 'servedAddress'],
    });
    expect(partial.statusCode).toBe(422);
    expect(partial.json()).toMatchObject({
      error: 'checklist_incomplete',
      missing: ['customerReference', 'extraElement'],
    });
    expect(partial.body).not.toContain('client.example');
  });

  it('reveals phones, e-mail, contracts and meters once confirmed, and audits who verified it', async () => {
    const done = await verify({
      customerId: ids.C910001,
      relation: 'THIRD_PARTY',
      referenceGiven: false,
      confirmed: ['lastName', 'firstName', 'servedAddress', 'customerReference', 'extraElement'],
      callSid: 'CA-verify-1',
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      reference: 'C910001',
      email: 'c910001@client.example',
      phones: [{ e164: '+33612340001', kind: 'MOBILE', failing: false }],
      contracts: [{ reference: 'CT-C910001', serviceContract: true, agency: 'Agence de Lyon' }],
      supplyPoints: [{ reference: 'PDL-C910001', meters: ['M-C910001'] }],
    });
    const audit = await h.services.db.auditLog.findMany({ where: { action: 'identity.verified' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityId: ids.C910001, actorType: 'USER' });
    expect(audit[0]!.data).toMatchObject({ relation: 'THIRD_PARTY', callSid: 'CA-verify-1' });
  });

  it('asks the holder for less when the reference was keyed in the IVR', async () => {
    const holder = await verify({
      customerId: ids.C910002,
      relation: 'HOLDER',
      referenceGiven: true,
      confirmed: ['lastName', 'firstName', 'servedAddress'],
    });
    expect(holder.statusCode).toBe(200);
  });

  it('answers a clear error for an unknown customer or a malformed request', async () => {
    const unknown = await verify({
      customerId: '00000000-0000-4000-8000-000000000000',
      relation: 'HOLDER',
      referenceGiven: true,
      confirmed: [],
    });
    expect(unknown.statusCode).toBe(404);
    const malformed = await verify({ customerId: 'not-an-id', relation: 'SOMEONE', confirmed: 'all' });
    expect(malformed.statusCode).toBe(400);
    const badIds = await api('GET', '/api/identification?customers=drop-table');
    expect(badIds.statusCode).toBe(400);
  });
});
