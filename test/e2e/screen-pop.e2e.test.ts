import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/chromium.js';
import { signIn, waitForConnection } from './support/console.js';
import { coveredCaller } from './support/demo-data.js';
import { LINES, TUESDAY_MORNING } from './support/service.js';
import { useService } from './support/suite.js';

// A customer calls the daytime line from the simulator panel and is queued for the agents: it is
// offered to one available agent, whose console rings with the caller and the identification
// checklist of DOMAIN.md section 2 (another agent's console sees nothing of it). The agent
// answers; the panel shows the caller connected; the caller speaks, the agent hangs up, and in
// the wrap-up verifies the identity (details masked until every item is ticked) and files the
// call on a new case, then is available for the next call.

const service = useService({ clockStart: TUESDAY_MORNING });

async function goAvailable(page: Page): Promise<void> {
  await page.locator('#agent-state-select').selectOption('AVAILABLE');
  await page.locator('#agent-state-select[data-state="AVAILABLE"]').waitFor();
}

describe('the screen pop', () => {
  it('rings one available agent, connects the caller, and files the call in the wrap-up', async () => {
    const { page, context } = await launchBrowser(service().url);
    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    await goAvailable(page);
    // Another agent, available too, at another console.
    const other = await context.newPage();
    await signIn(other, 'agent2');
    await waitForConnection(other, 'connected');
    await goAvailable(other);
    const caller = await coveredCaller(service().db, 'AG-LYO');

    // The caller dials the daytime line from the simulator panel.
    const panel = await context.newPage();
    await signIn(panel, 'supervisor');
    await panel.goto('/console/simulator.html');
    await panel.locator('#call-from').fill(caller.phone);
    await panel.locator('#call-to').selectOption(LINES.daytime);
    await panel.locator('#call-form button[type="submit"]').click();
    await panel.getByText('En attente d’un conseiller (musique d’attente)…').waitFor();

    const pop = page.locator('[data-pop-call]');
    await pop.waitFor();
    await expect.poll(() => pop.locator('h2').textContent()).toContain('Appel entrant');
    const callSid = (await pop.getAttribute('data-pop-call')) ?? '';
    await pop
      .locator('.call-bar.ringing')
      .getByText(/Appel pour vous · répondre \d+ s/)
      .waitFor();
    await screenshot(page, 'call-offered');
    await pop.getByRole('button', { name: 'Répondre' }).click();
    await pop
      .locator('.call-bar.connected')
      .getByText(/En communication · 00:\d\d/)
      .waitFor();
    await panel
      .getByText('Un conseiller a décroché : vous êtes en communication.', { exact: false })
      .waitFor();
    await panel.locator('#speech').fill('Ma facture est fausse');
    await panel.locator('#speech-form button[type="submit"]').click();
    await pop.getByText('L’appelant : « Ma facture est fausse »').waitFor();
    // The console's softphone (the simulator's here) cuts and gives back the microphone.
    await pop.getByRole('button', { name: 'Couper le micro' }).click();
    await pop.locator('[data-mute][aria-pressed="true"]').getByText('Rétablir le micro').waitFor();
    // On hold the caller hears the hold message; taken back, they are with the agent again.
    await pop.getByRole('button', { name: 'Mettre en attente' }).click();
    await pop.getByText('L’appelant est en attente : il entend un message d’attente.').waitFor();
    await panel
      .locator('#transcript')
      .getByText('Votre conseiller vous met en attente quelques instants.', { exact: false })
      .waitFor();
    const connectedNotes = panel.locator('#transcript li', { hasText: 'Un conseiller a décroché' });
    const before = await connectedNotes.count();
    await pop.getByRole('button', { name: 'Reprendre l’appel' }).click();
    await pop.getByRole('button', { name: 'Mettre en attente' }).waitFor();
    await expect.poll(() => connectedNotes.count()).toBeGreaterThan(before);
    await pop.getByRole('button', { name: 'Raccrocher' }).click();
    await pop.getByText('Fin d’appel : classez l’appel sur un dossier ci-dessous.').waitFor();
    await panel.locator('#transcript').getByText('Appel terminé.').waitFor();
    expect(await other.locator('[data-pop-call]').count()).toBe(0);
    expect(await other.locator('#agent-state-select').getAttribute('data-state')).toBe('AVAILABLE');
    await pop.getByText(`Référence ${caller.reference}`).waitFor();
    // Until the agent knows who is on the line, a third party's rules apply.
    const items = pop.locator('.checklist input[type="checkbox"]');
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(4);
    await pop.getByText(`Nom : ${caller.lastName}`).waitFor();
    await pop.getByText('Référence client ou n° de compteur').waitFor();
    await pop.getByText(/À refuser par téléphone : changement de coordonnées bancaires \(IBAN\)/).waitFor();
    await pop.locator('[data-masked]').waitFor();
    const verify = pop.locator('[data-verify]');
    expect(await verify.isDisabled()).toBe(true);
    await screenshot(page, 'screen-pop-checklist');

    // The caller is a third party: the reference becomes mandatory.
    await pop.getByLabel('un tiers').check();
    await pop.getByText('(obligatoire pour continuer)').waitFor();

    // Ticking every item (with the keyboard) unlocks the verification; the details come from the server.
    const count = await items.count();
    for (let i = 0; i < count; i++) {
      await items.nth(i).focus();
      await page.keyboard.press('Space');
    }
    await expect.poll(() => verify.isDisabled()).toBe(false);
    await verify.click();
    await pop.getByText('Identité vérifiée : coordonnées affichées.').waitFor();
    await pop.locator('.pop-details').getByText(caller.phone).waitFor();
    await screenshot(page, 'screen-pop-verified');

    // The call becomes the first contact of a new case, which opens with its countdown.
    await pop.locator('[data-new-case]').click();
    await page.locator('#detail-title').waitFor();
    await page.locator('#detail [data-due-at]').waitFor();
    expect(await page.locator('#detail [data-due-at]').textContent()).toMatch(/Échéance .* dans \d+ j/);
    const kase = await service().db.case.findFirstOrThrow({
      where: { customerId: caller.customerId, category: 'call' },
      include: { contacts: true },
    });
    expect(kase.contacts).toEqual([
      expect.objectContaining({ providerId: callSid, channel: 'PHONE', callerRelation: 'THIRD_PARTY' }),
    ]);
    // The wrap-up ends when the agent says so: available for the next call.
    await page.getByRole('button', { name: 'Prêt pour l’appel suivant' }).click();
    await page.locator('#agent-state-select[data-state="AVAILABLE"]').waitFor();
    const record = await service().db.queuedCall.findUniqueOrThrow({ where: { callSid } });
    expect(record).toMatchObject({ outcome: 'ANSWERED', offers: 1 });
    expect(record.wrapUpEndedAt).not.toBeNull();
    const audit = await service().db.auditLog.count({
      where: { action: 'identity.verified', entityId: caller.customerId },
    });
    expect(audit).toBe(1);
  });
});
