import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { coverage, parseRules, RULES_PAGE, readTests, renderPage, titledTests } from '../../scripts/rules.js';

// docs/rules.md lists every business rule by id; a test that checks a rule carries its id in its
// title. Every rule has a test, or the open issue that will build it.

describe('rule traceability (docs/rules.md)', () => {
  it('gives every rule a test, or the issue that will build it', async () => {
    const c = coverage(parseRules(await readFile(RULES_PAGE, 'utf8')), await readTests());
    expect(c.rules.length).toBeGreaterThanOrEqual(47);
    expect(c.missing.map((r) => r.id)).toEqual([]);
  });

  it('knows every rule id a test names', async () => {
    const c = coverage(parseRules(await readFile(RULES_PAGE, 'utf8')), await readTests());
    expect(c.unknown.map((t) => `${t.file}: ${t.title}`)).toEqual([]);
  });

  it('lists under each rule the tests the test files have (npm run rules -- --write)', async () => {
    const page = await readFile(RULES_PAGE, 'utf8');
    expect(renderPage(page, await readTests())).toBe(page);
  });

  it('reads rule lines, planned issues and the ids of test titles', () => {
    const page = [
      '- **[ON-7]** A rule.',
      '  - `old.test.ts`: gone',
      '- **[CS-5]** Another. Planned: #22.',
    ].join('\n');
    expect(parseRules(page)).toEqual([
      { id: 'ON-7', text: 'A rule.', planned: null },
      { id: 'CS-5', text: 'Another. Planned: #22.', planned: '#22' },
    ]);
    const tests = titledTests(
      'x.test.ts',
      'it(\'[ON-7] [CS-5] a night\', () => {});\nit("no id", () => {});\ndescribe(`[XX-1] typo`, () => {});',
    );
    expect(tests.map((t) => t.ids)).toEqual([['ON-7', 'CS-5'], ['XX-1']]);
    const c = coverage(parseRules(page), tests);
    expect(c.covered.map((r) => r.id)).toEqual(['ON-7', 'CS-5']);
    expect(c.planned).toEqual([]);
    expect(c.unknown.map((t) => t.title)).toEqual(['[XX-1] typo']);
    expect(renderPage(page, tests)).toBe(
      [
        '- **[ON-7]** A rule.',
        '  - `x.test.ts`: [ON-7] [CS-5] a night',
        '- **[CS-5]** Another. Planned: #22.',
        '  - `x.test.ts`: [ON-7] [CS-5] a night',
      ].join('\n'),
    );
    expect(coverage(parseRules(page), []).planned.map((r) => r.id)).toEqual(['CS-5']);
  });
});
