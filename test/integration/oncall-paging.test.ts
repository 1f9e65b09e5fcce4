import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prisma } from '../../src/generated/prisma/client.js';
import { toNational } from '../../src/identification/phone-number.js';
import { queuedAtWrite } from '../../src/messaging/outbox.service.js';
import { startOutboxWorker } from '../../src/messaging/outbox.worker.js';
import { startAttempt } from '../../src/oncall/attempt-store.js';
import { attemptJobId, scheduleAttempt } from '../../src/oncall/paging.deps.js';
import { afterOutOfHoursCall, runAttempt } from '../../src/oncall/paging.service.js';
import { startPagingWorker } from '../../src/oncall/paging.worker.js';
import type { Stoppable } from '../../src/platform/queues.js';
import type { Services } from '../../src/services.js';
import { at, runningFrom } from '../support/clock.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type AgencyFixture, createAgency, WEEKEND_DAYS_ONLY } from '../support/oncall-fixture.js';
import { callStatus, pickUp, pressOnPage } from '../support/paged-phone.js';
import { PhoneCall } from '../support/phone-call.js';
import { createTwilioApi, TEST_ACCOUNT_SID, TWILIO_TEST_ENV } from '../support/twilio-api.js';
import { until } from '../support/until.js';

// Night calls on the out-of-hours line, through the real signed webhooks, and the pages they
// cause through the Twilio SDK (intercepted by msw answering as Twilio does): who is called,
// what they hear and read, what their answers do, escalation, deferral and recaps.

const LINE = '+33970000001';
const twilioApi = createTwilioApi();
const TWILIO_ENV = {
  ...TWILIO_TEST_ENV,
  ONCALL_RETRY_DELAY_SECONDS: '0',
  ONCALL_ACK_TIMEOUT_SECONDS: '2',
  ONCALL_MANAGER_MAX_ATTEMPTS: '2',
};

// The injected clock runs from an instant the test chooses, at real speed (delays stay real).
const TUESDAY_NIGHT = at('2026-11-24T22:30');
const clock = runningFrom(TUESDAY_NIGHT);

let h: Harness;
const workers: Stoppable[] = [];
const startWorkers = (services: Services) => {
  const started = [startPagingWorker(services), startOutboxWorker(services)];
  workers.push(...started);
  return started;
};

beforeAll(async () => {
  twilioApi.listen();
  clock.set(TUESDAY_NIGHT);
  h = await startHarness({ clock, env: TWILIO_ENV });
  startWorkers(h.services);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await h.close();
  twilioApi.close();
});

const callsTo = (mobile: string) => twilioApi.calls.filter((c) => c.to === mobile);
const smsTo = (mobile: string) => twilioApi.messages.filter((m) => m.to === mobile);

/** A caller on the out-of-hours line: breakdown, then a description of the fault, then hang-up. */
async function nightCall(from: string, options: { emergency?: boolean } = {}) {
  const call = new PhoneCall(h, from, LINE);
  await call.dial();
  const afterMenu = options.emergency ? await call.speak('Ça sent le gaz') : await call.press('2');
  const told = [...afterMenu.said, ...(await call.confirmAddress())];
  await call.record(25);
  await call.hangUp();
  const contact = await h.services.db.contact.findUniqueOrThrow({
    where: { providerId: call.sid },
    select: { caseId: true },
  });
  return { call, told, caseId: contact.caseId! };
}

const pageOf = (caseId: string) =>
  h.services.db.page.findUniqueOrThrow({
    where: { caseId },
    include: { attempts: { orderBy: { number: 'asc' } } },
  });

let pageNowCases = 0;
/** A night case of the agency routed page-now, as `route-on-call` leaves it (`page` adds to the row). */
async function pageNowCase(agency: AgencyFixture, page: Partial<Prisma.PageUncheckedCreateInput> = {}) {
  clock.set(TUESDAY_NIGHT);
  const kase = await h.services.db.case.create({
    data: { category: 'out-of-hours', subject: 'Demande par téléphone', agencyId: agency.agencyId },
  });
  const created = await h.services.db.page.create({
    data: {
      caseId: kase.id,
      agencyId: agency.agencyId,
      onCallType: 'individual',
      decision: 'page-now',
      scheduledFor: clock.now(),
      replyCode: String(4320 + ++pageNowCases),
      ...page,
    },
  });
  return { kase, page: created };
}

const timeline = async (caseId: string) =>
  (await h.services.db.caseEvent.findMany({ where: { caseId }, orderBy: { id: 'asc' } })).map((e) => e.type);

let smsCount = 0;
async function smsFrom(from: string, body: string) {
  smsCount += 1;
  const sid = `SM${String(smsCount).padStart(32, '0')}`;
  const response = await h.twilioPost('/twilio/sms/incoming', {
    MessageSid: sid,
    AccountSid: TEST_ACCOUNT_SID,
    From: from,
    To: '+33970000000',
    Body: body,
  });
  expect(response.statusCode).toBe(200);
}

const recapsTo = (address: string) =>
  h.services.db.message.findMany({ where: { channel: 'EMAIL', to: address, purpose: 'oncall-recap' } });

describe('inside the on-call hours', () => {
  let agency: AgencyFixture;
  beforeAll(async () => {
    agency = await createAgency(h.services.db);
  });

  it('[ON-5] calls and texts the on-call technician when the call ends; key 1 accepts; the agency gets the recap', async () => {
    const { told, caseId } = await nightCall(agency.callers.covered);
    expect(told).toContain("Le technicien d'astreinte est prévenu et va vous rappeler.");

    const [placed] = await until(
      async () => callsTo(agency.technician.mobile).length === 1 && callsTo(agency.technician.mobile),
    );
    const sms = await until(async () => smsTo(agency.technician.mobile)[0]);
    const page = await pageOf(caseId);
    const kase = await h.services.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(placed!.form).toMatchObject({ MachineDetection: 'DetectMessageEnd', Timeout: '30' });
    // Everything the caller gave, for the technician to call back and go [ON-5].
    const callback = toNational(agency.callers.covered);
    expect(sms.body).toBe(
      `ASTREINTE demande ${kase.number} (${agency.agencyName}). Anne Client covered, 3 rue des Essais, 69002 Lyon. ` +
        `Rappel : ${callback}. chaudière individuelle gaz. Délai : sous 4 heures. ` +
        `Répondez OK ${page.replyCode} pour accepter, NON ${page.replyCode} pour refuser, ZONE si vous captez mal.`,
    );

    const heard = await pickUp(h, placed!);
    expect(heard).toContain(`Demande numéro ${kase.number}`);
    expect(heard).toContain('tapez 1');
    const accepted = await pressOnPage(h, placed!, '1');
    expect(accepted).toContain(`la demande ${kase.number} vous est confiée`);

    const settled = await pageOf(caseId);
    expect(settled.status).toBe('ACKNOWLEDGED');
    expect(settled.attempts.map((a) => [a.target, a.outcome])).toEqual([['TECHNICIAN', 'ACCEPTED']]);
    const [recap] = await until(async () => {
      const sent = await recapsTo(agency.agencyEmail);
      return sent.length > 0 && sent;
    });
    expect(recap!.body).toContain('Paul Durand a pris la demande en charge');
    expect(recap!.subject).toContain('prise en charge');
    expect(await timeline(caseId)).toEqual(
      expect.arrayContaining(['oncall.decision', 'page.attempt.started', 'page.acknowledged', 'recap.sent']),
    );
    // Accepted: no second attempt once the acknowledgement delay (2 s) has passed.
    await h.drained(3000);
    expect(callsTo(agency.technician.mobile)).toHaveLength(1);
    expect(await recapsTo(agency.directionEmail)).toHaveLength(0);
  });

  it('[ON-5] pages the technician as the caller finishes their message, even when the message cannot be filed', async () => {
    const own = await createAgency(h.services.db);
    const call = new PhoneCall(h, own.callers.covered, LINE);
    // PostgreSQL refuses this call's recording (and nothing else): it is parked for later.
    await h.services.db.$executeRawUnsafe(`
      CREATE FUNCTION refuse_recording() RETURNS trigger AS $$ BEGIN
        IF NEW.type = 'voicemail.recorded' AND NEW.data->>'recordingUrl' LIKE '%${call.sid.slice(2)}' THEN
          RAISE EXCEPTION 'no space left on device';
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await h.services.db.$executeRawUnsafe(
      'CREATE TRIGGER refuse_recording BEFORE INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION refuse_recording()',
    );
    try {
      await call.dial();
      await call.press('2');
      await call.confirmAddress();
      const goodbye = await call.record(25);
      expect(goodbye.next.kind).toBe('hangup');
      // Before Twilio reports the call's end: the recording webhook alone sends the page.
      await until(async () => callsTo(own.technician.mobile).length > 0);
      const parked = await h.services.redis.lRange('voicemail:pending', 0, -1);
      const mine = parked.filter((p) => p.includes(call.sid));
      expect(mine).toHaveLength(1);
      await h.services.redis.lRem('voicemail:pending', 0, mine[0]!);
    } finally {
      await h.services.db.$executeRawUnsafe('DROP TRIGGER refuse_recording ON case_events');
      await h.services.db.$executeRawUnsafe('DROP FUNCTION refuse_recording()');
    }
    await call.hangUp();
    await h.drained();
    expect(callsTo(own.technician.mobile)).toHaveLength(1);
  });

  it('[ON-4] [ON-5] takes a dozen night calls at once: each case, recording and call end is its own, each technician paged once', async () => {
    // The reads and writes of callers who come together share statements (issue 24): each
    // caller must still get their own contract, case, recording and page.
    const agencies = await Promise.all(Array.from({ length: 12 }, () => createAgency(h.services.db)));
    const eventsBefore = await h.services.events.latestId();
    const calls = await Promise.all(agencies.map((a) => nightCall(a.callers.covered)));
    // The consoles hear of each recording on its own case.
    const recorded = (await h.services.events.since(eventsBefore))
      .filter((e) => e.type === 'case.updated' && e.data.event === 'voicemail.recorded')
      .map((e) => e.data.caseId);
    expect(recorded.sort()).toEqual(calls.map((c) => c.caseId).sort());
    for (const [i, { call, told, caseId }] of calls.entries()) {
      expect(told).toContain("Le technicien d'astreinte est prévenu et va vous rappeler.");
      const kase = await h.services.db.case.findUniqueOrThrow({
        where: { id: caseId },
        include: { events: { where: { type: 'voicemail.recorded' } } },
      });
      expect(kase.agencyId).toBe(agencies[i]!.agencyId);
      expect(kase.events.map((e) => (e.data as { recordingUrl: string }).recordingUrl)).toEqual([
        `https://api.twilio.test/recordings/RE${call.sid.slice(2)}`,
      ]);
      const contact = await h.services.db.contact.findUniqueOrThrow({ where: { providerId: call.sid } });
      expect(contact.details).toMatchObject({ status: 'completed', line: 'out-of-hours' });
    }
    for (const a of agencies) await until(async () => callsTo(a.technician.mobile).length === 1);
    await h.drained();
    for (const [i, a] of agencies.entries()) {
      expect(callsTo(a.technician.mobile)).toHaveLength(1);
      // The page names the technician's own request.
      const { number } = await h.services.db.case.findUniqueOrThrow({ where: { id: calls[i]!.caseId } });
      expect(smsTo(a.technician.mobile).map((m) => m.body?.split(' (')[0])).toEqual([
        `ASTREINTE demande ${number}`,
      ]);
    }
  });

  it('[ON-9] escalates to the regional manager after two failed attempts, tells the technician, and ignores replayed callbacks', async () => {
    const { caseId } = await nightCall(agency.callers.covered);
    const [first] = await until(
      async () =>
        callsTo(agency.technician.mobile).length === 2 && callsTo(agency.technician.mobile).slice(1),
    );
    // Twilio may send a callback twice, and late ones out of order: only the first counts.
    await callStatus(h, first!, 'no-answer');
    await callStatus(h, first!, 'no-answer');
    await callStatus(h, first!, 'ringing');
    const second = await until(async () => callsTo(agency.technician.mobile)[2]);
    // The second attempt is not acknowledged in time (2 s here): the manager takes over.
    const managerCall = await until(async () => callsTo(agency.manager.mobile)[0]);
    const told = await until(async () =>
      smsTo(agency.technician.mobile).find((m) => m.body?.includes('transmise au responsable')),
    );
    expect(told).toBeTruthy();
    expect(second).toBeTruthy();

    const page = await pageOf(caseId);
    expect(page.escalationReason).toBe('failed-attempts');
    expect(page.attempts.map((a) => [a.target, a.outcome])).toEqual([
      ['TECHNICIAN', 'NO_ANSWER'],
      ['TECHNICIAN', 'NO_ACK'],
      ['MANAGER', 'PENDING'],
    ]);
    expect(await pressOnPage(h, managerCall, '1')).toContain('vous est confiée');
    const recap = await until(async () =>
      (await recapsTo(agency.agencyEmail)).find((m) => m.caseId === caseId),
    );
    expect(recap.body).toMatch(/Claire Roux \(responsable régional\) a pris la demande en charge/);
    expect(recap.body).toContain('Transmise au responsable régional');
    expect(callsTo(agency.technician.mobile)).toHaveLength(3);
    expect(await timeline(caseId)).toEqual(expect.arrayContaining(['page.escalated', 'page.acknowledged']));
  });
});

describe('what the person paged answers', () => {
  it('[ON-5] leaves the page on an answering machine, counts it as failed and tries again', async () => {
    const agency = await createAgency(h.services.db);
    const { caseId } = await nightCall(agency.callers.covered);
    const first = await until(async () => callsTo(agency.technician.mobile)[0]);
    const page = await pageOf(caseId);
    const voicemail = await pickUp(h, first, 'machine_end_beep');
    expect(voicemail).toContain(`Répondez OK ${page.replyCode} par SMS`);
    expect(voicemail).toContain('<Hangup/>');
    expect(voicemail).not.toContain('<Gather');
    await until(async () => callsTo(agency.technician.mobile)[1]);
    expect((await pageOf(caseId)).attempts.map((a) => a.outcome)).toEqual(['MACHINE', 'PENDING']);
  });

  it('takes a refusal by key as a failed attempt', async () => {
    const agency = await createAgency(h.services.db);
    const { caseId } = await nightCall(agency.callers.covered);
    const first = await until(async () => callsTo(agency.technician.mobile)[0]);
    expect(await pressOnPage(h, first, '2')).toContain('Votre refus est enregistré');
    await until(async () => callsTo(agency.technician.mobile)[1]);
    expect((await pageOf(caseId)).attempts.map((a) => a.outcome)).toEqual(['REFUSED', 'PENDING']);
  });

  it('accepts by SMS with the reply code, and answers a reply to an old page without changing it', async () => {
    const agency = await createAgency(h.services.db);
    const { caseId } = await nightCall(agency.callers.covered);
    await until(async () => callsTo(agency.technician.mobile)[0]);
    const page = await pageOf(caseId);
    await smsFrom(agency.technician.mobile, `Ok ${page.replyCode} j'arrive`);
    expect((await pageOf(caseId)).status).toBe('ACKNOWLEDGED');
    const confirmed = await until(async () =>
      smsTo(agency.technician.mobile).find((m) => m.body?.includes('prise en charge, merci')),
    );
    expect(confirmed.body).toContain('Rappel client');

    await smsFrom(agency.technician.mobile, 'OUI');
    const old = await until(async () =>
      smsTo(agency.technician.mobile).find(
        (m) =>
          m.body?.includes('votre réponse n’a rien changé') ||
          m.body?.includes("votre réponse n'a rien changé"),
      ),
    );
    expect(old.body).toContain('déjà prise en charge');
    expect((await pageOf(caseId)).attempts).toHaveLength(1);
  });

  it('leaves replies from unknown numbers to the general inbox, unanswered', async () => {
    const before = twilioApi.messages.length;
    await smsFrom('+33699999999', 'OK 1234');
    const stored = await h.services.db.message.findFirst({
      where: { direction: 'INBOUND', from: '+33699999999' },
    });
    expect(stored?.body).toBe('OK 1234');
    await h.drained();
    expect(twilioApi.messages.slice(before).filter((m) => m.to === '+33699999999')).toHaveLength(0);
  });

  it('[ON-10] holds escalation back while the technician says they are in a poor-coverage area', async () => {
    const agency = await createAgency(h.services.db);
    await smsFrom(agency.technician.mobile, 'zone blanche, je rappelle');
    const noted = await until(async () =>
      smsTo(agency.technician.mobile).find((m) => m.body?.includes('zone de mauvaise couverture')),
    );
    expect(noted).toBeTruthy();
    const { caseId } = await nightCall(agency.callers.covered);
    await callStatus(h, await until(async () => callsTo(agency.technician.mobile)[0]), 'no-answer');
    await callStatus(h, await until(async () => callsTo(agency.technician.mobile)[1]), 'busy');
    // A third attempt on the technician, not the manager.
    await until(async () => callsTo(agency.technician.mobile)[2]);
    expect(callsTo(agency.manager.mobile)).toHaveLength(0);
    const page = await pageOf(caseId);
    expect(page.escalatedAt).toBeNull();
    expect(page.attempts.map((a) => a.target)).toEqual(['TECHNICIAN', 'TECHNICIAN', 'TECHNICIAN']);
  });
});

describe('[ON-11] what the technician decided after calling the customer back', () => {
  const outcomesTo = (address: string) =>
    h.services.db.message.findMany({
      where: { channel: 'EMAIL', to: address, purpose: 'oncall-outcome' },
      orderBy: { createdAt: 'asc' },
    });
  const smsWith = (mobile: string, text: string) => smsTo(mobile).filter((m) => m.body?.includes(text));

  /** A night call paged to the agency's technician, who accepts it by SMS. */
  async function takenPage() {
    const agency = await createAgency(h.services.db);
    clock.set(TUESDAY_NIGHT);
    const { caseId } = await nightCall(agency.callers.covered);
    await until(async () => callsTo(agency.technician.mobile)[0]);
    const page = await pageOf(caseId);
    await smsFrom(agency.technician.mobile, `OK ${page.replyCode}`);
    expect((await pageOf(caseId)).status).toBe('ACKNOWLEDGED');
    return { agency, caseId, page };
  }

  it('[ON-11] records an intervention time texted by the technician, on the case and to the agency, and confirms it', async () => {
    const { agency, caseId, page } = await takenPage();
    const accepted = await until(async () => smsWith(agency.technician.mobile, 'prise en charge, merci')[0]);
    expect(accepted.body).toContain('répondez RDV 14h30, RESOLU ou PAS NOUS');

    await smsFrom(agency.technician.mobile, `rdv demain 9h ${page.replyCode}`);
    expect(await pageOf(caseId)).toMatchObject({
      outcome: 'INTERVENTION_PLANNED',
      interventionAt: at('2026-11-25T09:00'),
      outcomeVia: 'sms',
    });
    const confirmed = await until(async () => smsWith(agency.technician.mobile, 'noté et transmis')[0]);
    expect(confirmed.body).toContain('intervention prévue le mercredi 25 novembre 09:00');
    const [mail] = await until(async () => {
      const sent = await outcomesTo(agency.agencyEmail);
      return sent.length > 0 && sent;
    });
    expect(mail!.subject).toContain('intervention prévue le mercredi 25 novembre 09:00');
    expect(mail!.body).toContain('Décision de Paul Durand après le rappel du client');
    expect(await timeline(caseId)).toContain('page.outcome');

    // A later decision replaces it: solved on the phone after all.
    await smsFrom(agency.technician.mobile, 'Résolu à distance');
    expect(await pageOf(caseId)).toMatchObject({ outcome: 'SOLVED_REMOTELY', interventionAt: null });
    await until(async () => (await outcomesTo(agency.agencyEmail)).length === 2);
  });

  it('[ON-11] reads "not ours" in French and English, and an intervention time in English', async () => {
    const { agency, caseId } = await takenPage();
    await smsFrom(agency.technician.mobile, 'pas pour nous, coupure gaz du quartier');
    expect((await pageOf(caseId)).outcome).toBe('NOT_OURS');
    await smsFrom(agency.technician.mobile, 'visit 11:45pm');
    expect(await pageOf(caseId)).toMatchObject({
      outcome: 'INTERVENTION_PLANNED',
      interventionAt: at('2026-11-24T23:45'),
    });
  });

  it('[ON-11] answers a garbled decision with the formats, once, and changes nothing', async () => {
    const { agency, caseId } = await takenPage();
    await smsFrom(agency.technician.mobile, 'RDV bientôt');
    await smsFrom(agency.technician.mobile, 'rdv ?');
    await h.drained();
    const help = smsWith(agency.technician.mobile, 'Suite de la demande');
    expect(help).toHaveLength(1);
    expect(help[0]!.body).toContain('RDV suivi de l');
    expect((await pageOf(caseId)).outcome).toBeNull();
  });

  it('[ON-11] says a page that ended without the sender is closed, and records nothing', async () => {
    const agency = await createAgency(h.services.db);
    clock.set(TUESDAY_NIGHT);
    const { caseId } = await nightCall(agency.callers.covered);
    await until(async () => callsTo(agency.technician.mobile)[0]);
    const page = await pageOf(caseId);
    await h.services.db.page.update({ where: { id: page.id }, data: { status: 'UNREACHED' } });
    await smsFrom(agency.technician.mobile, 'RESOLU');
    const closed = await until(async () => smsWith(agency.technician.mobile, "n'est plus en cours")[0]);
    expect(closed.body).toContain("la suite donnée n'a pas été enregistrée");
    expect((await pageOf(caseId)).outcome).toBeNull();
  });

  it('[ON-11] lets an agent enter the decision told by phone on the on-call board, audited', async () => {
    const { agency, caseId, page } = await takenPage();
    const agent = await h.login('AGENT', { agencyId: agency.agencyId });
    const other = await createAgency(h.services.db);
    const outsider = await h.login('AGENT', { agencyId: other.agencyId });
    const record = (token: string, pageId: string, payload: object) =>
      h.app.inject({
        method: 'POST',
        url: `/api/pages/${pageId}/outcome`,
        headers: { authorization: `Bearer ${token}` },
        payload,
      });

    expect((await record(agent, page.id, { outcome: 'INTERVENTION_PLANNED' })).statusCode).toBe(400);
    expect((await record(agent, page.id, { outcome: 'MAYBE' })).statusCode).toBe(400);
    expect((await record(outsider, page.id, { outcome: 'SOLVED_REMOTELY' })).statusCode).toBe(404);
    const ok = await record(agent, page.id, {
      outcome: 'INTERVENTION_PLANNED',
      interventionAt: at('2026-11-25T10:30').toISOString(),
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await pageOf(caseId)).toMatchObject({
      outcome: 'INTERVENTION_PLANNED',
      interventionAt: at('2026-11-25T10:30'),
      outcomeVia: 'console',
    });
    expect(await h.services.db.auditLog.count({ where: { action: 'page.outcome', entityId: page.id } })).toBe(
      1,
    );
    const board = await h.app.inject({
      method: 'GET',
      url: '/api/oncall/board',
      headers: { authorization: `Bearer ${agent}` },
    });
    const shown = (
      board.json() as { agencies: Array<{ pages: Array<{ id: string; outcome: string }> }> }
    ).agencies[0]!.pages.find((p) => p.id === page.id);
    expect(shown?.outcome).toBe('INTERVENTION_PLANNED');

    // Nobody has taken this one yet: no decision to record.
    clock.set(TUESDAY_NIGHT);
    const open = await nightCall(agency.callers.covered);
    const openPage = await pageOf(open.caseId);
    expect((await record(agent, openPage.id, { outcome: 'SOLVED_REMOTELY' })).statusCode).toBe(409);
  });
});

describe('escalation without a technician', () => {
  it('[ON-9] pages the regional manager at once when nobody is on the rota, and the recap says so', async () => {
    const agency = await createAgency(h.services.db, { rota: null });
    const { caseId } = await nightCall(agency.callers.covered);
    const managerCall = await until(async () => callsTo(agency.manager.mobile)[0]);
    expect(callsTo(agency.technician.mobile)).toHaveLength(0);
    expect((await pageOf(caseId)).escalationReason).toBe('rota-gap');
    await pressOnPage(h, managerCall, '1');
    const recap = await until(async () => (await recapsTo(agency.agencyEmail))[0]);
    expect(recap.body).toContain("Aucun technicien d'astreinte au planning");
  });

  it('[ON-8] pages the regional manager at once for a gas emergency, and sends the recap to the regional direction too', async () => {
    const agency = await createAgency(h.services.db);
    const { told, caseId } = await nightCall(agency.callers.notCovered, { emergency: true });
    expect(told).toContain("Le responsable d'astreinte est prévenu immédiatement et va vous rappeler.");
    const managerCall = await until(async () => callsTo(agency.manager.mobile)[0]);
    expect(callsTo(agency.technician.mobile)).toHaveLength(0);
    const sms = await until(async () => smsTo(agency.manager.mobile)[0]);
    expect(sms.body).toMatch(/^ASTREINTE URGENCE/);
    await pressOnPage(h, managerCall, '1');
    const toDirection = await until(async () => (await recapsTo(agency.directionEmail))[0]);
    expect(toDirection.subject).toMatch(/^\[URGENCE\]/);
    expect(await recapsTo(agency.agencyEmail)).toHaveLength(1);
    expect((await pageOf(caseId)).escalationReason).toBe('emergency');
  });

  it('[ON-9] gives up after the manager attempts, and the recap says nobody was reached', async () => {
    const agency = await createAgency(h.services.db, { rota: null });
    const { caseId } = await nightCall(agency.callers.covered);
    await callStatus(h, await until(async () => callsTo(agency.manager.mobile)[0]), 'no-answer');
    await callStatus(h, await until(async () => callsTo(agency.manager.mobile)[1]), 'failed');
    await until(async () => (await pageOf(caseId)).status === 'UNREACHED');
    const recap = await until(async () => (await recapsTo(agency.agencyEmail))[0]);
    expect(recap.body).toContain("personne n'a pu être joint");
    expect(callsTo(agency.manager.mobile)).toHaveLength(2);
  });
});

describe('outside the on-call hours', () => {
  it('[ON-6] on the eve of a day-time on-call Saturday: tells the caller when, sends the recap, pages the next morning', async () => {
    const agency = await createAgency(h.services.db, { windows: WEEKEND_DAYS_ONLY });
    clock.set(at('2026-11-27T21:00')); // Friday evening
    const { told, caseId } = await nightCall(agency.callers.covered);
    expect(told).toContain("Le technicien d'astreinte vous rappellera demain à partir de 8 h 00.");
    const page = await pageOf(caseId);
    expect(page.scheduledFor).toEqual(new Date('2026-11-28T07:00:00Z'));
    const recap = await until(async () => (await recapsTo(agency.agencyEmail))[0]);
    expect(recap.body).toContain('appel du technicien prévu le samedi 28 novembre 08:00');

    const job = await h.services.pagingQueue.getJob(attemptJobId(page.id, 1));
    expect(await job!.isDelayed()).toBe(true);
    expect(job!.timestamp + job!.opts.delay!).toBeGreaterThan(Date.now() + 10 * 3600_000);
    expect(callsTo(agency.technician.mobile)).toHaveLength(0);
    // Saturday 08:00: the delayed page goes.
    clock.set(at('2026-11-28T08:00'));
    await job!.promote();
    await until(async () => callsTo(agency.technician.mobile)[0]);
  });

  it('[ON-2] [ON-6] routes the next night call by the on-call hours an import has just changed', async () => {
    const agency = await createAgency(h.services.db);
    const { code } = await h.services.db.agency.findUniqueOrThrow({ where: { id: agency.agencyId } });
    clock.set(at('2026-11-24T22:30')); // Tuesday night, inside the agency's weeknight window
    const before = await nightCall(agency.callers.covered);
    expect(before.told).toContain("Le technicien d'astreinte est prévenu et va vous rappeler.");

    // The agency's nights are no longer on call, only Wednesday's day: the api has its old hours
    // in memory, and the import tells it they changed.
    const csv = `agency;on_call_type;day;start;end\n${code};individual;wed;08:00;20:00\n`;
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/imports/on-call-hours',
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        authorization: `Bearer ${await h.apiToken('IMPORT', 'on-call-hours')}`,
      },
      payload: csv,
    });
    expect(response.statusCode, response.body).toBe(200);

    const after = await nightCall(agency.callers.covered);
    expect(after.told).toContain("Le technicien d'astreinte vous rappellera demain à partir de 8 h 00.");
    expect((await pageOf(after.caseId)).scheduledFor).toEqual(at('2026-11-25T08:00'));
  });

  it('[ON-7] a 7/7 customer at 19:30 on a Tuesday: no page to anyone, the recap to the agency, the caller told', async () => {
    const agency = await createAgency(h.services.db);
    clock.set(at('2026-11-24T19:30')); // Tuesday 19:30, inside the agency's window
    const { told, caseId } = await nightCall(agency.callers.sevenDays);
    expect(told.join(' ')).toContain('votre agence traitera votre demande dès son ouverture');
    expect(await h.services.db.page.findUnique({ where: { caseId } })).toBeNull();
    const recap = await until(async () => (await recapsTo(agency.agencyEmail))[0]);
    expect(recap.status).not.toBe('FAILED');
    await h.drained();
    expect(callsTo(agency.technician.mobile)).toHaveLength(0);
    expect(callsTo(agency.manager.mobile)).toHaveLength(0);
    // Due when the agency opens: Wednesday 12:00 (ONCALL_AGENCY_DUE_AT).
    const kase = await h.services.db.case.findUniqueOrThrow({ where: { id: caseId } });
    expect(kase.dueAt).toEqual(at('2026-11-25T12:00'));
  });

  it('[ON-7] the same call on a Friday evening pages the technician on Saturday morning, when on call begins', async () => {
    const agency = await createAgency(h.services.db);
    clock.set(at('2026-11-27T20:30')); // Friday 20:30, inside the agency's window
    const { told, caseId } = await nightCall(agency.callers.sevenDays);
    expect(told).toContain("Le technicien d'astreinte vous rappellera demain à partir de 8 h 00.");
    const page = await pageOf(caseId);
    expect(page.scheduledFor).toEqual(at('2026-11-28T08:00'));
    await h.drained(); // the page itself is due tomorrow morning
    expect(callsTo(agency.technician.mobile)).toHaveLength(0);
    // Saturday 08:00: the technician on the day-time rota is paged, not the regional manager.
    clock.set(at('2026-11-28T08:00'));
    await (await h.services.pagingQueue.getJob(attemptJobId(page.id, 1)))!.promote();
    await until(async () => callsTo(agency.technician.mobile)[0]);
    expect(callsTo(agency.manager.mobile)).toHaveLength(0);
  });

  it('[ON-3] takes a message from a customer without out-of-hours cover, for the agency’s next working day', async () => {
    const agency = await createAgency(h.services.db);
    clock.set(at('2026-11-27T22:00')); // Friday 22:00: next working day is Monday
    const call = new PhoneCall(h, agency.callers.notCovered, LINE);
    await call.dial();
    const heard = await call.press('2');
    expect(heard.said[0]).toMatch(/^Votre contrat ne comprend pas l'intervention/);
    expect(heard.next.kind).toBe('record');
    await call.record(12);
    const contact = await h.services.db.contact.findUniqueOrThrow({
      where: { providerId: call.sid },
      include: { case: { include: { events: true } } },
    });
    expect(contact.case).toMatchObject({
      agencyId: agency.agencyId,
      dueAt: new Date('2026-11-30T11:00:00Z'), // Monday 12:00 in Paris
    });
    expect(contact.case!.events.find((e) => e.type === 'voicemail.recorded')?.data).toMatchObject({
      recordingUrl: expect.stringContaining('/recordings/'),
    });
    expect(await h.services.db.page.findUnique({ where: { caseId: contact.caseId! } })).toBeNull();
  });
});

describe('durability', () => {
  it('[ON-5] pages once when two workers run the same attempt at the same moment', async () => {
    const agency = await createAgency(h.services.db);
    const { kase, page } = await pageNowCase(agency);
    const outcomes = await Promise.all([1, 2].map(() => runAttempt(h.services.paging, page.id, 1)));
    expect(outcomes).toEqual(['paged', 'paged']);
    await until(
      async () => smsTo(agency.technician.mobile).length === 1 && callsTo(agency.technician.mobile),
    );
    await h.drained();
    expect(callsTo(agency.technician.mobile)).toHaveLength(1);
    expect(smsTo(agency.technician.mobile)).toHaveLength(1);
    const paged = await pageOf(kase.id);
    expect(paged.status).toBe('PAGING');
    expect(paged.attempts).toHaveLength(1);
    expect(await timeline(kase.id)).toEqual(['page.attempt.started']);
  });

  it('[ON-5] sends an attempt whose worker died after writing it, under the call and SMS it named, once', async () => {
    const agency = await createAgency(h.services.db);
    // The attempt names its call and SMS before the outbox writes them: the worker died in between.
    const named = { callMessageId: randomUUID(), smsMessageId: randomUUID() };
    const { kase, page } = await pageNowCase(agency, {
      status: 'PAGING',
      attempts: {
        create: {
          number: 1,
          target: 'TECHNICIAN',
          mobile: agency.technician.mobile,
          startedAt: TUESDAY_NIGHT,
          ...named,
        },
      },
    });
    // BullMQ hands the job over to another worker, which may run it twice.
    expect(await runAttempt(h.services.paging, page.id, 1)).toBe('paged');
    expect(await runAttempt(h.services.paging, page.id, 1)).toBe('paged');
    const [placed] = await until(
      async () => callsTo(agency.technician.mobile).length > 0 && callsTo(agency.technician.mobile),
    );
    await until(async () => smsTo(agency.technician.mobile)[0]);
    await h.drained();
    expect(callsTo(agency.technician.mobile)).toHaveLength(1);
    expect(smsTo(agency.technician.mobile)).toHaveLength(1);
    const call = await h.services.db.message.findUniqueOrThrow({ where: { id: named.callMessageId } });
    expect(call).toMatchObject({ channel: 'VOICE', status: 'SENT', to: agency.technician.mobile });
    // The technician's answer reaches the attempt the call was placed for.
    await pickUp(h, placed!);
    await pressOnPage(h, placed!, '1');
    expect((await pageOf(kase.id)).attempts.map((a) => a.outcome)).toEqual(['ACCEPTED']);
  });

  it('[ON-5] [ON-9] writes no attempt, call or SMS for a page taken, or escalated past its technician, since the worker read it', async () => {
    const agency = await createAgency(h.services.db);
    const taken = await pageNowCase(agency, { status: 'ACKNOWLEDGED' });
    const escalated = await pageNowCase(agency, { escalatedAt: TUESDAY_NIGHT });
    const results = await Promise.all(
      [taken, escalated].map(({ kase, page }) => {
        const named = { id: randomUUID(), callMessageId: randomUUID(), smsMessageId: randomUUID() };
        const message = (id: string, channel: 'VOICE' | 'SMS') =>
          queuedAtWrite(h.services.outbox, {
            id,
            channel,
            to: agency.technician.mobile,
            body: 'Astreinte',
            purpose: 'oncall-page',
            essential: true,
          }).columns;
        return startAttempt(h.services.db, {
          ...named,
          pageId: page.id,
          caseId: kase.id,
          number: 1,
          startedAt: TUESDAY_NIGHT,
          target: 'TECHNICIAN',
          technicianId: agency.technician.id,
          managerId: null,
          rotaId: null,
          mobile: agency.technician.mobile,
          timeline: {},
          messages: [message(named.callMessageId, 'VOICE'), message(named.smsMessageId, 'SMS')],
        });
      }),
    );
    expect(results).toEqual([
      { attempt: null, created: false },
      { attempt: null, created: false },
    ]);
    for (const { kase, page } of [taken, escalated]) {
      expect((await pageOf(kase.id)).attempts).toEqual([]);
      expect(await h.services.db.page.findUniqueOrThrow({ where: { id: page.id } })).toMatchObject({
        status: page.status,
      });
      expect(await timeline(kase.id)).toEqual([]);
    }
    expect(await h.services.db.message.count({ where: { to: agency.technician.mobile } })).toBe(0);
  });

  it('[ON-5] pages at once when the call ends, once, however many times and places the end is told', async () => {
    const agency = await createAgency(h.services.db);
    const { kase, page } = await pageNowCase(agency);
    // Routed while the caller still speaks: the attempt waits behind its backstop delay.
    await scheduleAttempt(h.services.paging, page.id, 1, 10 * 60_000);
    const routing = { kind: 'page-now', pageId: page.id };
    // The recording and the hang-up, on two apis at the same moment, then a late status callback.
    await Promise.all([1, 2].map(() => afterOutOfHoursCall(h.services.paging, kase.id, routing)));
    await until(async () => callsTo(agency.technician.mobile)[0]);
    await afterOutOfHoursCall(h.services.paging, kase.id, routing);
    await h.drained();
    expect(callsTo(agency.technician.mobile)).toHaveLength(1);
    expect((await pageOf(kase.id)).attempts).toHaveLength(1);
  });

  it('resumes an escalation after the worker restarts, and two worker processes page each attempt once', async () => {
    const agency = await createAgency(h.services.db);
    clock.set(TUESDAY_NIGHT);
    const { caseId } = await nightCall(agency.callers.covered);
    const first = await until(async () => callsTo(agency.technician.mobile)[0]);

    // The worker process dies; the api goes on taking Twilio's callbacks.
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await callStatus(h, first, 'no-answer');
    // The api only records the outcome and queues the next attempt: no worker, no call.
    expect(callsTo(agency.technician.mobile)).toHaveLength(1);

    // Two processes start, sharing PostgreSQL and Redis: the next attempt goes out once.
    const restarted = await Promise.all(
      [1, 2].map(() =>
        startHarness({ clock, env: TWILIO_ENV, databaseUrl: h.settings.databaseUrl, keepRedis: true }),
      ),
    );
    try {
      for (const process of restarted) startWorkers(process.services);
      const second = await until(async () => callsTo(agency.technician.mobile)[1]);
      await callStatus(h, second, 'busy');
      await until(async () => callsTo(agency.manager.mobile)[0]);
      // What was due now is done (the manager's acknowledgement delay is still running).
      await restarted[0]!.drained();

      expect(callsTo(agency.technician.mobile)).toHaveLength(2);
      expect(callsTo(agency.manager.mobile)).toHaveLength(1);
      const pages = smsTo(agency.technician.mobile).filter((m) => m.body?.startsWith('ASTREINTE'));
      expect(pages).toHaveLength(2);
      expect(smsTo(agency.manager.mobile)).toHaveLength(1);
      const page = await pageOf(caseId);
      expect(page.attempts.map((a) => [a.number, a.target, a.outcome])).toEqual([
        [1, 'TECHNICIAN', 'NO_ANSWER'],
        [2, 'TECHNICIAN', 'BUSY'],
        [3, 'MANAGER', 'PENDING'],
      ]);
      expect((await timeline(caseId)).filter((t) => t === 'page.attempt.started')).toHaveLength(3);
    } finally {
      await Promise.all(workers.splice(0).map((w) => w.close()));
      for (const process of restarted) await process.close();
    }
  });
});
