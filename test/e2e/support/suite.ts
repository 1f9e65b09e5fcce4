import { afterAll, beforeAll, beforeEach } from 'vitest';
import { openBrowsers, screenshot } from './chromium.js';
import { type Service, type ServiceOptions, startService } from './service.js';

// One running service per test file, stopped in afterAll even when a test failed. When a test
// fails: a screenshot of every open page, what the pages threw, and the service's output.

const OUTPUT_LINES_ON_FAILURE = 150;

export function useService(options: ServiceOptions = {}): () => Service {
  let service: Service | undefined;

  beforeAll(async () => {
    service = await startService(options);
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      const browsers = openBrowsers();
      for (const [i, browser] of browsers.entries())
        for (const [j, page] of browser.context.pages().entries())
          await screenshot(page, `failed-${task.name}-${i + 1}-${j + 1}`).catch(() => undefined);
      const errors = browsers.flatMap((b) => b.errors);
      if (errors.length) console.error(`Browser errors during "${task.name}":\n${errors.join('\n')}`);
      const lines = service?.output().trimEnd().split('\n').slice(-OUTPUT_LINES_ON_FAILURE) ?? [];
      console.error(`Service output (last ${lines.length} lines) for "${task.name}":\n${lines.join('\n')}`);
    });
  });

  afterAll(async () => {
    await Promise.allSettled(openBrowsers().map((b) => b.close()));
    await service?.stop();
  });

  return () => {
    if (!service) throw new Error('the service is not running (did its start-up fail? see beforeAll)');
    return service;
  };
}
