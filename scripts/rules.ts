// `npm run rules`: which business rules of docs/rules.md are checked by a test (a test whose title
// carries the rule's id, e.g. it('[ON-7] ...')), and which an open issue will build.
// `npm run rules -- --write` rewrites the test lists of docs/rules.md from the test files.
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { filesUnder } from '../test/support/files.js';

const ROOT = new URL('..', import.meta.url).pathname;
export const RULES_PAGE = join(ROOT, 'docs', 'rules.md');
const TESTS = join(ROOT, 'test');

const RULE_LINE = /^- \*\*\[([A-Z]{2}-\d+)\]\*\* (.+)$/;
const TEST_LINE = /^ {2}- `/;
const PLANNED = /Planned: (#\d+)/;
const RULE_ID = /\[([A-Z]{2}-\d+)\]/g;
// it('...'), test("..."), describe(`...`), it.each(...)('...'): the title is the first string.
const TITLED_CALL = /\b(?:it|test|describe)(?:\.each\([^)]*\))?\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;

export interface Rule {
  id: string;
  text: string;
  /** The open issue that will build it, when the page says so. */
  planned: string | null;
}

export interface TitledTest {
  file: string;
  title: string;
  ids: string[];
}

export function parseRules(page: string): Rule[] {
  return page.split('\n').flatMap((line) => {
    const match = RULE_LINE.exec(line);
    return match ? [{ id: match[1]!, text: match[2]!, planned: PLANNED.exec(match[2]!)?.[1] ?? null }] : [];
  });
}

/** Titles of tests and groups that carry rule ids, in file order. */
export function titledTests(file: string, source: string): TitledTest[] {
  return [...source.matchAll(TITLED_CALL)].flatMap((m) => {
    const title = m[2]!;
    const ids = [...title.matchAll(RULE_ID)].map((id) => id[1]!);
    return ids.length > 0 ? [{ file, title, ids }] : [];
  });
}

export async function readTests(): Promise<TitledTest[]> {
  const found: TitledTest[] = [];
  for (const file of await filesUnder(TESTS, '.test.ts'))
    found.push(...titledTests(relative(ROOT, file), await readFile(file, 'utf8')));
  return found;
}

/** The page with each rule followed by the tests that carry its id (the rest kept as written). */
export function renderPage(page: string, tests: readonly TitledTest[]): string {
  const out: string[] = [];
  for (const line of page.split('\n')) {
    if (TEST_LINE.test(line)) continue;
    out.push(line);
    const rule = RULE_LINE.exec(line);
    if (!rule) continue;
    for (const test of tests.filter((t) => t.ids.includes(rule[1]!)))
      out.push(`  - \`${test.file}\`: ${test.title.replace(/\\(.)/g, '$1')}`);
  }
  return out.join('\n');
}

export interface Coverage {
  rules: Rule[];
  covered: Rule[];
  planned: Rule[];
  /** Neither a test nor an issue. */
  missing: Rule[];
  /** Ids in test titles that the page does not have. */
  unknown: TitledTest[];
}

export function coverage(rules: readonly Rule[], tests: readonly TitledTest[]): Coverage {
  const tested = new Set(tests.flatMap((t) => t.ids));
  const known = new Set(rules.map((r) => r.id));
  return {
    rules: [...rules],
    covered: rules.filter((r) => tested.has(r.id)),
    planned: rules.filter((r) => !tested.has(r.id) && r.planned),
    missing: rules.filter((r) => !tested.has(r.id) && !r.planned),
    unknown: tests.filter((t) => t.ids.some((id) => !known.has(id))),
  };
}

async function main(): Promise<void> {
  const page = await readFile(RULES_PAGE, 'utf8');
  const tests = await readTests();
  if (process.argv.includes('--write')) {
    await writeFile(RULES_PAGE, renderPage(page, tests));
    console.log(`${relative(ROOT, RULES_PAGE)} written`);
  }
  const c = coverage(parseRules(page), tests);
  console.log(`rules covered by a test: ${c.covered.length} / ${c.rules.length}`);
  for (const r of c.planned) console.log(`  ${r.id}: no test yet, planned in ${r.planned}`);
  for (const r of c.missing) console.log(`  ${r.id}: NO TEST and no issue`);
  for (const t of c.unknown) console.log(`  unknown id in ${t.file}: ${t.title}`);
  if (c.missing.length > 0 || c.unknown.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
