import { describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/chromium.js';
import { signIn, waitForConnection } from './support/console.js';
import { coveredCaller } from './support/demo-data.js';
import { useService } from './support/suite.js';

// A complaint by letter, as a supervisor handles it in the console: waiting for a third party
// pauses its deadline [CS-3], it goes to the sensitive letters' queue [CS-6], it cannot close
// without a written answer [CS-5], the letter is prepared, and then it closes.

const service = useService();

/** A complaint received by letter, opened in the console of a signed-in supervisor. */
async function openComplaint(subject: string, letter: string) {
  const caller = await coveredCaller(service().db, 'AG-LYO');
  const kase = await service().api<{ id: string; number: number }>('supervisor', 'POST', '/api/cases', {
    customerId: caller.customerId,
    kind: 'COMPLAINT',
    urgency: 'NORMAL',
    category: 'billing',
    subject,
    contact: { channel: 'LETTER', direction: 'INBOUND', summary: letter },
  });
  const { page, errors } = await launchBrowser(service().url);
  await signIn(page, 'supervisor');
  await waitForConnection(page, 'connected');
  await page.goto(`/console/#/cases/${kase.id}`);
  await page.locator('#detail-title').waitFor();
  return { kase, page, errors };
}

describe('case actions in the console', () => {
  it('[CS-3] [CS-5] [CS-6] pauses a complaint for a third party, queues it as sensitive, answers it by letter, then closes it', async () => {
    const { kase, page, errors } = await openComplaint(
      'Contestation de facture (avocat)',
      'Courrier de son avocat',
    );

    // Waiting for the owner's agreement: the deadline pauses and the case says why.
    await page.getByLabel('Ce qui est attendu, et de qui').fill('Accord du propriétaire');
    await page.getByRole('button', { name: 'Suspendre l’échéance' }).click();
    await page.getByText('Échéance suspendue : Accord du propriétaire').waitFor();
    await page.locator('#detail').getByText('En attente d’un tiers (échéance suspendue)').waitFor();
    await page.getByRole('button', { name: 'Le tiers a répondu : reprendre' }).click();
    await page.locator('#detail [data-due-at]').waitFor();

    // A lawyer's letter: the dedicated team's queue.
    await page.getByLabel('Courrier sensible (équipe dédiée)').selectOption('LEGAL');
    await page.locator('[data-form="qualify"] button[type="submit"]').click();
    await expect
      .poll(async () => (await service().db.case.findUniqueOrThrow({ where: { id: kase.id } })).sensitive)
      .toBe('LEGAL');

    // The written answer, by letter, then the case closes.
    await page.getByLabel('Par', { exact: true }).selectOption('LETTER');
    await page.getByLabel(/La réponse/).fill('Nous avons vérifié votre facture : elle est correcte.');
    await page.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await page.locator('[data-form="answer"] .ok').waitFor();
    await expect
      .poll(() =>
        service().db.contact.findFirst({
          where: { caseId: kase.id, direction: 'OUTBOUND', channel: 'LETTER' },
        }),
      )
      .toBeTruthy();
    await screenshot(page, 'case-answered');
    // Nothing of the case's page is written as "null" (parts not shown are left out).
    expect(await page.locator('#detail').innerText()).not.toMatch(/\bnull\b/);
    await page.getByLabel('Réponse apportée').fill('Réponse écrite envoyée le jour même.');
    await page.getByRole('button', { name: 'Clore', exact: true }).click();
    await expect
      .poll(async () => (await service().db.case.findUniqueOrThrow({ where: { id: kase.id } })).status)
      .toBe('CLOSED');
    const sent = await service().db.contact.findFirstOrThrow({
      where: { caseId: kase.id, direction: 'OUTBOUND', channel: 'LETTER' },
    });
    expect(sent.summary).toContain(`Objet : votre demande n° ${kase.number}`);
    expect(errors).toEqual([]);
  });

  it('keeps a choice made in the qualification while a colleague’s note redraws the case, and saves it', async () => {
    const { kase, page, errors } = await openComplaint('Courrier d’huissier', 'Courrier d’un huissier');

    const sensitive = page.getByLabel('Courrier sensible (équipe dédiée)');
    await sensitive.selectOption('LEGAL');
    // A colleague adds a note: the case is drawn again, live, while the choice is not sent yet.
    await service().api('admin', 'POST', `/api/cases/${kase.id}/notes`, {
      text: 'Pièces reçues par courrier.',
    });
    await page.locator('#detail').getByText('Pièces reçues par courrier.').waitFor();
    expect(await sensitive.inputValue()).toBe('LEGAL');
    await page.locator('[data-form="qualify"] button[type="submit"]').click();
    await expect
      .poll(async () => (await service().db.case.findUniqueOrThrow({ where: { id: kase.id } })).sensitive)
      .toBe('LEGAL');
    expect(errors).toEqual([]);
  });
});
