import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdingReplyDeps, sendHoldingReplies } from '../../src/cases/holding-reply.service.js';
import { at, stoppedAt } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';

// [CS-4] A case about to miss its deadline gets a holding reply (an e-mail, else a call for an
// agent to make), and the website's contact form is acknowledged at once with the case reference.

const clock = stoppedAt(at('2026-11-24T10:00')); // a Tuesday morning in Paris
let h: Harness;
let agent: string;
let withEmail: string;
let withoutEmail: string;

beforeAll(async () => {
  h = await startHarness({
    clock,
    env: {
      CASE_HOLDING_REPLY_HOURS: '24',
      CONTACT_FORM_PER_MINUTE: '3',
      CONTACT_FORM_PER_ADDRESS_PER_HOUR: '4',
    },
  });
  const db = h.services.db;
  const customer = (reference: string, email: string | null) =>
    db.customer.create({
      data: {
        reference,
        lastName: 'Morel',
        firstName: 'Inès',
        email,
        addressLine: '3 rue Basse',
        postcode: '69003',
        city: 'Lyon',
      },
    });
  withEmail = (await customer('C930001', 'ines.morel@test.example')).id;
  withoutEmail = (await customer('C930002', null)).id;
  agent = await h.login('AGENT');
});

afterAll(async () => {
  await h?.close();
});

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${agent}` },
    ...(payload ? { payload } : {}),
  });

/** A request received by e-mail now: due 48 hours later [CS-3]. */
async function emailRequest(customerId: string, extra: object = {}) {
  const created = await call('POST', '/api/cases', {
    customerId,
    kind: 'REQUEST',
    urgency: 'NORMAL',
    category: 'billing',
    subject: 'Question sur ma facture',
    contact: { channel: 'EMAIL', direction: 'INBOUND', summary: 'Message reçu' },
    ...extra,
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json() as { id: string; number: number };
}

const sweep = () => sendHoldingReplies(holdingReplyDeps(h.services));
const holdingReplies = (caseId: string) =>
  h.services.db.message.findMany({ where: { caseId, purpose: 'case-holding-reply' } });
const detail = async (id: string) => (await call('GET', `/api/cases/${id}`)).json();

describe('[CS-4] holding replies', () => {
  it('[CS-4] e-mails the customer once, a day before the deadline, and records it on the case', async () => {
    clock.set(at('2026-11-24T10:00'));
    const { id, number } = await emailRequest(withEmail); // due Thursday 10:00

    clock.set(at('2026-11-25T09:00')); // 25 h before: not yet
    await sweep();
    expect(await holdingReplies(id)).toHaveLength(0);

    clock.set(at('2026-11-25T10:30')); // 23.5 h before
    await sweep();
    await sweep(); // a second sweep (or a second worker) sends nothing more
    const [reply, ...more] = await holdingReplies(id);
    expect(more).toHaveLength(0);
    expect(reply).toMatchObject({ channel: 'EMAIL', to: 'ines.morel@test.example', essential: true });
    expect(reply!.subject).toBe(`Votre demande n° ${number} : elle est en cours de traitement`);
    expect(reply!.body).toContain('Bonjour Inès Morel');
    expect(reply!.body).toContain('Question sur ma facture');

    const shown = await detail(id);
    expect(shown.holdingReplyAt).toBe(at('2026-11-25T10:30').toISOString());
    expect(shown.holdingCallDue).toBe(false);
    expect(shown.contacts.at(-1)).toMatchObject({ direction: 'OUTBOUND', channel: 'EMAIL' });
    expect(shown.events.map((e: { type: string }) => e.type)).toContain('case.holding-reply');
  });

  it('[CS-4] [CS-1] asks an agent to phone when no e-mail is on file; the outbound call settles it without making the case multi-contact', async () => {
    clock.set(at('2026-11-24T10:00'));
    const { id } = await emailRequest(withoutEmail);
    clock.set(at('2026-11-25T11:00'));
    expect(await sweep()).toMatchObject({ callsDue: 1 });
    expect(await holdingReplies(id)).toHaveLength(0);
    const listed = (
      (await call('GET', '/api/cases')).json() as Array<{ id: string; holdingCallDue: boolean }>
    ).find((c) => c.id === id);
    expect(listed?.holdingCallDue).toBe(true);

    const called = await call('POST', `/api/cases/${id}/contacts`, {
      channel: 'PHONE',
      direction: 'OUTBOUND',
      summary: 'Rappel : dossier en cours, réponse sous 48 h',
    });
    expect(called.statusCode, called.body).toBe(201);
    const shown = await detail(id);
    expect(shown).toMatchObject({ holdingCallDue: false, multiContact: false });
    expect(shown.holdingReplyAt).not.toBeNull();
  });

  it('[CS-4] [CS-5] settles a holding call still owed when the case is answered in writing', async () => {
    clock.set(at('2026-11-24T10:00'));
    const { id } = await emailRequest(withoutEmail);
    clock.set(at('2026-11-25T11:00'));
    await sweep();
    expect((await detail(id)).holdingCallDue).toBe(true);
    const letter = await call('POST', `/api/cases/${id}/answer`, {
      channel: 'LETTER',
      text: 'Voici notre réponse.',
    });
    expect(letter.statusCode, letter.body).toBe(201);
    expect((await detail(id)).holdingCallDue).toBe(false);
  });

  it('[CS-4] waits no longer than the window: a case long past its deadline gets no late holding reply', async () => {
    clock.set(at('2026-11-24T10:00'));
    const { id } = await emailRequest(withEmail); // due Thursday 10:00
    clock.set(at('2026-11-27T11:00')); // 25 h past it
    await sweep();
    expect(await holdingReplies(id)).toHaveLength(0);
  });

  it('[CS-4] [CS-3] [CS-5] [CS-6] leaves alone the cases answered, paused, urgent, sensitive or closed', async () => {
    clock.set(at('2026-11-24T10:00'));
    const answered = await emailRequest(withEmail);
    const answer = await call('POST', `/api/cases/${answered.id}/answer`, {
      channel: 'EMAIL',
      text: 'Voici notre réponse.',
    });
    expect(answer.statusCode, answer.body).toBe(201);
    const paused = await emailRequest(withEmail);
    expect(
      (await call('POST', `/api/cases/${paused.id}/waiting`, { reason: 'Accord du propriétaire attendu' }))
        .statusCode,
    ).toBe(200);
    const urgent = await emailRequest(withEmail, { urgency: 'URGENT' });
    const sensitive = await emailRequest(withEmail);
    expect((await call('PATCH', `/api/cases/${sensitive.id}`, { sensitive: 'LEGAL' })).statusCode).toBe(200);
    const closed = await emailRequest(withEmail);
    expect(
      (await call('POST', `/api/cases/${closed.id}/close`, { resolution: 'Renseigné.' })).statusCode,
    ).toBe(200);

    clock.set(at('2026-11-25T11:00'));
    await sweep();
    for (const { id } of [answered, paused, urgent, sensitive, closed]) {
      expect(await holdingReplies(id)).toHaveLength(0);
      expect((await detail(id)).holdingReplyAt).toBeNull();
    }
  });

  it('[CS-4] [CS-5] a holding reply is not the written answer: a complaint still cannot close without one', async () => {
    clock.set(at('2026-11-24T10:00'));
    const { id } = await emailRequest(withEmail, { kind: 'COMPLAINT' });
    clock.set(at('2026-11-25T11:00'));
    await sweep();
    expect(await holdingReplies(id)).toHaveLength(1);
    const close = await call('POST', `/api/cases/${id}/close`, { resolution: 'Traité.' });
    expect(close.statusCode).toBe(409);
    expect(close.json().error).toBe('answer_required');
  });
});

describe('[CS-4] the website contact form', () => {
  const post = (payload: object, ip = '203.0.113.7') =>
    h.app.inject({ method: 'POST', url: '/api/contact-form', payload, remoteAddress: ip });

  it('[CS-4] [CS-3] opens a request due in 48 h, attached to no customer whatever the address, and acknowledges it with the reference', async () => {
    clock.set(at('2026-11-24T10:00'));
    const sent = await post({
      name: 'Inès Morel',
      email: 'Ines.Morel@test.example',
      subject: 'Changement de coordonnées bancaires',
      message: 'Bonjour, je change de banque le mois prochain.',
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const { caseNumber, dueAt } = sent.json();
    expect(dueAt).toBe(at('2026-11-26T10:00').toISOString());
    const kase = await h.services.db.case.findUniqueOrThrow({
      where: { number: caseNumber },
      include: { contacts: { orderBy: { at: 'asc' } } },
    });
    // An address proves nothing: an agent identifies the sender, as for any contact.
    expect(kase).toMatchObject({
      customerId: null,
      kind: 'REQUEST',
      category: 'contact-form',
      description: null,
    });
    expect(kase.contacts[0]).toMatchObject({
      direction: 'INBOUND',
      channel: 'EMAIL',
      address: 'ines.morel@test.example',
      callerName: 'Inès Morel',
      summary: 'Bonjour, je change de banque le mois prochain.',
    });
    const [ack] = await h.services.db.message.findMany({
      where: { caseId: kase.id, purpose: 'contact-form-ack' },
    });
    expect(ack).toMatchObject({ channel: 'EMAIL', to: 'ines.morel@test.example' });
    expect(ack!.subject).toBe(`Nous avons bien reçu votre message : demande n° ${caseNumber}`);
    expect(ack!.body).toContain(`référence ${caseNumber}`);
    expect(ack!.body).toContain('jeudi 26 novembre 2026 à 10:00');
  });

  it('[CS-4] answers a stranger in the language of the page, and keeps what they wrote whatever words it uses', async () => {
    clock.set(at('2026-11-24T10:00'));
    const sent = await post(
      {
        name: 'Sam Lee',
        email: 'sam@test.example',
        subject: 'Leak',
        message: 'My neighbour is rude and broke, and water leaks.',
        locale: 'en',
      },
      '203.0.113.8',
    );
    expect(sent.statusCode, sent.body).toBe(201);
    const { caseNumber } = sent.json();
    const kase = await h.services.db.case.findUniqueOrThrow({ where: { number: caseNumber } });
    expect(kase.customerId).toBeNull();
    const [ack] = await h.services.db.message.findMany({
      where: { caseId: kase.id, purpose: 'contact-form-ack' },
    });
    expect(ack!.subject).toBe(`We have received your message: request no. ${caseNumber}`);
    expect(ack!.body).toContain('Thursday, 26 November 2026 at 10:00');
  });

  it('refuses a malformed form with a clear 400, an oversized one with a 413, and a flood with a 429', async () => {
    const malformed = await post(
      { name: 'X', email: 'not-an-address', subject: 'S', message: 'M' },
      '203.0.113.9',
    );
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'invalid_request' });
    const noAddress = await post({ name: 'X', subject: 'S', message: 'M' }, '203.0.113.9');
    expect(noAddress.statusCode).toBe(400);
    const huge = await post(
      { name: 'X', email: 'x@test.example', subject: 'S', message: 'M'.repeat(20_000) },
      '203.0.113.9',
    );
    expect(huge.statusCode).toBe(413);
    const cases = await h.services.db.case.count({ where: { category: 'contact-form' } });

    // CONTACT_FORM_PER_MINUTE=3 from one address: the fourth is refused, nothing opened for it.
    const flood = '203.0.113.10';
    const form = { name: 'Y', email: 'y@test.example', subject: 'S', message: 'M' };
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await post(form, flood)).statusCode);
    expect(answers).toEqual([201, 201, 201, 429]);
    expect(await h.services.db.case.count({ where: { category: 'contact-form' } })).toBe(cases + 3);
    // Another address is not held back.
    expect((await post(form, '203.0.113.11')).statusCode).toBe(201);
  });

  it('refuses a fifth message to one e-mail address within the hour, whatever address it is sent from', async () => {
    const form = { name: 'Z', email: 'victim@test.example', subject: 'S', message: 'M' };
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await post(form, `198.51.100.${i + 1}`)).statusCode);
    expect(answers).toEqual([201, 201, 201, 201, 429]);
    const acks = await h.services.db.message.count({
      where: { to: 'victim@test.example', purpose: 'contact-form-ack' },
    });
    expect(acks).toBe(4);
  });

  it('reads the sender from the socket, not from an X-Forwarded-For the sender wrote (no proxy configured)', async () => {
    const form = { name: 'W', email: 'w@test.example', subject: 'S', message: 'M' };
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(
        (
          await h.app.inject({
            method: 'POST',
            url: '/api/contact-form',
            payload: { ...form, email: `w${i}@test.example` },
            remoteAddress: '192.0.2.50',
            headers: { 'x-forwarded-for': `10.0.0.${i}` },
          })
        ).statusCode,
      );
    expect(answers).toEqual([201, 201, 201, 429]);
  });
});
