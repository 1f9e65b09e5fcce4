import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

// Debian's Chromium driven by playwright-core (no browser download: this network has none).

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS_DIR = new URL('../../../test-artifacts/screenshots/', import.meta.url).pathname;

// Without the background-networking flags Chromium keeps calling Google's services, and on this
// closed network its connections are then refused many at a time, the tests' among them.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  return [
    `The browser tests need Chromium, not found at ${CHROMIUM_PATH}.`,
    'Install it with: apt-get update && apt-get install -y chromium',
    '(or point CHROMIUM_PATH at another Chromium or Chrome).',
  ].join('\n');
}

export interface Browser {
  context: BrowserContext;
  /** The first tab, opened on nothing yet; `page.goto('/console/')` goes to the service. */
  page: Page;
  /** What the pages threw or logged as errors, to print when a test fails. */
  errors: string[];
  close(): Promise<void>;
}

const open = new Set<Browser>();

/**
 * A fresh browser (its own profile: no session, no language choice kept) whose relative URLs
 * go to `baseURL`. Each actor of a test (an agent, a supervisor) gets their own.
 */
export async function launchBrowser(baseURL: string): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  // `--user-data-dir` is refused in args: a persistent context is how a profile folder is given.
  const profile = await mkdtemp(join(tmpdir(), 'cc-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL,
    viewport: { width: 1280, height: 900 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
    // Failed loads are reported with their address (the console's "Failed to load resource" has none);
    // headless Chromium asks for a favicon the console does not have.
    p.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        errors.push(`console error: ${message.text()}`);
    });
    p.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico'))
        errors.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
    });
  };
  watch(page);
  context.on('page', watch);
  const browser: Browser = {
    context,
    page,
    errors,
    async close() {
      open.delete(browser);
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
  open.add(browser);
  return browser;
}

/** Every browser still open (closed in afterAll, even when a test failed). */
export function openBrowsers(): Browser[] {
  return [...open];
}

/** A full-page PNG kept as a test artefact: test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
