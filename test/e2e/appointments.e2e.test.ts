import { describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/chromium.js';
import { openScreen, signIn, waitForConnection } from './support/console.js';
import { coveredCaller } from './support/demo-data.js';
import { TUESDAY_MORNING } from './support/service.js';
import { simulator } from './support/simulator.js';
import { useService } from './support/suite.js';

// An appointment as an agent books it and a customer answers it (DOMAIN.md section 4): the agent
// picks a free slot in the open case's appointment card; the confirmation SMS reaches the
// customer's phone (the simulator); the customer answers "OUI" from the simulator panel; the
// agent's Appointments screen, never reloaded, turns the appointment to "confirmé" with the reply.

// A Tuesday morning: the first slot offered is on Thursday (J+2 working days).
const service = useService({ clockStart: TUESDAY_MORNING });

describe('appointments in the console', () => {
  it('[AP-3] books a slot from the open case, and the customer’s "OUI" from the simulator confirms it on the Appointments screen without a reload', async () => {
    const { db } = service();
    const caller = await coveredCaller(db, 'AG-LYO');
    const lyon = await db.agency.findUniqueOrThrow({ where: { code: 'AG-LYO' } });
    const kase = await service().api<{ id: string; number: number }>('agent', 'POST', '/api/cases', {
      customerId: caller.customerId,
      agencyId: lyon.id,
      kind: 'REQUEST',
      urgency: 'NORMAL',
      category: 'meter',
      subject: 'Contestation d’index',
      contact: { channel: 'PHONE', direction: 'INBOUND', summary: 'Conteste le dernier relevé' },
    });

    // The agent opens the case: its appointment card offers the agency's free slots.
    const { page, context, errors } = await launchBrowser(service().url);
    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    await page.goto(`/console/#/cases/${kase.id}`);
    await page.locator('#detail-title').waitFor();
    const card = page.locator('.case-appointment');
    await card.getByText(/^Créneaux libres de 2 heures, du jeudi 26 novembre au /).waitFor();
    const slot = card.locator('input[name="slot"]').first();
    const startsAt = (await slot.getAttribute('value')) ?? '';
    expect(new Date(startsAt)).toEqual(new Date('2026-11-26T07:00:00Z')); // Thursday 08:00 in Paris
    expect(await card.locator('.slot-day legend').first().textContent()).toBe('jeudi 26 novembre');
    await card.getByRole('radio', { name: '08:00–10:00' }).first().check();
    await card.getByLabel('Intervention').selectOption('index-dispute');
    await card.getByLabel('Emplacement du compteur').fill('Cuisine, sous l’évier');
    await card.getByLabel('Compteur accessible', { exact: true }).check();
    await card.getByLabel('Portable (facultatif)').fill(caller.phone);
    await screenshot(page, 'appointment-booking');
    await card.getByRole('button', { name: 'Prendre rendez-vous' }).click();
    await card.locator('[data-case-appointment-status="BOOKED"]').waitFor();
    await card.getByText('Rendez-vous pris : le client reçoit sa confirmation.').waitFor();
    await card.getByText('Rendez-vous du jeudi 26 novembre, 08:00–10:00').waitFor();
    expect(await card.getByText('présence du client requise', { exact: true }).count()).toBe(1);
    expect(await card.locator('form').isHidden()).toBe(true);
    const booked = await db.appointment.findFirstOrThrow({ where: { caseId: kase.id } });
    expect(booked).toMatchObject({
      status: 'BOOKED',
      startsAt: new Date(startsAt),
      mobile: caller.phone,
      interventionType: 'index-dispute',
      meterLocation: 'Cuisine, sous l’évier',
      presenceRequired: true,
    });

    // The Appointments screen: the new appointment on its day, waiting for the customer's answer,
    // beside the demo's, whose company-cancelled one is a call to make.
    await openScreen(page, 'appointments');
    const row = page.locator(`[data-appointment-row="${booked.id}"]`);
    await row.locator('[data-appointment-status="BOOKED"]').waitFor();
    expect(await row.locator('[data-appointment-status]').textContent()).toBe('à confirmer');
    await row.getByText('pas de réponse du client').waitFor();
    await row.getByRole('link', { name: `dossier n° ${kase.number}` }).waitFor();
    expect(await page.locator('#appts-days h3').first().textContent()).toBe('jeudi 26 novembre');
    expect(await page.locator('[data-appointment-row]').count()).toBe(4);
    await page.locator('[data-call-row]').waitFor();
    await page.locator('#view-appointments').getByText('Aucun rappel demandé.').waitFor();
    await screenshot(page, 'appointments-booked');
    await page.evaluate(() => {
      (globalThis as { __noReload?: boolean }).__noReload = true;
    });
    let loads = 0;
    page.on('load', () => loads++);

    // [AP-3] The confirmation SMS reaches the customer's phone, with the code to answer it.
    const sim = simulator(service());
    const sentTo = async () =>
      (await sim.outbound())
        .filter((o) => o.kind === 'sms' && o.to === caller.phone)
        .map((o) => o.body ?? '');
    await expect
      .poll(sentTo, { timeout: 20_000 })
      .toContainEqual(expect.stringMatching(/^Rendez-vous fixé le jeudi 26 novembre entre 08:00 et 10:00/));
    expect((await sentTo()).join('\n')).toContain(`code ${booked.replyCode}`);

    // The customer answers "OUI" from the simulator panel, replying to that SMS.
    const panel = await context.newPage();
    await signIn(panel, 'supervisor');
    await panel.goto('/console/simulator.html');
    const received = panel.locator('#outbound li', { hasText: `code ${booked.replyCode}` });
    await received.waitFor();
    await received.getByRole('button', { name: 'Répondre' }).click();
    expect(await panel.locator('#sms-from').inputValue()).toBe(caller.phone);
    await panel.locator('#sms-body').fill('OUI');
    await panel.locator('#sms-form button[type="submit"]').click();
    await panel.locator('#sms-result').getByText('Message reçu, sans réponse immédiate.').waitFor();
    // The platform thanks them through its outbox: an SMS to their phone, in the panel.
    await panel
      .locator('#outbound li', {
        hasText: 'Merci, votre rendez-vous du jeudi 26 novembre entre 08:00 et 10:00 est confirmé.',
      })
      .waitFor({ timeout: 20_000 });
    await screenshot(panel, 'appointment-simulator');

    // The agent's screen, without a reload or a navigation, shows it confirmed, with the reply.
    await row.locator('[data-appointment-status="CONFIRMED"]').waitFor();
    expect(await row.locator('[data-appointment-status]').textContent()).toBe('confirmé');
    await row.getByText(/^dernière réponse : « OUI » le \d{2}\/\d{2}\/\d{4}/).waitFor();
    expect(await row.getByRole('button', { name: /^Confirmé par téléphone/ }).count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(loads).toBe(0);
    expect(new URL(page.url()).hash).toBe('#/appointments');
    await screenshot(page, 'appointments-confirmed');
    expect((await db.appointment.findUniqueOrThrow({ where: { id: booked.id } })).status).toBe('CONFIRMED');
    // [AP-3] The confirmation is traced as an outbound contact on the case, the reply as an inbound one.
    const contacts = await db.contact.findMany({ where: { caseId: kase.id, channel: 'SMS' } });
    expect(contacts.map((c) => [c.direction, c.summary])).toEqual(
      expect.arrayContaining([
        ['OUTBOUND', 'Confirmation de rendez-vous'],
        ['INBOUND', 'Réponse au SMS de rendez-vous : OUI'],
      ]),
    );

    // Its case, opened from the row, says so too.
    await row.getByRole('link', { name: `dossier n° ${kase.number}` }).click();
    await page.locator('.case-appointment [data-case-appointment-status="CONFIRMED"]').waitFor();
    expect(errors).toEqual([]);
  });

  it('[AP-4] moves an appointment for the company: the customer is told with apologies, and the call stays to make until the agent has called', async () => {
    const { db } = service();
    // The demo's appointment still waiting for its customer's answer.
    const appointment = await db.appointment.findFirstOrThrow({
      where: { status: 'BOOKED' },
      include: { case: true },
    });
    const { page, errors } = await launchBrowser(service().url);
    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    await openScreen(page, 'appointments');
    const row = page.locator(`[data-appointment-row="${appointment.id}"]`);
    const panel = page.locator('#appts-action');

    // Cancelling for the company needs a reason; closed, the form gives the keyboard back.
    await row.getByRole('button', { name: /^Annuler :/ }).click();
    await panel.getByRole('heading', { name: 'Annuler le rendez-vous' }).waitFor();
    await panel.getByRole('radio', { name: /l’entreprise/ }).check();
    await panel.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    await panel.getByText('Le motif est obligatoire quand l’entreprise annule.').waitFor();
    await panel.getByRole('button', { name: 'Fermer' }).click();
    await panel.waitFor({ state: 'hidden' });
    expect(await page.locator(':focus').getAttribute('data-action')).toBe('cancel');

    // Moved to the last free slot offered, with the reason.
    await row.getByRole('button', { name: /^Déplacer :/ }).click();
    const select = panel.getByLabel('Nouveau créneau');
    await expect.poll(() => select.locator('option[value^="2026-"]').count()).toBeGreaterThan(1);
    const startsAt = (await select.locator('option').last().getAttribute('value')) ?? '';
    await select.selectOption(startsAt);
    await panel.getByLabel('Motif').fill('Technicien en formation');
    await panel.getByRole('button', { name: 'Déplacer', exact: true }).click();
    await panel.waitFor({ state: 'hidden' });
    await row.getByText(/motif : Technicien en formation/).waitFor();
    const call = page.locator(`[data-call-row="${appointment.id}"]`);
    await call.waitFor();
    expect(await db.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).toMatchObject({
      status: 'BOOKED',
      startsAt: new Date(startsAt),
      callDue: true,
    });

    // [AP-4] The customer is told at once, with apologies.
    const sim = simulator(service());
    await expect
      .poll(
        async () =>
          (await sim.outbound())
            .filter((o) => o.kind === 'sms' && o.to === appointment.mobile)
            .map((o) => o.body ?? ''),
        { timeout: 20_000 },
      )
      .toContainEqual(expect.stringMatching(/^Toutes nos excuses : votre rendez-vous est déplacé au /));
    await screenshot(page, 'appointments-call-to-make');

    // The agent phones the customer: the call is traced on the case and leaves the list.
    await call.getByRole('button', { name: `Client appelé : dossier n° ${appointment.case.number}` }).click();
    await call.waitFor({ state: 'detached' });
    await page
      .getByText(`Appel au client enregistré sur le dossier n° ${appointment.case.number}.`)
      .waitFor();
    expect(
      await db.contact.count({
        where: { caseId: appointment.caseId, channel: 'PHONE', direction: 'OUTBOUND' },
      }),
    ).toBe(1);
    expect(errors).toEqual([]);
  });
});
