import { describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/chromium.js';
import { openScreen, signIn, waitForConnection } from './support/console.js';
import { useService } from './support/suite.js';

// The console's live feed as an agent lives it, in Chromium against the running service: signed
// in, connected; the network drops, events happen meanwhile; the network comes back and every
// event missed is shown once, in order, with a notice saying so.

const service = useService();

const eventItems = (page: import('playwright-core').Page, text: string) =>
  page.locator('#events li', { hasText: text });

describe('the live console', () => {
  it('shows an agent, in French, the events missed while the network was down, each once', async () => {
    const { page, context } = await launchBrowser(service().url);
    await page.goto('/console/');
    expect(await page.locator('#login-heading').textContent()).toBe('Connexion');
    await screenshot(page, 'login');

    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    expect(await page.locator('#conn-text').textContent()).toBe('connecté');
    expect(await page.locator('#cases-heading').textContent()).toBe('Dossiers ouverts');
    expect(await page.locator('#events-heading').textContent()).toBe('Événements en direct');

    // A first live event: from now on the console knows where it stands in the stream.
    await service().publish({ type: 'e2e.marker', data: { marker: 'before-drop' } });
    await eventItems(page, 'before-drop').waitFor();
    await screenshot(page, 'cases-agent');

    await context.setOffline(true);
    await waitForConnection(page, 'reconnecting');
    expect(await page.locator('#conn-text').textContent()).toBe('reconnexion…');
    await screenshot(page, 'reconnecting');

    // Meanwhile, as the workers would: three events for everyone, one for another agency only.
    const otherAgency = await service().db.agency.findUniqueOrThrow({ where: { code: 'AG-MET' } });
    for (const marker of ['missed-1', 'missed-2', 'missed-3'])
      await service().publish({ type: 'e2e.marker', data: { marker } });
    await service().publish({ type: 'e2e.marker', agencyId: otherAgency.id, data: { marker: 'not-mine' } });

    await context.setOffline(false);
    await waitForConnection(page, 'connected');
    await page.locator('#notice', { hasText: 'Reconnecté' }).waitFor();
    expect(await page.locator('#notice').textContent()).toBe('Reconnecté : 3 événements manqués récupérés.');
    for (const marker of ['before-drop', 'missed-1', 'missed-2', 'missed-3'])
      expect(await eventItems(page, marker).count(), marker).toBe(1);
    expect(await eventItems(page, 'not-mine').count()).toBe(0);

    // And live again: a new event comes after the missed ones, newest first.
    await service().publish({ type: 'e2e.marker', data: { marker: 'after-drop' } });
    await eventItems(page, 'after-drop').waitFor();
    const shown = await page.locator('#events li .event-data').allTextContents();
    expect(shown).toEqual([
      'marker: after-drop',
      'marker: missed-3',
      'marker: missed-2',
      'marker: missed-1',
      'marker: before-drop',
    ]);
    await screenshot(page, 'resumed');
  });

  it('catches up even when the network drops before the first event arrived', async () => {
    const { page, context } = await launchBrowser(service().url);
    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    // Synced: the console knows where the stream stands, though it has seen no event yet.
    await page.locator('#conn[data-synced="true"]').waitFor({ state: 'attached' });

    await context.setOffline(true);
    await waitForConnection(page, 'reconnecting');
    for (const marker of ['early-1', 'early-2'])
      await service().publish({ type: 'e2e.marker', data: { marker } });
    await context.setOffline(false);
    await waitForConnection(page, 'connected');
    await page.locator('#notice', { hasText: 'Reconnecté : 2 événements manqués' }).waitFor();
    for (const marker of ['early-1', 'early-2'])
      expect(await eventItems(page, marker).count(), marker).toBe(1);
  });

  it('switches to English and back', async () => {
    const { page } = await launchBrowser(service().url);
    await signIn(page, 'agent');
    await waitForConnection(page, 'connected');
    expect(await page.locator('#lang').textContent()).toBe('English');

    await page.locator('#lang').click();
    await page.locator('#cases-heading', { hasText: 'Open cases' }).waitFor();
    expect(await page.locator('#events-heading').textContent()).toBe('Live events');
    expect(await page.locator('#conn-text').textContent()).toBe('connected');
    expect(await page.locator('#nav-cases').textContent()).toBe('Cases');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await screenshot(page, 'cases-agent-english');

    await page.locator('#lang').click();
    await page.locator('#cases-heading', { hasText: 'Dossiers ouverts' }).waitFor();
  });

  it('shows a supervisor the Supervision screen, which an agent does not see', async () => {
    const agent = await launchBrowser(service().url);
    await signIn(agent.page, 'agent');
    await agent.page.locator('#nav-cases').waitFor();
    expect(await agent.page.locator('#nav-supervisor').count()).toBe(0);

    const supervisor = await launchBrowser(service().url);
    await signIn(supervisor.page, 'supervisor');
    await waitForConnection(supervisor.page, 'connected');
    expect(await supervisor.page.locator('#nav-supervisor').textContent()).toBe('Supervision');
    await supervisor.page.locator('#nav-supervisor').click();
    await supervisor.page.locator('#view-supervisor').waitFor({ state: 'visible' });
    expect(supervisor.page.url()).toMatch(/#\/supervisor$/);
    await screenshot(supervisor.page, 'supervisor');

    // The other screens as the supervisor sees them, kept as artefacts.
    for (const id of ['cases', 'oncall', 'alerts']) {
      await openScreen(supervisor.page, id);
      await supervisor.page.locator(`#view-${id} > *`).first().waitFor();
      await screenshot(supervisor.page, `supervisor-${id}`);
    }
  });

  it('lets an agent go available, then on a break for a meal, and shows it to a supervisor live', async () => {
    const supervisor = await launchBrowser(service().url);
    await signIn(supervisor.page, 'supervisor');
    await waitForConnection(supervisor.page, 'connected');
    await openScreen(supervisor.page, 'supervisor');
    const agentLine = supervisor.page.locator('#sup-agents-list li[data-agent-name="Alice Agent"]');
    await agentLine.waitFor();
    expect(await agentLine.getAttribute('data-agent-state')).toBe('OFFLINE');

    const agent = await launchBrowser(service().url);
    await signIn(agent.page, 'agent');
    await waitForConnection(agent.page, 'connected');
    const select = agent.page.locator('#agent-state-select');
    await select.waitFor();
    await agent.page.locator('#agent-state-select:not([disabled])').waitFor();
    expect(await select.inputValue()).toBe('OFFLINE');
    await select.selectOption('AVAILABLE');
    await supervisor.page
      .locator('#sup-agents-list li[data-agent-name="Alice Agent"][data-agent-state="AVAILABLE"]')
      .waitFor();

    await select.selectOption('BREAK');
    await agent.page.locator('#agent-state-reason').selectOption('meal');
    const onBreak = supervisor.page.locator(
      '#sup-agents-list li[data-agent-name="Alice Agent"][data-agent-state="BREAK"]',
    );
    await onBreak.waitFor();
    expect(await onBreak.textContent()).toContain('en pause Repas');
    await screenshot(supervisor.page, 'supervisor-agents');
  });
});
