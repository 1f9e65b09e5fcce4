import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateFlow } from '../../src/ivr/flow-validation.js';
import { loadTemplates, type Templates } from '../../src/messaging/templates.js';
import { PATHS } from '../../src/platform/paths.js';
import { checkProperty, fc } from './fuzz.js';

// A flow file is edited by hand: whatever it holds, the validator answers with the flow or with
// the problems to fix, never an exception (the service would not start, without saying why).

let templates: Templates;
beforeAll(async () => {
  templates = await loadTemplates(PATHS.messageTemplates);
});

const shipped = parseYaml(readFileSync(join(PATHS.ivrFlows, 'out-of-hours.yaml'), 'utf8')) as unknown;

/** Every path to a value in a JSON document. */
function pathsOf(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [path];
  return [path, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...path, key]))];
}

/** The document with the value at `path` replaced (or removed, for undefined). */
function replaced(document: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(document) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[path.at(-1)!];
  else node[path.at(-1)!] = value;
  return copy;
}

// The shipped out-of-hours flow with one value changed or removed anywhere, or any JSON at all.
const flowDocument = fc.oneof(
  fc
    .tuple(fc.constantFrom(...pathsOf(shipped)), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }))
    .map(([path, value]) => replaced(shipped, path, value)),
  fc.jsonValue({ maxDepth: 3 }),
);

describe('fuzzing the IVR flow validator', () => {
  it('answers any flow file with the flow or its problems, never an exception', async () => {
    expect(validateFlow('out-of-hours.yaml', shipped, templates).problems).toEqual([]);
    await checkProperty(
      'flow-validation',
      fc.property(flowDocument, (document) => {
        const { flow, problems } = validateFlow('fuzzed.yaml', document, templates);
        expect(flow === null).toBe(problems.length > 0);
        for (const problem of problems) expect(problem.message).toEqual(expect.any(String));
      }),
    );
  });
});
