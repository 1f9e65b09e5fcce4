import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

// What an agent does to a case in the console: open one for a call, qualify it (the due date
// follows the domain's deadlines), note, attach a new contact (flagged to the supervisors), close.

let now = new Date('2026-11-24T09:30:00Z'); // Tuesday 10:30 in Paris
let h: Harness;
let agent: string;
let customerId: string;
let agencyId: string;

beforeAll(async () => {
  h = await startHarness({ clock: { now: () => now } });
  const db = h.services.db;
  const region = await db.region.create({ data: { code: 'R-CASE', name: 'Région' } });
  agencyId = (await db.agency.create({ data: { code: 'A-CASE', name: 'Agence', regionId: region.id } })).id;
  customerId = (
    await db.customer.create({
      data: {
        reference: 'C920001',
        lastName: 'Durand',
        addressLine: '2 rue Haute',
        postcode: '69001',
        city: 'Lyon',
      },
    })
  ).id;
  agent = await h.login('AGENT');
});

afterAll(async () => {
  await h.close();
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, token = agent) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

async function openLetterCase(): Promise<{ id: string; number: number }> {
  const created = await call('POST', '/api/cases', {
    customerId,
    agencyId,
    kind: 'REQUEST',
    urgency: 'NORMAL',
    category: 'billing',
    subject: 'Contestation de facture',
    contact: { channel: 'LETTER', direction: 'INBOUND', summary: 'Courrier reçu le 24/11' },
  });
  expect(created.statusCode).toBe(201);
  return created.json();
}

const timelineOf = async (id: string) => (await call('GET', `/api/cases/${id}`)).json();

describe('case actions', () => {
  it('[CS-1] [CS-3] opens a case from a letter, due 5 working days later, with its first contact', async () => {
    const { id, number } = await openLetterCase();
    const detail = await timelineOf(id);
    expect(detail).toMatchObject({
      number,
      kind: 'REQUEST',
      status: 'OPEN',
      customer: { reference: 'C920001' },
      dueAt: '2026-12-01T09:30:00.000Z', // Tuesday next week, 10:30
      contacts: [{ channel: 'LETTER', direction: 'INBOUND', summary: 'Courrier reçu le 24/11' }],
    });
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(['case.created']);
  });

  it('[CS-1] [CS-2] requalifies a case as an urgent complaint: due within the hour, on the timeline, live', async () => {
    const { id } = await openLetterCase();
    const before = await h.services.events.latestId();
    const qualified = await call('PATCH', `/api/cases/${id}`, { kind: 'COMPLAINT', urgency: 'URGENT' });
    expect(qualified.statusCode).toBe(200);
    const detail = await timelineOf(id);
    expect(detail).toMatchObject({ kind: 'COMPLAINT', urgency: 'URGENT', dueAt: '2026-11-24T10:30:00.000Z' });
    expect(detail.events.at(-1)).toMatchObject({
      type: 'case.qualified',
      data: { kind: 'COMPLAINT', urgency: 'URGENT', deadline: 'urgent' },
    });
    const live = await h.services.events.since(before);
    expect(live).toEqual([
      expect.objectContaining({
        type: 'case.qualified',
        agencyId,
        data: expect.objectContaining({ caseId: id }),
      }),
    ]);

    // Back to normal with a field intervention needed: 15 working days, with a mobile [ID-8].
    await call('PATCH', `/api/cases/${id}`, {
      urgency: 'NORMAL',
      needsIntervention: true,
      mobile: '0612345678',
    });
    expect((await timelineOf(id)).dueAt).toBe('2026-12-15T09:30:00.000Z');
  });

  it('[ID-8] refuses a field intervention without a mobile to reach the customer, and takes one on file', async () => {
    const { id } = await openLetterCase();
    const none = await call('PATCH', `/api/cases/${id}`, { needsIntervention: true });
    expect(none.statusCode).toBe(422);
    expect(none.json()).toMatchObject({
      error: 'mobile_required',
      message: expect.stringContaining('mobile'),
    });
    const landline = await call('PATCH', `/api/cases/${id}`, {
      needsIntervention: true,
      mobile: '04 72 00 00 00',
    });
    expect(landline.statusCode).toBe(422);
    expect(landline.json().message).toContain('"04 72 00 00 00" is not a mobile number');
    expect(await h.services.db.case.findUniqueOrThrow({ where: { id } })).toMatchObject({
      needsIntervention: false,
      interventionMobile: null,
    });
    const given = await call('PATCH', `/api/cases/${id}`, {
      needsIntervention: true,
      mobile: '06 12 34 56 78',
    });
    expect(given.statusCode, given.body).toBe(200);
    expect((await h.services.db.case.findUniqueOrThrow({ where: { id } })).interventionMobile).toBe(
      '+33612345678',
    );

    // The customer's mobile on file will do, at opening too.
    await h.services.db.customerPhone.create({ data: { customerId, e164: '+33698765432', kind: 'MOBILE' } });
    const opened = await call('POST', '/api/cases', {
      customerId,
      kind: 'REQUEST',
      urgency: 'NORMAL',
      category: 'compteur',
      subject: 'Compteur à remplacer',
      needsIntervention: true,
      contact: { channel: 'PHONE', direction: 'INBOUND', summary: 'Appel du client' },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const kase = await h.services.db.case.findUniqueOrThrow({ where: { id: opened.json().id } });
    expect(kase.interventionMobile).toBe('+33698765432');
    await h.services.db.customerPhone.deleteMany({ where: { customerId } });
  });

  it('[CS-8] adds a note, and refuses one that judges the customer, naming the words', async () => {
    const { id } = await openLetterCase();
    const fine = await call('POST', `/api/cases/${id}/notes`, { text: 'A demandé un échéancier.' });
    expect(fine.statusCode).toBe(201);
    const judged = await call('POST', `/api/cases/${id}/notes`, { text: 'Client agressif, mauvais payeur' });
    expect(judged.statusCode).toBe(422);
    expect(judged.json()).toMatchObject({
      error: 'comment_rule',
      found: [
        { word: 'mauvais payeur', kind: 'finances' },
        { word: 'agressif', kind: 'behaviour' },
      ],
    });
    expect(judged.json().message).toContain('"agressif"');
    const notes = (await timelineOf(id)).events.filter((e: { type: string }) => e.type === 'case.note');
    expect(notes.map((n: { data: { text: string } }) => n.data.text)).toEqual(['A demandé un échéancier.']);
  });

  it('[CS-1] [ID-5] attaches a new contact to an open case and flags it to the supervisors', async () => {
    const { id } = await openLetterCase();
    const supervisor = await h.login('SUPERVISOR');
    const before = await h.services.events.latestId();
    const attached = await call('POST', `/api/cases/${id}/contacts`, {
      channel: 'PHONE',
      direction: 'INBOUND',
      summary: 'Rappelle pour savoir où en est son courrier',
      callerName: 'Mme Durand (fille)',
      callerRelation: 'THIRD_PARTY',
    });
    expect(attached.statusCode).toBe(201);
    const detail = await timelineOf(id);
    expect(detail.multiContact).toBe(true);
    expect(detail.contacts).toHaveLength(2);
    expect(detail.contacts[1]).toMatchObject({
      callerName: 'Mme Durand (fille)',
      callerRelation: 'THIRD_PARTY',
    });
    const [event] = await h.services.events.since(before);
    expect(event).toMatchObject({ type: 'case.contact-attached', data: { caseId: id, multiContact: true } });
    // The supervisor's list shows the flag.
    const list = (await call('GET', '/api/cases', undefined, supervisor)).json();
    expect(list.find((c: { id: string }) => c.id === id)).toMatchObject({ multiContact: true });
  });

  it('closes a case once; a second close and later actions say it is closed', async () => {
    const { id, number } = await openLetterCase();
    now = new Date('2026-11-24T11:00:00Z');
    const closed = await call('POST', `/api/cases/${id}/close`, {
      resolution: 'Facture corrigée, avoir émis.',
    });
    expect(closed.statusCode).toBe(200);
    expect(await timelineOf(id)).toMatchObject({ status: 'CLOSED', closedAt: '2026-11-24T11:00:00.000Z' });
    const again = await call('POST', `/api/cases/${id}/close`, { resolution: 'encore' });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe(`case ${number} is closed`);
    expect((await call('PATCH', `/api/cases/${id}`, { urgency: 'URGENT' })).statusCode).toBe(409);
    // A closed case leaves the open list.
    expect(
      (await call('GET', `/api/cases?customerId=${customerId}`)).json().map((c: { id: string }) => c.id),
    ).not.toContain(id);
  });

  it('answers clear errors for an unknown case, an empty change or a malformed body', async () => {
    expect(
      (await call('PATCH', '/api/cases/00000000-0000-4000-8000-000000000000', { urgency: 'URGENT' }))
        .statusCode,
    ).toBe(404);
    expect((await call('POST', '/api/cases/not-a-case/notes', { text: 'x' })).statusCode).toBe(404);
    const { id } = await openLetterCase();
    expect((await call('PATCH', `/api/cases/${id}`, {})).statusCode).toBe(400);
    expect((await call('PATCH', `/api/cases/${id}`, { urgency: 'VERY' })).statusCode).toBe(400);
    expect((await call('POST', `/api/cases/${id}/notes`, { text: '' })).statusCode).toBe(400);
    expect((await call('POST', `/api/cases/${id}/notes`, { text: 'x'.repeat(2001) })).statusCode).toBe(400);
  });

  it('keeps an agent of another agency out of the case', async () => {
    const { id } = await openLetterCase();
    const region = await h.services.db.region.findFirstOrThrow();
    const other = await h.services.db.agency.create({
      data: { code: 'A-OTHER', name: 'Autre', regionId: region.id },
    });
    const outsider = await h.login('AGENT', { agencyId: other.id });
    expect((await call('POST', `/api/cases/${id}/notes`, { text: 'note' }, outsider)).statusCode).toBe(404);
    expect((await call('GET', `/api/cases/${id}`, undefined, outsider)).statusCode).toBe(404);
    const colleague = await h.login('AGENT', { agencyId });
    expect((await call('POST', `/api/cases/${id}/notes`, { text: 'note' }, colleague)).statusCode).toBe(201);
  });

  it('lets an agent open cases for their own agency or none, not for another one', async () => {
    const region = await h.services.db.region.findFirstOrThrow();
    const other = await h.services.db.agency.create({
      data: { code: 'A-ELSE', name: 'Ailleurs', regionId: region.id },
    });
    const outsider = await h.login('AGENT', { agencyId: other.id });
    const request = (agency?: string) => ({
      customerId,
      ...(agency ? { agencyId: agency } : {}),
      kind: 'REQUEST',
      urgency: 'NORMAL',
      category: 'billing',
      subject: 'Demande',
      contact: { channel: 'PHONE', direction: 'INBOUND', summary: 'Appel' },
    });
    const refused = await call('POST', '/api/cases', request(agencyId), outsider);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'forbidden' });
    expect(await h.services.db.case.count({ where: { subject: 'Demande', agencyId } })).toBe(0);
    expect((await call('POST', '/api/cases', request(other.id), outsider)).statusCode).toBe(201);
    expect((await call('POST', '/api/cases', request(), outsider)).statusCode).toBe(201);
    // A supervisor is confined to no agency; an agency that does not exist is not found.
    const supervisor = await h.login('SUPERVISOR');
    expect((await call('POST', '/api/cases', request(agencyId), supervisor)).statusCode).toBe(201);
    const missing = await call(
      'POST',
      '/api/cases',
      request('00000000-0000-4000-8000-000000000000'),
      supervisor,
    );
    expect(missing.statusCode).toBe(404);
  });
});

describe('[CS-5] a written answer before closing', () => {
  it('[CS-5] keeps a complaint open until it is answered by e-mail, sent through the outbox as an outbound contact', async () => {
    const { id } = await openLetterCase();
    expect((await call('PATCH', `/api/cases/${id}`, { kind: 'COMPLAINT' })).statusCode).toBe(200);
    const refused = await call('POST', `/api/cases/${id}/close`, { resolution: 'Facture corrigée.' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: 'answer_required',
      message: expect.stringContaining('needs a written answer'),
    });

    // No e-mail on file: it says so, and sends nothing.
    const noEmail = await call('POST', `/api/cases/${id}/answer`, {
      channel: 'EMAIL',
      text: 'Votre facture est corrigée.',
    });
    expect(noEmail.statusCode).toBe(422);
    expect(noEmail.json()).toMatchObject({
      error: 'no_recipient',
      message: expect.stringContaining('by letter'),
    });
    const judged = await call('POST', `/api/cases/${id}/answer`, {
      channel: 'LETTER',
      text: 'Client agressif.',
    });
    expect(judged.statusCode).toBe(422);

    await h.services.db.customer.update({
      where: { id: customerId },
      data: { email: 'durand@test.example' },
    });
    const sent = await call('POST', `/api/cases/${id}/answer`, {
      channel: 'EMAIL',
      text: 'Votre index de novembre était estimé : la facture est corrigée.',
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const message = await h.services.db.message.findUniqueOrThrow({ where: { id: sent.json().messageId } });
    expect(message).toMatchObject({
      channel: 'EMAIL',
      to: 'durand@test.example',
      purpose: 'case-answer',
      caseId: id,
      subject: expect.stringContaining('notre réponse'),
    });
    expect(message.body).toContain('Bonjour Durand');
    expect(message.body).toContain('la facture est corrigée');
    const contact = await h.services.db.contact.findUniqueOrThrow({ where: { id: sent.json().contactId } });
    expect(contact).toMatchObject({ direction: 'OUTBOUND', channel: 'EMAIL', caseId: id });
    expect(
      (await call('POST', `/api/cases/${id}/close`, { resolution: 'Facture corrigée.' })).statusCode,
    ).toBe(200);
    await h.services.db.customer.update({ where: { id: customerId }, data: { email: null } });
  });

  it('[CS-5] answers a multi-contact case by letter, from the template, then lets it close', async () => {
    const { id, number } = await openLetterCase();
    await call('POST', `/api/cases/${id}/contacts`, {
      channel: 'PHONE',
      direction: 'INBOUND',
      summary: 'Relance',
    });
    expect((await call('POST', `/api/cases/${id}/close`, { resolution: 'Traité.' })).statusCode).toBe(409);
    const letter = await call('POST', `/api/cases/${id}/answer`, {
      channel: 'LETTER',
      text: 'Nous avons bien reçu vos deux demandes.',
    });
    expect(letter.statusCode, letter.body).toBe(201);
    expect(letter.json().messageId).toBeNull();
    const contact = await h.services.db.contact.findUniqueOrThrow({ where: { id: letter.json().contactId } });
    expect(contact).toMatchObject({
      direction: 'OUTBOUND',
      channel: 'LETTER',
      address: '2 rue Haute, 69001 Lyon',
    });
    expect(contact.summary).toContain(`Objet : votre demande n° ${number}`);
    expect(contact.summary).toContain('Nous avons bien reçu vos deux demandes.');
    expect((await timelineOf(id)).events.map((e: { type: string }) => e.type)).toContain('case.answered');
    expect((await call('POST', `/api/cases/${id}/close`, { resolution: 'Traité.' })).statusCode).toBe(200);
  });

  it('[CS-5] lets a plain request close without a written answer', async () => {
    const { id } = await openLetterCase();
    expect(
      (await call('POST', `/api/cases/${id}/close`, { resolution: 'Renseigné par téléphone.' })).statusCode,
    ).toBe(200);
  });
});

describe('[CS-3] waiting for a third party', () => {
  it('[CS-3] pauses the deadline while the case waits, says why, keeps it off the overdue list, and moves it on when it resumes', async () => {
    now = new Date('2026-11-24T09:30:00Z');
    const { id } = await openLetterCase(); // a letter: due 5 working days later, 2026-12-01 10:30
    const before = (await h.services.db.case.findUniqueOrThrow({ where: { id } })).dueAt!;
    const paused = await call('POST', `/api/cases/${id}/waiting`, {
      reason: 'Accord du propriétaire demandé',
    });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(await h.services.db.case.findUniqueOrThrow({ where: { id } })).toMatchObject({
      waitingFor: 'Accord du propriétaire demandé',
    });
    // Pausing twice is refused and changes nothing.
    const twice = await call('POST', `/api/cases/${id}/waiting`, { reason: 'encore' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({
      error: 'waiting',
      message: expect.stringContaining('already waiting'),
    });

    // Ten days later the deadline has passed, but the case is not late: it waits.
    now = new Date('2026-12-04T09:30:00Z');
    const supervisor = await h.login('SUPERVISOR');
    const board = (await call('GET', '/api/supervision', undefined, supervisor)).json() as {
      overdue: Array<{ id: string }>;
    };
    expect(board.overdue.map((c) => c.id)).not.toContain(id);
    const listed = (await call('GET', '/api/cases')).json() as Array<{
      id: string;
      waitingFor: string | null;
    }>;
    expect(listed.find((c) => c.id === id)?.waitingFor).toBe('Accord du propriétaire demandé');

    // The owner answered: the deadline moves on by the ten days waited.
    const resumed = await call('DELETE', `/api/cases/${id}/waiting`);
    expect(resumed.statusCode, resumed.body).toBe(200);
    const after = await h.services.db.case.findUniqueOrThrow({ where: { id } });
    expect(after).toMatchObject({ waitingSince: null, waitingFor: null, waitedSeconds: 10 * 24 * 3600 });
    expect(after.dueAt!.getTime() - before.getTime()).toBe(10 * 24 * 3600 * 1000);
    // A requalification keeps the time waited.
    await call('PATCH', `/api/cases/${id}`, { urgency: 'NORMAL' });
    expect((await h.services.db.case.findUniqueOrThrow({ where: { id } })).dueAt).toEqual(after.dueAt);
    expect((await call('DELETE', `/api/cases/${id}/waiting`)).statusCode).toBe(409);
    const types = (await timelineOf(id)).events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['case.waiting', 'case.resumed']));
    now = new Date('2026-11-24T09:30:00Z');
  });
});

describe('[CS-6] sensitive letters', () => {
  it("[CS-6] routes a letter qualified as sensitive, with its category, to the dedicated team's queue in supervision", async () => {
    const { id } = await openLetterCase();
    const supervisor = await h.login('SUPERVISOR');
    const queue = async () =>
      (
        (await call('GET', '/api/supervision', undefined, supervisor)).json() as {
          sensitive: Array<{ id: string; sensitive: string }>;
        }
      ).sensitive;
    expect((await queue()).map((c) => c.id)).not.toContain(id);
    expect((await call('PATCH', `/api/cases/${id}`, { sensitive: 'THREAT' })).statusCode).toBe(400);
    const qualified = await call('PATCH', `/api/cases/${id}`, { sensitive: 'CONSUMER_ASSOCIATION' });
    expect(qualified.statusCode, qualified.body).toBe(200);
    expect((await queue()).find((c) => c.id === id)).toMatchObject({ sensitive: 'CONSUMER_ASSOCIATION' });
    const types = (await timelineOf(id)).events.map(
      (e: { data: { sensitive?: string } }) => e.data?.sensitive,
    );
    expect(types).toContain('CONSUMER_ASSOCIATION');
    // Another qualification keeps it; clearing it takes the case off the queue.
    await call('PATCH', `/api/cases/${id}`, { urgency: 'PRIORITY' });
    expect((await queue()).map((c) => c.id)).toContain(id);
    await call('PATCH', `/api/cases/${id}`, { sensitive: null });
    expect((await queue()).map((c) => c.id)).not.toContain(id);
  });
});

describe('[CS-7] account holds for the billing system', () => {
  it('[CS-7] blocks dunning while a bill case is open, suspends direct debit for a complaint open past its day, lifts both on closing, audited', async () => {
    now = new Date('2026-11-24T09:30:00Z'); // Tuesday 10:30 in Paris
    const supervisor = await h.login('SUPERVISOR');
    const holds = async (format = 'json') =>
      call('GET', `/api/billing/holds${format === 'csv' ? '?format=csv' : ''}`, undefined, supervisor);
    const { id, number } = await openLetterCase(); // category "billing"
    const listed = (await holds()).json() as Array<{
      case_number: number;
      hold: string;
      customer_ref: string;
    }>;
    expect(listed.filter((r) => r.case_number === number)).toEqual([
      expect.objectContaining({ hold: 'DUNNING_BLOCKED', customer_ref: 'C920001' }),
    ]);

    // A complaint: not resolved the same day, direct debit is suspended from midnight.
    await call('PATCH', `/api/cases/${id}`, { kind: 'COMPLAINT' });
    expect(
      ((await holds()).json() as Array<{ case_number: number }>).filter((r) => r.case_number === number),
    ).toHaveLength(1);
    now = new Date('2026-11-24T23:05:00Z'); // Wednesday 00:05 in Paris
    const nextDay = (await holds()).json() as Array<{ case_number: number; hold: string }>;
    expect(
      nextDay
        .filter((r) => r.case_number === number)
        .map((r) => r.hold)
        .sort(),
    ).toEqual(['DIRECT_DEBIT_SUSPENDED', 'DUNNING_BLOCKED']);
    const csv = await holds('csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('customer_ref;hold;since;case_number;case_category');
    expect(csv.body).toContain(`C920001;DIRECT_DEBIT_SUSPENDED;2026-11-24T23:05:00.000Z;${number};billing`);

    // Answered and closed: both holds are lifted.
    await call('POST', `/api/cases/${id}/answer`, { channel: 'LETTER', text: 'Votre facture est corrigée.' });
    expect(
      (await call('POST', `/api/cases/${id}/close`, { resolution: 'Facture corrigée.' })).statusCode,
    ).toBe(200);
    expect(
      ((await holds()).json() as Array<{ case_number: number }>).filter((r) => r.case_number === number),
    ).toEqual([]);
    const audit = await h.services.db.auditLog.findMany({
      where: { entityId: id, action: { startsWith: 'billing-hold.' } },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => `${a.action} ${(a.data as { kind: string }).kind}`).sort()).toEqual([
      'billing-hold.lifted DIRECT_DEBIT_SUSPENDED',
      'billing-hold.lifted DUNNING_BLOCKED',
      'billing-hold.placed DIRECT_DEBIT_SUSPENDED',
      'billing-hold.placed DUNNING_BLOCKED',
    ]);
    // For the billing system and supervisors, not agents.
    expect((await call('GET', '/api/billing/holds')).statusCode).toBe(403);
    now = new Date('2026-11-24T09:30:00Z');
  });
});
