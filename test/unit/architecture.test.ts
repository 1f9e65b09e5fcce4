import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder } from '../support/files.js';

// The ground floor knows nothing of the house: src/platform/ (settings reader, db, redis, queues,
// auth, clock...) imports no capability and not the composition root (src/*.ts, which lists the
// capabilities). Arrows run from the capabilities down to the platform, never back up.
// The api's response schemas (*.schemas.ts) are read by the console's type-check: they import only
// TypeBox and one another, and the console imports them (and anything of src/) as types only, so
// that no server code reaches the browser's bundle.

const SRC = resolve(new URL('../../src/', import.meta.url).pathname);
const PLATFORM = join(SRC, 'platform');
const CONSOLE = resolve(new URL('../../agent-console/', import.meta.url).pathname);
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s+'([^']+)'/g;

/** What a console file imports from the server's sources other than as types. */
function serverValueImports(text: string): string[] {
  return [...text.matchAll(IMPORT)]
    .filter(([whole, specifier]) => specifier!.includes('/src/') && !/^\s*(import|export) type\b/.test(whole))
    .map(([, specifier]) => specifier!);
}

/** Where an import of `file` lands, as "platform", "generated", "root" or the capability's folder. */
function floorOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null; // a package
  const target = relative(SRC, resolve(dirname(file), specifier));
  if (target.startsWith('..')) return null;
  const [first, ...rest] = target.split('/');
  return rest.length === 0 ? 'root' : first!;
}

describe('architecture', () => {
  it('src/platform/ imports nothing from a capability, nor from the composition root', async () => {
    const upward: string[] = [];
    const files = await filesUnder(PLATFORM, '.ts');
    expect(files.length).toBeGreaterThan(15); // not vacuous: every file of the platform is read
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const [, specifier] of text.matchAll(IMPORT)) {
        const floor = floorOf(file, specifier!);
        if (floor && floor !== 'platform' && floor !== 'generated')
          upward.push(`${relative(SRC, file)} imports ${specifier}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('the check sees an arrow up', () => {
    const file = join(PLATFORM, 'auth', 'x.ts');
    expect(floorOf(file, '../../oncall/routing.rules.js')).toBe('oncall');
    expect(floorOf(file, '../../services.js')).toBe('root');
    expect(floorOf(file, '../db/client.js')).toBe('platform');
    expect(floorOf(file, 'fastify')).toBeNull();
    const imports = [
      ...`import type { A } from '../x.js';\nimport {\n  b,\n} from './y.js';`.matchAll(IMPORT),
    ];
    expect(imports.map((m) => m[1])).toEqual(['../x.js', './y.js']);
    const console = `import type { A } from '../src/a.schemas.js';\nimport { b } from '../../src/b.js';\nimport { c } from './c.js';`;
    expect(serverValueImports(console)).toEqual(['../../src/b.js']);
  });

  it('response schemas import only TypeBox and other schemas', async () => {
    const files = await filesUnder(SRC, '.schemas.ts');
    expect(files.length).toBeGreaterThan(4);
    const stray: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const [, specifier] of text.matchAll(IMPORT))
        if (specifier !== '@sinclair/typebox' && !specifier!.endsWith('.schemas.js'))
          stray.push(`${relative(SRC, file)} imports ${specifier}`);
    }
    expect(stray).toEqual([]);
  });

  it('the console imports the server as types only, and type-checks every file', async () => {
    const files = await filesUnder(CONSOLE, '.ts');
    expect(files.length).toBeGreaterThan(15);
    const found: string[] = [];
    for (const file of files) {
      if (relative(CONSOLE, file).startsWith('dist')) continue;
      const text = await readFile(file, 'utf8');
      for (const specifier of serverValueImports(text))
        found.push(`${relative(CONSOLE, file)} imports ${specifier} as a value`);
      if (text.includes('@ts-nocheck') || text.includes('@ts-ignore'))
        found.push(`${relative(CONSOLE, file)} turns the type-check off`);
    }
    expect(found).toEqual([]);
  });
});
