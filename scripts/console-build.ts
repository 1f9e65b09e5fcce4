// `npm run console:build`: the agent console's production bundle in agent-console/dist/ (see
// src/console-site/bundle.ts). Prints what the first screen (the sign-in page) costs over the
// wire, gzipped, against the 250 kB target, and fails above it.
import { relative } from 'node:path';
import { buildConsole, FIRST_SCREEN_LIMIT_BYTES, kB } from '../src/console-site/bundle.js';
import { PATHS } from '../src/platform/paths.js';

const built = await buildConsole();
console.log(`Console built in ${relative(process.cwd(), PATHS.consoleDist) || PATHS.consoleDist}/`);
console.table(
  built.firstScreen.map((f) => ({ 'first screen': f.file, size: kB(f.bytes), gzipped: kB(f.gzipBytes) })),
);
const verdict = built.firstScreenGzipBytes <= FIRST_SCREEN_LIMIT_BYTES ? 'within' : 'OVER';
console.log(
  `First screen: ${kB(built.firstScreenGzipBytes)} gzipped, ${verdict} the ${kB(FIRST_SCREEN_LIMIT_BYTES)} target.`,
);
if (verdict === 'OVER') process.exit(1);
