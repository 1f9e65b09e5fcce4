import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, type DemoAccount } from './service.js';

// The agent console as a user drives it: through its sign-in form, its header and its screens.

/** Signs in through the real form (opening /console/ first if needed) and waits for the console. */
export async function signIn(page: Page, account: DemoAccount): Promise<void> {
  if (!new URL(page.url(), 'http://x').pathname.startsWith('/console/')) await page.goto('/console/');
  await page.locator('#login-view').waitFor({ state: 'visible' });
  await page.locator('#email').fill(DEMO_ACCOUNTS[account]);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.locator('#login-submit').click();
  await page.locator('#console-view').waitFor({ state: 'visible' });
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/**
 * Waits until the header's live indicator (#conn) is in that state. "connected" also waits for the
 * console's first exchange with the server (data-synced): from then on the server has the socket
 * in its rooms, and every event published reaches it (an event published in between would not).
 */
export async function waitForConnection(page: Page, state: ConnectionState, timeout = 30_000): Promise<void> {
  const synced = state === 'connected' ? '[data-synced="true"]' : '';
  await page.locator(`#conn[data-state="${state}"]${synced}`).waitFor({ state: 'attached', timeout });
}

/** Opens a screen through its nav link (#nav-<id>), as a user would, and waits for it. */
export async function openScreen(page: Page, id: string): Promise<void> {
  await page.locator(`#nav-${id}`).click();
  await page.locator(`#view-${id}`).waitFor({ state: 'visible' });
}
