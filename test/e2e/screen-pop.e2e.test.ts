import { describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/chromium.js';
import { signIn, waitForConnection } from './support/console.js';
import { coveredCaller } from './support/demo-data.js';
import { LINES, TUESDAY_MORNING } from './support/service.js';
import { simulator } from './support/simulator.js';
import { useService } from './support/suite.js';

// A customer calls the daytime line and is queued for an agent: the agent's console pops the
// caller with the identification checklist of DOMAIN.md section 2; the details stay masked until
// every item is ticked; then the call is filed on a new case, which opens with its due date.

const service = useService({ clockStart: TUESDAY_MORNING });

describe('the screen pop', () => {
  it('shows the caller with the checklist, reveals the details once confirmed, and files the call', async () => {
    const { page } = await launchBrowser(service().url);
    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    const sim = simulator(service());
    const caller = await coveredCaller(service().db, 'AG-LYO');

    const call = await sim.call(caller.phone, LINES.daytime);
    expect(call.said.join(' ')).toContain('Un conseiller va vous répondre');

    const pop = page.locator(`[data-pop-call="${call.sid}"]`);
    await pop.waitFor();
    await expect.poll(() => pop.locator('h2').textContent()).toContain('Appel entrant');
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
      expect.objectContaining({ providerId: call.sid, channel: 'PHONE', callerRelation: 'THIRD_PARTY' }),
    ]);
    const audit = await service().db.auditLog.count({
      where: { action: 'identity.verified', entityId: caller.customerId },
    });
    expect(audit).toBe(1);
  });
});
