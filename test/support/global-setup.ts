// Runs once before the suite: the generated Prisma client must exist (npm install generates it).
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (!existsSync(new URL('../../src/generated/prisma/client.ts', import.meta.url))) {
    throw new Error('Prisma client not generated: run `npm run prisma:generate` (npm install does it).');
  }
}
