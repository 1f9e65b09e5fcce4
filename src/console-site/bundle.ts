// The agent console's bundle (`npm run console:build`, or the api itself in development when the
// bundle is missing or older than the sources: see site.ts). esbuild type-strips, bundles and
// minifies each page's module graph (app.ts, simulator.ts) and the style sheet into
// agent-console/dist/ under content-hashed names, and writes the pages again to load them.
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { PATHS } from '../platform/paths.js';

const CONSOLE_SOURCES = PATHS.agentConsole;
const CONSOLE_DIST = PATHS.consoleDist;
const BUILD_CACHE = join(PATHS.agentConsole, '..', 'node_modules', '.cache', 'console-build');
/** The first screen's budget over the wire, gzipped (1 kB = 1,000 bytes). */
export const FIRST_SCREEN_LIMIT_BYTES = 250_000;

// The pages, the module each loads (its TypeScript entry, and the name the page's markup gives it).
// The Socket.IO client is not bundled: the server serves the one of its own version (see
// agent-console/live.ts); the pages load its minified build.
const PAGES = [
  { html: 'index.html', entry: 'app.ts', script: 'app.js' },
  { html: 'simulator.html', entry: 'simulator.ts', script: 'simulator.js' },
] as const;
const STYLES = 'styles.css';
const SOCKET_IO_SCRIPT = '/socket.io/socket.io.js';
const SOCKET_IO_MIN_SCRIPT = '/socket.io/socket.io.min.js';
// Browsers of agents' workstations; every one of them has ES modules.
const TARGET = ['es2022', 'chrome109', 'edge109', 'firefox115', 'safari16'];
// Neither shipped nor copied: sources, notes for developers, the type-check's settings.
const NOT_ASSETS = new Set(['.ts', '.js', '.css', '.html', '.md', '.json']);

export interface FirstScreenFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface ConsoleBuild {
  /** The sign-in page and what it loads: HTML, style sheet, console bundle, Socket.IO client. */
  firstScreen: FirstScreenFile[];
  firstScreenGzipBytes: number;
  /** Output file (relative to dist/) of each source entry, e.g. app.ts → app-XXXXXXXX.js. */
  outputs: Record<string, string>;
}

export async function buildConsole(): Promise<ConsoleBuild> {
  // Built aside, then swapped in: a service serving dist/ meanwhile (another test run in this
  // checkout) never finds it half written.
  const staging = join(BUILD_CACHE, `next-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const result = await build({
    absWorkingDir: CONSOLE_SOURCES,
    entryPoints: [...PAGES.map((p) => p.entry), STYLES],
    outdir: staging,
    entryNames: '[name]-[hash]',
    bundle: true,
    // What only some consoles load (the Twilio softphone) is a chunk of its own, fetched on use.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    minify: true,
    format: 'esm',
    target: TARGET,
    // Linked maps: only downloaded when someone opens the developer tools.
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = entryOutputs(result.metafile, staging);

  for (const page of PAGES) {
    const source = await readFile(join(CONSOLE_SOURCES, page.html), 'utf8');
    const html = [
      [`href="${STYLES}"`, `href="${outputs[STYLES]}"`],
      [`src="${page.script}"`, `src="${outputs[page.entry]}"`],
      [`src="${SOCKET_IO_SCRIPT}"`, `src="${SOCKET_IO_MIN_SCRIPT}"`],
    ].reduce((text, [from, to]) => replaceOnce(text, from!, to!, page.html), source);
    await writeFile(join(staging, page.html), html);
  }
  await copyAssets(staging);

  const firstScreen = await Promise.all([
    measure('index.html', join(staging, 'index.html')),
    measure(outputs[STYLES]!, join(staging, outputs[STYLES]!)),
    measure(outputs['app.ts']!, join(staging, outputs['app.ts']!)),
    // The chunks the console imports at once (shared with the simulator page); the ones it
    // imports on use (the Twilio softphone) are not on the first screen.
    ...staticChunks(result.metafile, outputs['app.ts']!, staging).map((chunk) =>
      measure(chunk, join(staging, chunk)),
    ),
    measure(SOCKET_IO_MIN_SCRIPT, socketIoClientFile('socket.io.min.js')),
  ]);
  await swapIn(staging);
  return {
    firstScreen,
    firstScreenGzipBytes: firstScreen.reduce((sum, f) => sum + f.gzipBytes, 0),
    outputs,
  };
}

/** Maps each entry point (app.js, styles.css…) to the name of its output in dist/. */
function entryOutputs(metafile: Metafile, outdir: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [output, meta] of Object.entries(metafile.outputs)) {
    if (!meta.entryPoint) continue;
    outputs[basename(meta.entryPoint)] = relative(outdir, join(CONSOLE_SOURCES, output));
  }
  return outputs;
}

/** The chunks an output imports statically, and theirs (dist/-relative names). */
function staticChunks(metafile: Metafile, output: string, outdir: string): string[] {
  const byName = new Map(
    Object.entries(metafile.outputs).map(([path, meta]) => [
      relative(outdir, join(CONSOLE_SOURCES, path)),
      meta,
    ]),
  );
  const found = new Set<string>();
  const visit = (name: string) => {
    for (const imported of byName.get(name)?.imports ?? []) {
      if (imported.kind !== 'import-statement') continue;
      const chunk = relative(outdir, join(CONSOLE_SOURCES, imported.path));
      if (!found.has(chunk)) {
        found.add(chunk);
        visit(chunk);
      }
    }
  };
  visit(output);
  return [...found];
}

/** Replaces dist/ with the new build in two renames (same file system: node_modules/.cache). */
async function swapIn(staging: string): Promise<void> {
  const previous = join(BUILD_CACHE, `previous-${process.pid}`);
  await rm(previous, { recursive: true, force: true });
  await rename(CONSOLE_DIST, previous).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rename(staging, CONSOLE_DIST).catch(async (err: NodeJS.ErrnoException) => {
    // Another process (a second api starting at the same time) put its build there first: the
    // same sources, so ours is dropped.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    await rm(staging, { recursive: true, force: true });
  });
  await rm(previous, { recursive: true, force: true });
}

/** A page whose markup changed so that a reference is no longer where the build expects it must fail the build, not ship a page that loads the sources. */
function replaceOnce(text: string, from: string, to: string, file: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1)
    throw new Error(`console build: expected ${from} once in agent-console/${file}, found it ${count} times`);
  return text.replace(from, to);
}

/** Images, icons or fonts next to the pages are served from dist/ as well. */
async function copyAssets(outdir: string): Promise<void> {
  const entries = await readdir(CONSOLE_SOURCES, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const inside = relative(CONSOLE_SOURCES, path);
    if (inside.split(sep)[0] === 'dist' || NOT_ASSETS.has(extname(entry.name))) continue;
    await mkdir(dirname(join(outdir, inside)), { recursive: true });
    await copyFile(path, join(outdir, inside));
  }
}

/** The client files socket.io serves at /socket.io/ (its own dependency, whatever npm hoisted). */
function socketIoClientFile(name: string): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('socket.io/package.json')), 'client-dist', name);
}

async function measure(file: string, path: string): Promise<FirstScreenFile> {
  const bytes = await readFile(path);
  // Level 6: zlib's default, and what nginx or a CDN typically sends.
  return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 6 }).length };
}

export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
