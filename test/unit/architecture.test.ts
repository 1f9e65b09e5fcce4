import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder } from '../support/files.js';

// The ground floor knows nothing of the house: src/platform/ (settings reader, db, redis, queues,
// auth, clock...) imports no capability and not the composition root (src/*.ts, which lists the
// capabilities). Arrows run from the capabilities down to the platform, never back up.

const SRC = resolve(new URL('../../src/', import.meta.url).pathname);
const PLATFORM = join(SRC, 'platform');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s+'([^']+)'/g;

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
  });
});
