import { describe, expect, it } from 'vitest';
import { DEPARTURE_CALL } from '../../src/follow-ups/departure-dates.js';
import { scheduleTimers, setTimers } from '../../src/follow-ups/timers.js';
import { createQueue, QUEUE_NAMES } from '../../src/platform/queues.js';
import { createRedis } from '../../src/platform/redis.js';
import { launchBrowser, screenshot } from './support/chromium.js';
import { openScreen, signIn, waitForConnection } from './support/console.js';
import { coveredCaller } from './support/demo-data.js';
import { type Service, TUESDAY_MORNING } from './support/service.js';
import { useService } from './support/suite.js';

// A departure as an agent signals it and the follow-ups carry it (DOMAIN.md section 6): the agent
// signals the move from the customer's case; the departure case shows its two follow-ups; thirty
// days later the call falls due and the Follow-ups screen, open and never reloaded, lists it.

const service = useService({ clockStart: TUESDAY_MORNING });

/**
 * Thirty days in a few seconds: the timer is set to fall due now, through the service's own
 * timer functions (the row moved, a delayed job for its new time), as if the days had passed.
 * "Now" is the service's (its clock started when its process did, after the test's).
 */
async function fallsDueNow(running: Service, caseId: string, kind: string): Promise<void> {
  const { now } = (await (await fetch(`${running.url}/api/clock`)).json()) as { now: string };
  const serviceNow = new Date(now);
  const dueAt = new Date(serviceNow.getTime() + 2_000);
  const timers = await running.db.$transaction((tx) => setTimers(tx, caseId, [{ kind, dueAt }]));
  const redis = createRedis(running.redisUrl, () => undefined);
  await redis.connect();
  const queue = createQueue(QUEUE_NAMES.followUps, redis);
  try {
    await scheduleTimers({ queue, clock: { now: () => serviceNow }, logger: console as never }, timers);
  } finally {
    await queue.close();
    await redis.close();
  }
}

describe('follow-ups in the console', () => {
  it('[DP-1] [DP-2] signals a move from the customer’s case; the call due 30 days later appears on the Follow-ups screen without a reload, and unanswered, becomes a meter survey', async () => {
    const { db } = service();
    const caller = await coveredCaller(db, 'AG-LYO', 1);
    const lyon = await db.agency.findUniqueOrThrow({ where: { code: 'AG-LYO' } });
    const kase = await service().api<{ id: string; number: number }>('agent', 'POST', '/api/cases', {
      customerId: caller.customerId,
      agencyId: lyon.id,
      kind: 'REQUEST',
      urgency: 'NORMAL',
      category: 'contract',
      subject: 'Déménagement',
      contact: { channel: 'PHONE', direction: 'INBOUND', summary: 'Annonce son départ' },
    });

    // [DP-1] The agent signals the move from the open case: a rented home needs the owner.
    const { page, errors } = await launchBrowser(service().url);
    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    await page.goto(`/console/#/cases/${kase.id}`);
    await page.locator('#detail-title').waitFor();
    const card = page.locator('.case-departure');
    await card.getByText('Signaler un départ').click();
    await card.getByLabel('Date de départ prévue').fill('2026-11-24');
    await card.getByLabel('Portable pour le suivi (facultatif)').fill(caller.phone);
    await card.getByLabel('Logement loué').check();
    await card.getByRole('button', { name: 'Ouvrir le dossier de départ' }).click();
    await card
      .getByText(
        'Logement loué : le nom du propriétaire ou du gestionnaire et un moyen de le joindre sont obligatoires.',
      )
      .waitFor();
    await card.getByLabel('Nom').fill('Régie Lumière');
    await card.getByLabel('Téléphone').fill('04 72 00 00 00');
    await screenshot(page, 'departure-signal');
    await card.getByRole('button', { name: 'Ouvrir le dossier de départ' }).click();

    // The console opens the departure case: the planned date and its two follow-ups.
    await page.waitForURL((url) => url.hash.startsWith('#/cases/') && !url.hash.endsWith(kase.id));
    const departure = await db.departure.findFirstOrThrow({
      where: { customerId: caller.customerId },
      include: { case: { select: { number: true } } },
    });
    expect(new URL(page.url()).hash).toBe(`#/cases/${departure.caseId}`);
    await card.getByText('Départ prévu le mardi 24 novembre 2026').waitFor();
    await card.locator('[data-timer="departure-reminder"][data-state="PENDING"]').waitFor();
    expect(await card.locator('[data-timer="departure-reminder"]').textContent()).toMatch(
      /^Relance par e-mail ou SMS : prévu le 04\/12\/2026 09:00:00$/,
    );
    expect(await card.locator('[data-timer="departure-call"]').textContent()).toMatch(
      /^Appel du client : prévu le 24\/12\/2026 09:00:00$/,
    );
    expect(departure).toMatchObject({ mobile: caller.phone, rented: true, ownerName: 'Régie Lumière' });

    // The Follow-ups screen: no call for this departure yet.
    await openScreen(page, 'follow-ups');
    await page
      .locator('[data-work-list="calls"] [data-count]')
      .getByText(/^\(\d+\)$/)
      .waitFor();
    const callRow = page.locator(`[data-call-row="${departure.caseId}"][data-kind="departure"]`);
    expect(await callRow.count()).toBe(0);
    await page.evaluate(() => {
      (globalThis as { __noReload?: boolean }).__noReload = true;
    });
    let loads = 0;
    page.on('load', () => loads++);

    // [DP-2] Thirty days without news: the call falls due, and the screen lists it by itself.
    await fallsDueNow(service(), departure.caseId, DEPARTURE_CALL);
    await callRow.waitFor({ timeout: 20_000 });
    expect(await callRow.textContent()).toContain('Départ sans nouvelles (30 jours)');
    expect(await callRow.textContent()).toContain(caller.phone);
    await callRow.getByRole('link', { name: `dossier n° ${departure.case.number}` }).waitFor();
    await screenshot(page, 'follow-ups-call-due');

    // [DP-2] Nobody answers the agent's call: a meter survey goes on the field tasks.
    await callRow
      .getByRole('button', { name: `Pas de réponse : dossier n° ${departure.case.number}` })
      .click();
    const surveyRow = page.locator(`[data-field-task-row="${departure.caseId}"][data-kind="meter-survey"]`);
    await surveyRow.waitFor();
    expect(await surveyRow.textContent()).toContain('Départ sans réponse : relever le compteur');
    await callRow.waitFor({ state: 'detached' });
    await page
      .getByText(
        `Pas de réponse au dossier n° ${departure.case.number} : un relevé du compteur est à faire sur place.`,
      )
      .waitFor();
    await screenshot(page, 'follow-ups-meter-survey');
    expect(await page.evaluate(() => (globalThis as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(loads).toBe(0);
    // The one refusal the agent saw: the owner missing.
    expect(errors).toEqual([expect.stringMatching(/^HTTP 422 POST .*\/api\/departures$/)]);
  });
});
