import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder } from '../support/files.js';

// Business time comes from the injected Clock (src/platform/clock.ts), so that a rule can be
// tested at any hour and the suite passes on any date. Durations and throttles use
// performance.now(), which is not a date.

const SRC = new URL('../../src/', import.meta.url).pathname;
const CLOCK_ADAPTER = 'platform/clock.ts';
const GENERATED = 'generated/';
// Date.now(), new Date() with no argument, Date() called as a function, luxon's DateTime.now() and
// DateTime.local(); and PostgreSQL's own time in a query (now(), CURRENT_TIMESTAMP, ...), which the
// service's clock does not move.
const WALL_CLOCK =
  /\bDate\.now\s*\(|\bnew Date\s*\(\s*\)|(?<![.\w])Date\s*\(\s*\)|\bDateTime\.(now|local)\s*\(\s*\)/;
const DATABASE_CLOCK =
  /(?<![.\w])(now|clock_timestamp|statement_timestamp|transaction_timestamp)\s*\(\s*\)|\bCURRENT_(TIMESTAMP|DATE|TIME)\b|\bLOCALTIMESTAMP\b/i;
// The migration runner records when a migration was applied, in Prisma's own table: not business time.
const DATABASE_CLOCK_ALLOWED = ['platform/db/migrations.ts'];

// The SQL a file sends: the text of its tagged templates ($queryRaw`...`, Prisma.sql`...`) and of
// the strings given to query() / $executeRawUnsafe().
const SQL_TEXT =
  /(?:\$(?:query|execute)Raw(?:Unsafe)?|Prisma\.sql|\bquery)\s*(?:<[^`(]*>)?\s*\(?\s*`([^`]*)`/g;

async function offendingLines(
  pattern: RegExp,
  allowed: string[],
  partsOf: (text: string) => string[],
): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesUnder(SRC, '.ts')) {
    const name = relative(SRC, file);
    if (name === CLOCK_ADAPTER || name.startsWith(GENERATED) || allowed.includes(name)) continue;
    for (const part of partsOf(await readFile(file, 'utf8')))
      for (const line of part.split('\n')) {
        const code = line.replace(/\/\/.*$/, '');
        if (pattern.test(code)) found.push(`src/${name}: ${line.trim()}`);
      }
  }
  return found;
}

const wholeFile = (text: string) => [text];
const sqlOf = (text: string) => [...text.matchAll(SQL_TEXT)].map((m) => m[1]!);

describe('one clock for the whole service', () => {
  it('src/ reads the wall clock only in the clock adapter', async () => {
    // Not vacuous: the scan reads the whole source tree.
    expect((await filesUnder(SRC, '.ts')).length).toBeGreaterThan(100);
    expect(await offendingLines(WALL_CLOCK, [], wholeFile)).toEqual([]);
  });

  it("src/ asks PostgreSQL for no time of its own: the service's time is passed to its queries", async () => {
    expect(await offendingLines(DATABASE_CLOCK, DATABASE_CLOCK_ALLOWED, sqlOf)).toEqual([]);
  });

  it('the check finds what it is meant to find', () => {
    for (const line of ['const t = Date.now();', 'at: new Date(),', 'String(Date())', 'DateTime.now()'])
      expect(WALL_CLOCK.test(line), line).toBe(true);
    for (const line of ['new Date(iso)', 'clock.now()', 'performance.now()', 'DateTime.now', 'x.toDate()'])
      expect(WALL_CLOCK.test(line), line).toBe(false);
    for (const line of ['updated_at = now()', 'WHERE due_at < CURRENT_TIMESTAMP'])
      expect(DATABASE_CLOCK.test(line), line).toBe(true);
    for (const line of ['updated_at = $1', 'deps.clock.now()', 'performance.now()'])
      expect(DATABASE_CLOCK.test(line), line).toBe(false);
    const source = 'await db.$executeRaw`UPDATE t SET at = now()`; const at = clock.now();';
    expect(sqlOf(source)).toEqual(['UPDATE t SET at = now()']);
  });
});
