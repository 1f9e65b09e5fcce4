import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainActions } from '../../src/ivr/domain-actions.js';
import { loadRequestDetails } from '../../src/oncall/page-content.js';
import { type Harness, startHarness } from '../support/harness.js';
import { createWeeknightAgency } from '../support/oncall-fixture.js';
import { PhoneCall } from '../support/phone-call.js';

// Whole calls through the real, signed webhooks: what the caller hears at each step, and what
// the call leaves in the case store.

const OUT_OF_HOURS = '+33970000001';
const DAYTIME = '+33970000002';
const SHARED = '+33611223344';

let now = new Date('2026-11-24T21:30:00Z'); // a Tuesday, 22:30 in Paris
let failing: 'check-eligibility' | null = null;
let stalling = false;
let h: Harness;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness({
    clock: { now: () => now },
    // Long enough for a loaded CI machine; the stalling action below outlasts it.
    env: { IVR_ACTION_TIMEOUT_MS: '1500' },
    actions: (real): DomainActions => ({
      ...real,
      async 'check-eligibility'(context) {
        if (failing === 'check-eligibility') throw new Error('eligibility store unavailable');
        if (stalling) await new Promise((resolve) => setTimeout(resolve, 2500));
        return real['check-eligibility'](context);
      },
    }),
  });
  const db = h.services.db;
  // On call on weeknights, 18:00 to 08:00.
  const agency = await createWeeknightAgency(db, 'IVR', 'Agence de Lyon');
  ids.agency = agency.id;
  const customer = async (
    reference: string,
    postcode: string,
    phone: string | null,
    contract: { outOfHoursCoverage: boolean; contractualDelay?: string; serviceContract?: boolean } | null,
    meter?: string,
  ) => {
    const created = await db.customer.create({
      data: {
        reference,
        lastName: `Nom ${reference}`,
        firstName: 'Prénom',
        addressLine: '1 rue des Essais',
        postcode,
        city: 'Lyon',
        ...(phone ? { phones: { create: { e164: phone, kind: 'MOBILE' } } } : {}),
        ...(meter
          ? {
              supplyPoints: {
                create: {
                  reference: `PDL-${reference}`,
                  addressLine: '1 rue des Essais',
                  postcode,
                  city: 'Lyon',
                  meters: { create: { serial: meter, diameterMm: 15 } },
                },
              },
            }
          : {}),
      },
    });
    if (contract)
      await db.contract.create({
        data: { reference: `CT-${reference}`, customerId: created.id, agencyId: agency.id, ...contract },
      });
    ids[reference] = created.id;
  };
  await customer('C900001', '69002', '+33612345678', {
    outOfHoursCoverage: true,
    contractualDelay: 'sous 4 heures',
  });
  await customer('C900002', '69003', SHARED, { outOfHoursCoverage: true });
  await customer('C900003', '69004', SHARED, { outOfHoursCoverage: false });
  await customer('C900004', '69005', null, { outOfHoursCoverage: true, serviceContract: true }, 'M7000004');
  await customer('C900005', '69006', '+33655555555', null);
});

afterAll(async () => {
  await h.close();
});

const callTo = (line: string, from: string) => new PhoneCall(h, from, line);

async function contactOf(call: PhoneCall) {
  return h.services.db.contact.findUnique({
    where: { providerId: call.sid },
    include: { case: { include: { events: { orderBy: { id: 'asc' } } } } },
  });
}

describe('out-of-hours line', () => {
  it('[ON-4] recognises an eligible caller by number, reminds the delay, reads back the address, opens a case with their message', async () => {
    const call = callTo(OUT_OF_HOURS, '+33612345678');
    const welcome = await call.dial();
    expect(welcome.said[0]).toMatch(/^Bonjour, vous êtes bien sur la ligne d'urgence/);
    expect(welcome.said[1]).toMatch(/odeur de gaz.*tapez 1.*panne, tapez 2/);
    expect(welcome.next).toMatchObject({ kind: 'gather', numDigits: 1, input: 'dtmf speech' });
    expect(call.last?.body).toContain('language="fr-FR"');

    const afterMenu = await call.press('2');
    expect(afterMenu.said).toEqual([
      "Votre contrat comprend l'intervention en dehors des heures d'ouverture, délai prévu : sous 4 heures.",
      "L'adresse concernée est bien : 1 rue des Essais, 69002 Lyon ? Tapez 1 ou dites oui si c'est exact, tapez 2 ou dites non sinon.",
    ]);
    expect(afterMenu.next).toMatchObject({ kind: 'gather', numDigits: 1 });
    const confirmed = await call.speak("Oui c'est bien ça");
    expect(confirmed.said).toEqual([
      'Merci.',
      "Le technicien d'astreinte est prévenu et va vous rappeler.",
      expect.stringMatching(/^Après le bip, donnez votre nom, l'adresse de l'intervention/),
    ]);
    expect(confirmed.next.kind).toBe('record');

    const end = await call.record(20);
    const contact = await contactOf(call);
    const kase = contact!.case!;
    expect(end.said).toEqual([`Merci. Votre demande numéro ${kase.number} est enregistrée. Au revoir.`]);
    expect(end.next.kind).toBe('hangup');
    expect(kase).toMatchObject({
      category: 'out-of-hours',
      urgency: 'NORMAL',
      customerId: ids.C900001,
      agencyId: ids.agency,
      detailsToCheck: false,
      description: "Appel sans saisie. Adresse confirmée par l'appelant : 1 rue des Essais, 69002 Lyon.",
    });
    expect(kase.events.map((e) => e.type)).toEqual([
      'call.received',
      'oncall.decision',
      'voicemail.recorded',
    ]);
    expect(kase.events[1]!.data).toMatchObject({ kind: 'page-now' });
    // Whoever calls back still has the caller confirm who they are.
    expect(kase.events[0]!.data).toMatchObject({
      facts: { addressConfirmed: 'yes' },
      toConfirm: { confirm: ['lastName', 'firstName', 'servedAddress', 'customerReference'] },
    });

    await call.hangUp();
    const trace = (await contactOf(call))!;
    expect(trace).toMatchObject({ direction: 'INBOUND', channel: 'PHONE', customerId: ids.C900001 });
    expect(trace.details).toMatchObject({
      line: 'out-of-hours',
      from: '+33612345678',
      path: [
        'welcome',
        'menu',
        'identify',
        'check-contract',
        'eligible',
        'confirm-address',
        'address-confirmed',
        'open-case',
        'route',
        'will-call-back',
        'describe',
        'request-recorded',
      ],
      inputs: [
        { step: 'menu', digits: '2', accepted: true },
        { step: 'confirm-address', speech: "Oui c'est bien ça", accepted: true },
      ],
      outcome: 'voicemail',
      endedAtStep: 'request-recorded',
      status: 'completed',
    });
    expect(await h.services.callStates.get(call.sid)).toBeNull();
  });

  it('[ON-4] records what the caller says when the address on file is wrong, for the technician, and flags the case', async () => {
    const call = callTo(OUT_OF_HOURS, '+33612345678');
    await call.dial();
    await call.press('2');
    const asked = await call.press('2');
    expect(asked.said).toEqual([
      "D'accord. Dites maintenant votre nom, l'adresse exacte et le numéro où vous rappeler : le technicien les aura.",
    ]);
    expect(asked.next).toMatchObject({ kind: 'gather', input: 'speech' });
    const after = await call.speak('Jeanne Martin 14 rue des Lilas à Lyon 06 11 22 33 44');
    expect(after.said[0]).toBe('Merci.');
    expect(after.said[1]).toBe("Le technicien d'astreinte est prévenu et va vous rappeler.");
    await call.record();
    const kase = (await contactOf(call))!.case!;
    expect(kase.detailsToCheck).toBe(true);
    expect(kase.description).toBe(
      "Appel sans saisie. Coordonnées à vérifier : l'appelant ne confirme pas l'adresse 1 rue des Essais, 69002 Lyon et indique « Jeanne Martin 14 rue des Lilas à Lyon 06 11 22 33 44 ».",
    );
    // What the page and the recap give the technician.
    const details = await loadRequestDetails(h.services.db, h.services.templates, kase.id, 'Europe/Paris');
    expect(details.callerInputs).toContain('« Jeanne Martin 14 rue des Lilas à Lyon 06 11 22 33 44 »');
    // The console's case list shows the flag.
    const supervisor = await h.login('SUPERVISOR');
    const listed = (
      await h.app.inject({
        method: 'GET',
        url: '/api/cases',
        headers: { authorization: `Bearer ${supervisor}` },
      })
    ).json() as Array<{ id: string; detailsToCheck: boolean }>;
    expect(listed.find((c) => c.id === kase.id)?.detailsToCheck).toBe(true);
  });

  it('[ON-4] goes on without holding the caller up when they answer nothing, and flags nothing it was not told', async () => {
    const call = callTo(OUT_OF_HOURS, '+33612345678');
    await call.dial();
    await call.press('2');
    await call.silence();
    await call.silence();
    const heard = await call.silence();
    expect(heard.said).toContain("Le technicien d'astreinte est prévenu et va vous rappeler.");
    await call.record();
    expect((await contactOf(call))!.case).toMatchObject({
      detailsToCheck: false,
      description: 'Appel sans saisie.',
    });
  });

  it('asks which customer when two share the calling number, and tells them apart by postcode', async () => {
    const call = callTo(OUT_OF_HOURS, '06 11 22 33 44'.replace(/ /g, ''));
    await call.dial();
    const asked = await call.press('2');
    expect(asked.said).toEqual([
      "Plusieurs clients utilisent ce numéro de téléphone. Tapez le code postal de l'adresse concernée, ou votre numéro client, puis dièse.",
    ]);
    const picked = await call.press('69003');
    expect(picked.said[0]).toMatch(/^Votre contrat comprend l'intervention/);
    await call.confirmAddress();
    await call.record();
    expect((await contactOf(call))?.case?.customerId).toBe(ids.C900002);
  });

  it('lets a shared-number caller give their customer number instead, then applies their contract', async () => {
    const call = callTo(OUT_OF_HOURS, SHARED);
    await call.dial();
    await call.press('2');
    const heard = await call.press('900003');
    // C900003's contract has no out-of-hours coverage.
    expect(heard.said[0]).toMatch(/^Votre contrat ne comprend pas l'intervention/);
    expect(heard.next.kind).toBe('record');
  });

  it('asks an unknown caller for their customer number and finds them by it', async () => {
    const call = callTo(OUT_OF_HOURS, '+33699999999');
    await call.dial();
    const asked = await call.press('2');
    expect(asked.said[0]).toMatch(/^Nous n'avons pas reconnu votre numéro de téléphone/);
    const wrong = await call.press('123');
    expect(wrong.said).toEqual([
      'Ce numéro ne correspond à aucun contrat. Vérifiez-le sur votre facture, tapez-le de nouveau, puis dièse.',
    ]);
    const found = await call.press('900001');
    expect(found.said[0]).toMatch(/délai prévu : sous 4 heures/);
    await call.confirmAddress();
    await call.record();
    expect((await contactOf(call))?.case?.customerId).toBe(ids.C900001);
  });

  it('[ON-4] reads back the address of the supply point the contract serves, and asks a service-contract holder one more element', async () => {
    const db = h.services.db;
    const holder = await db.customer.create({
      data: {
        reference: 'C900006',
        lastName: 'Nom C900006',
        firstName: 'Prénom',
        addressLine: '3 place Bellecour',
        postcode: '69002',
        city: 'Lyon',
        phones: { create: { e164: '+33666666606', kind: 'MOBILE' } },
        supplyPoints: {
          create: {
            reference: 'PDL-C900006',
            addressLine: '8 avenue du Parc',
            postcode: '69006',
            city: 'Lyon',
          },
        },
      },
      include: { supplyPoints: true },
    });
    await db.contract.create({
      data: {
        reference: 'CT-C900006',
        customerId: holder.id,
        agencyId: ids.agency!,
        supplyPointId: holder.supplyPoints[0]!.id,
        outOfHoursCoverage: true,
        serviceContract: true,
      },
    });
    const call = callTo(OUT_OF_HOURS, '+33666666606');
    await call.dial();
    const afterMenu = await call.press('2');
    expect(afterMenu.said[1]).toBe(
      "L'adresse concernée est bien : 8 avenue du Parc, 69006 Lyon ? Tapez 1 ou dites oui si c'est exact, tapez 2 ou dites non sinon.",
    );
    await call.confirmAddress();
    await call.record();
    const kase = (await contactOf(call))!.case!;
    expect(kase.events[0]!.data).toMatchObject({
      toConfirm: { confirm: ['lastName', 'firstName', 'servedAddress', 'customerReference', 'extraElement'] },
    });
  });

  it('counts only a contract in force today: one ended yesterday or starting tomorrow does not cover the call', async () => {
    const db = h.services.db;
    const day = 24 * 3600_000;
    for (const [reference, phone, dates] of [
      ['C900007', '+33666666607', { endsOn: new Date(now.getTime() - day) }],
      ['C900008', '+33666666608', { startsOn: new Date(now.getTime() + day) }],
    ] as const) {
      const customer = await db.customer.create({
        data: {
          reference,
          lastName: `Nom ${reference}`,
          firstName: 'Prénom',
          addressLine: '1 rue des Essais',
          postcode: '69002',
          city: 'Lyon',
          phones: { create: { e164: phone, kind: 'MOBILE' } },
        },
      });
      await db.contract.create({
        data: {
          reference: `CT-${reference}`,
          customerId: customer.id,
          agencyId: ids.agency!,
          outOfHoursCoverage: true,
          ...dates,
        },
      });
      const call = callTo(OUT_OF_HOURS, phone);
      await call.dial();
      expect((await call.press('2')).said[0]).toBe(
        "Votre contrat ne comprend pas l'intervention en dehors des heures d'ouverture. Laissez un message : votre agence le traitera dès son ouverture.",
      );
    }
  });

  it('finds a caller by the meter number they say', async () => {
    const call = callTo(OUT_OF_HOURS, '+33699999998');
    await call.dial();
    await call.speak('panne');
    const found = await call.speak('sept 0 0 0 0 0 quatre');
    expect(found.said[0]).toMatch(/^Votre contrat comprend l'intervention/);
    await call.confirmAddress();
    await call.record();
    expect((await contactOf(call))?.case?.customerId).toBe(ids.C900004);
  });

  it('handles a withheld number: asks for the reference, and takes a message when none comes', async () => {
    const call = callTo(OUT_OF_HOURS, 'anonymous');
    await call.dial();
    expect((await call.press('2')).said[0]).toMatch(/^Nous n'avons pas reconnu/);
    expect((await call.silence()).said).toEqual([
      "Nous n'avons pas entendu de numéro. Tapez les chiffres de votre numéro client ou de compteur, puis dièse.",
    ]);
    await call.silence();
    const message = await call.silence();
    expect(message.said[0]).toMatch(/^Après le bip, donnez votre nom, votre adresse/);
    await call.record();
    const contact = await contactOf(call);
    expect(contact?.case).toMatchObject({ category: 'voicemail', customerId: null });
    expect(contact?.details).toMatchObject({ from: null });
  });

  it('after three invalid inputs at the menu, goes on to the fallback (handled as a breakdown)', async () => {
    const call = callTo(OUT_OF_HOURS, '+33612345678');
    await call.dial();
    const first = await call.press('7');
    expect(first.said).toEqual([
      "Nous n'avons pas compris. En cas d'odeur de gaz, d'incendie ou de danger, tapez 1. Pour une panne, tapez 2.",
    ]);
    expect(first.next.kind).toBe('gather');
    await call.speak('bonjour madame');
    const third = await call.press('5');
    expect(third.said[0]).toMatch(/^Votre contrat comprend l'intervention/);
    await call.confirmAddress();
    await call.hangUp();
    const trace = await contactOf(call);
    expect(trace?.details).toMatchObject({
      inputs: [
        { step: 'menu', digits: '7', accepted: false },
        { step: 'menu', speech: 'bonjour madame', accepted: false },
        { step: 'menu', digits: '5', accepted: false },
        { step: 'confirm-address', digits: '1', accepted: true },
      ],
      endedAtStep: 'describe',
    });
  });

  it('[ON-8] treats gas said in a sentence as an emergency: safety advice, then an urgent case even without out-of-hours cover', async () => {
    const call = callTo(OUT_OF_HOURS, SHARED);
    await call.dial();
    const advice = await call.speak('Ça sent le GAZ dans la cuisine');
    expect(advice.said[0]).toMatch(/^En cas d'odeur de gaz : n'actionnez aucun interrupteur/);
    await call.press('69004'); // C900003: no out-of-hours cover
    const heard = call.heard;
    expect(heard.said).toEqual([
      "Le responsable d'astreinte est prévenu immédiatement et va vous rappeler.",
      expect.stringMatching(/^Après le bip, donnez votre nom, l'adresse de l'intervention/),
    ]);
    await call.record();
    expect((await contactOf(call))?.case).toMatchObject({ urgency: 'URGENT', customerId: ids.C900003 });
  });

  it('switches to English on 9', async () => {
    const call = callTo(OUT_OF_HOURS, '+33612345678');
    await call.dial();
    const english = await call.press('9');
    expect(english.said).toEqual([expect.stringMatching(/^If you smell gas/)]);
    expect(call.last?.body).toContain('language="en-GB"');
    const next = await call.press('2');
    expect(next.said[0]).toBe('Your contract includes out-of-hours service, with this delay: sous 4 heures.');
  });

  it('sends the caller to a message, never an error, when a domain action fails', async () => {
    failing = 'check-eligibility';
    try {
      const call = callTo(OUT_OF_HOURS, '+33612345678');
      await call.dial();
      const heard = await call.press('2');
      expect(call.last?.statusCode).toBe(200);
      expect(heard.said).toEqual([
        'Après le bip, donnez votre nom, votre adresse et décrivez votre demande, puis appuyez sur dièse.',
      ]);
      expect(heard.next.kind).toBe('record');
      await call.record();
      await call.hangUp();
      const contact = await contactOf(call);
      expect(contact?.case?.category).toBe('voicemail');
      expect(contact?.details).toMatchObject({ path: expect.arrayContaining(['check-contract:failed']) });
    } finally {
      failing = null;
    }
  });

  it('sends the caller to the fallback when a domain action takes too long', async () => {
    stalling = true;
    try {
      const call = callTo(OUT_OF_HOURS, '+33612345678');
      await call.dial();
      const heard = await call.press('2');
      expect(heard.said[0]).toMatch(/^Après le bip, donnez votre nom, votre adresse/);
    } finally {
      stalling = false;
    }
  });

  it('answers a duplicated webhook with the same TwiML and advances the call once', async () => {
    const call = callTo(OUT_OF_HOURS, '+33612345678');
    await call.dial();
    const action = call.waitingOn;
    // Twilio retrying while the first request is still running, possibly on another process.
    const [a, b] = await Promise.all([
      call.post(action, { Digits: '2' }),
      call.post(action, { Digits: '2' }),
    ]);
    expect(b).toEqual(a);
    const again = await call.post(action, { Digits: '2' });
    expect(again).toEqual(a);
    const state = await h.services.callStates.get(call.sid);
    expect(state?.seq).toBe(2);
    expect(state?.inputs).toHaveLength(1);
    await call.confirmAddress();
    expect(await h.services.db.contact.count({ where: { providerId: call.sid } })).toBe(1);
    expect(await h.services.db.case.count({ where: { contacts: { some: { providerId: call.sid } } } })).toBe(
      1,
    );
  });

  it('records where a caller hung up mid-flow', async () => {
    const call = callTo(OUT_OF_HOURS, '+33612345678');
    await call.dial();
    await call.hangUp();
    expect((await contactOf(call))?.details).toMatchObject({
      path: ['welcome', 'menu'],
      endedAtStep: 'menu',
      outcome: null,
      status: 'completed',
    });
  });

  it('answers a webhook for an unknown or expired call with the apology and a voicemail', async () => {
    const call = callTo(OUT_OF_HOURS, '+33612345678');
    const heard = await call.post('/twilio/voice/step?seq=3', { Digits: '1' });
    expect(heard.said[0]).toMatch(/^Nous sommes désolés/);
    expect(heard.next).toEqual({ kind: 'record', action: '/twilio/voice/recording' });
  });
});

describe('daytime line', () => {
  it('in opening hours, recognises the caller and queues them for an agent; takes a message when none answers', async () => {
    now = new Date('2026-11-24T09:15:00Z'); // Tuesday 10:15 in Paris
    const call = callTo(DAYTIME, '+33612345678');
    const heard = await call.dial();
    expect(heard.said).toEqual([
      'Bonjour, vous êtes bien sur le service client.',
      'Nous avons reconnu votre numéro.',
      'Un conseiller va vous répondre. Merci de patienter.',
    ]);
    expect(heard.next).toMatchObject({ kind: 'enqueue', queue: 'daytime' });
    const { waitUrl, action } = heard.next as { waitUrl: string; action: string };
    const holding = await call.post(waitUrl, { QueueTime: '20' });
    expect(holding.said).toEqual(['Un conseiller va vous répondre. Merci de patienter.']);
    expect((await call.post(waitUrl, { QueueTime: '181' })).next.kind).toBe('leave');
    const left = await call.post(action, { QueueResult: 'leave', QueueTime: '181' });
    expect(left.said).toEqual([
      'Tous nos conseillers sont occupés.',
      'Après le bip, donnez votre nom, votre adresse et décrivez votre demande, puis appuyez sur dièse.',
    ]);
  });

  it('ends the call quietly once an agent has taken it', async () => {
    now = new Date('2026-11-24T09:15:00Z');
    const call = callTo(DAYTIME, '+33699999999');
    await call.dial();
    const after = await call.post(call.waitingOn, { QueueResult: 'bridged' });
    expect(after).toEqual({ said: [], next: { kind: 'hangup' } });
  });

  it.each([
    ['on a Sunday', '2026-11-29T10:00:00Z'],
    ['in the evening', '2026-11-24T17:30:00Z'],
    ['on Christmas day (a Friday)', '2026-12-25T10:00:00Z'],
  ])('outside opening hours (%s), gives the hours and takes a message', async (_when, instant) => {
    now = new Date(instant);
    const heard = await callTo(DAYTIME, '+33612345678').dial();
    expect(heard.said).toEqual([
      'Bonjour, vous êtes bien sur le service client.',
      'Nos conseillers vous répondent du lundi au vendredi, de 8 heures à 18 heures, sauf les jours fériés.',
      'Après le bip, donnez votre nom, votre adresse et décrivez votre demande, puis appuyez sur dièse.',
    ]);
    expect(heard.next.kind).toBe('record');
  });
});

describe('identification for the console', () => {
  let agent: string;
  beforeAll(async () => {
    agent = await h.login('AGENT');
  });
  const lookup = (query: string, token: string | null = agent) =>
    h.app.inject({
      method: 'GET',
      url: `/api/identification?${query}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('[ID-1] finds the customer of a number written the French way, with the checklist', async () => {
    const response = await lookup('phone=06.12.34.56.78');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'one',
      e164: '+33612345678',
      candidates: [
        {
          reference: 'C900001',
          postcode: '69002',
          checklist: {
            confirm: ['lastName', 'firstName', 'servedAddress', 'customerReference'],
            refusedByPhone: [{ request: 'iban-change' }, { request: 'account-move' }],
          },
        },
      ],
    });
  });

  it('lists both customers sharing a number, and tells them apart by postcode', async () => {
    const both = (await lookup(`phone=${encodeURIComponent(SHARED)}`)).json();
    expect(both.status).toBe('several');
    expect(both.candidates.map((c: { reference: string }) => c.reference)).toEqual(['C900002', 'C900003']);
    const one = (await lookup(`phone=${encodeURIComponent(SHARED)}&reference=69004`)).json();
    expect(one.candidates.map((c: { reference: string }) => c.reference)).toEqual(['C900003']);
  });

  it('[ID-2] [ID-3] makes the reference mandatory for a third party, and asks a service-contract holder one more element', async () => {
    const third = (await lookup('phone=0612345678&relation=THIRD_PARTY')).json();
    expect(third.candidates[0].checklist.mandatory).toEqual(['customerReference']);
    const holder = (await lookup('reference=M7000004&relation=HOLDER')).json();
    expect(holder.candidates[0]).toMatchObject({ reference: 'C900004', serviceContract: true });
    // The meter serial was given: no extra element needed.
    expect(holder.candidates[0].checklist.confirm).not.toContain('extraElement');
    const noReference = (await lookup('phone=anonymous&relation=HOLDER')).json();
    expect(noReference).toEqual({ status: 'withheld', e164: null, candidates: [] });
  });

  it('refuses an anonymous request and an empty query with a clear error', async () => {
    expect((await lookup('phone=0612345678', null)).statusCode).toBe(401);
    const empty = await lookup('');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: 'bad_request' });
  });
});
