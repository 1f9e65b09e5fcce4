import { buildConsole, FIRST_SCREEN_LIMIT_BYTES, kB } from '../../../src/console-site/bundle.js';
import { chromiumMissing } from './chromium.js';

// Once before the browser tests: Chromium must be there (a failure that says how to install it,
// never a silent skip), and the console is built so that the tests check the production bundle
// the api then serves at /console/.
export default async function setup(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const built = await buildConsole();
  console.log(
    `console bundle built: first screen ${kB(built.firstScreenGzipBytes)} gzipped (target ${kB(FIRST_SCREEN_LIMIT_BYTES)})`,
  );
}
