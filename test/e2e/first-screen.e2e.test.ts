import { gzipSync } from 'node:zlib';
import type { Response } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, FIRST_SCREEN_LIMIT_BYTES, kB } from '../../src/console-site/bundle.js';
import { launchBrowser } from './support/chromium.js';
import { useService } from './support/suite.js';

// What an agent's browser downloads to show the sign-in page, as the running service serves it
// (the production bundle), gzipped as a proxy or CDN would send it.

// Built again just before this file's service starts (the global setup built it for the whole
// run): the figure is the current code's, even when a console file changed since the run began.
beforeAll(() => buildConsole());
const service = useService();

describe('the console’s first screen', () => {
  it(`is the production bundle and weighs under ${kB(FIRST_SCREEN_LIMIT_BYTES)} gzipped`, async () => {
    // A console source saved between the build and the service's start makes it build its own.
    expect(
      service().output(),
      'the service built the console again: was a console file changed after the build?',
    ).toContain('console: serving the bundle in agent-console/dist');
    const { page } = await launchBrowser(service().url);
    const responses: Response[] = [];
    page.on('response', (response) => responses.push(response));
    await page.goto('/console/', { waitUntil: 'networkidle' });
    await page.locator('#login-form').waitFor();

    const files = await Promise.all(
      responses.map(async (response) => {
        const body = await response.body().catch(() => Buffer.alloc(0)); // redirects have none
        return {
          path: new URL(response.url()).pathname,
          status: response.status(),
          gzipBytes: body.length ? gzipSync(body, { level: 6 }).length : 0,
        };
      }),
    );
    const paths = files.map((f) => f.path);
    expect(paths).toContainEqual(expect.stringMatching(/^\/console\/app-[A-Z0-9]+\.js$/));
    expect(paths).toContainEqual(expect.stringMatching(/^\/console\/styles-[A-Z0-9]+\.css$/));
    expect(paths).toContain('/socket.io/socket.io.min.js');
    // Nothing from the sources: no separate module of the console, no unminified client.
    expect(
      paths.filter((p) => /\/(app|live|api|i18n|dom)\.[jt]s$|\/views\/|socket\.io\.js$/.test(p)),
    ).toEqual([]);

    const total = files.reduce((sum, f) => sum + f.gzipBytes, 0);
    console.log(
      `first screen: ${files.map((f) => `${f.path} ${f.status} ${kB(f.gzipBytes)}`).join(', ')}; total ${kB(total)} gzipped`,
    );
    expect(total).toBeLessThanOrEqual(FIRST_SCREEN_LIMIT_BYTES);
  });
});
