// Runs once before the suite: the generated Prisma client must exist (npm install generates it),
// and the console's bundle is built here, once, when missing or stale: the services the tests
// start would otherwise each build it at the same time (src/console-site/site.ts).
import { existsSync } from 'node:fs';
import { buildConsole } from '../../src/console-site/bundle.js';
import { bundleState } from '../../src/console-site/site.js';

export default async function setup(): Promise<void> {
  if (!existsSync(new URL('../../src/generated/prisma/client.ts', import.meta.url))) {
    throw new Error('Prisma client not generated: run `npm run prisma:generate` (npm install does it).');
  }
  if (bundleState() !== 'built') await buildConsole();
}
