import { describe, expect, it } from 'vitest';
import { type ColumnSpec, NotCsvError, readCsv } from '../../src/imports/csv-reader.js';
import { Issues } from '../../src/imports/import-report.js';
import { checkProperty, fc } from './fuzz.js';

// Imports are files utilities export from other systems: any bytes are read as rows or refused
// with errors on their lines, and a file a spreadsheet writes (quotes, delimiters and line breaks
// inside values, formula-looking cells) comes back cell for cell on the lines it starts on.

const COLUMNS: readonly ColumnSpec[] = [
  { name: 'reference', required: true, aliases: ['référence'] },
  { name: 'address', required: true, aliases: ['adresse'] },
  { name: 'note' },
];

const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 400 });
const text = fc.string({ unit: 'binary', maxLength: 400 });
// A header the importer knows, then anything.
const headed = text.map((rest) => `reference;adresse;note\n${rest}`);

const cellText = fc.stringOf(
  fc.constantFrom('a', 'é', 'Z', '7', ' ', ';', ',', '"', '\n', "'", '=', '+', '-', '@'),
  {
    maxLength: 25,
  },
);
/** As a spreadsheet writes it with ";": quoted when it holds a delimiter, a quote or a line break. */
const quoted = (cell: string) => (/[;",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

describe('fuzzing the CSV imports', () => {
  it('reads any file as rows or refuses it with errors on its lines, never anything else', async () => {
    await checkProperty(
      'csv-any-input',
      fc.property(fc.oneof(bytes, text, headed), (input) => {
        const issues = new Issues();
        let file: ReturnType<typeof readCsv>;
        try {
          file = readCsv(typeof input === 'string' ? input : Buffer.from(input), COLUMNS, issues);
        } catch (err) {
          // Empty, binary or not UTF-8: the import answers 400 with that message.
          expect(err).toBeInstanceOf(NotCsvError);
          return;
        }
        if (file === null) expect(issues.errorCount).toBeGreaterThan(0);
        else for (const row of file.rows) expect(row.line).toBeGreaterThanOrEqual(2);
        for (const issue of [...issues.errors, ...issues.warnings])
          expect(issue.line).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('reads back every cell a spreadsheet wrote, on the line its row starts', async () => {
    await checkProperty(
      'csv-round-trip',
      fc.property(fc.array(fc.tuple(cellText, cellText, cellText), { maxLength: 8 }), (table) => {
        const lines = ['reference;adresse;note', ...table.map((row) => row.map(quoted).join(';'))];
        const issues = new Issues();
        const file = readCsv(`${lines.join('\n')}\n`, COLUMNS, issues);
        expect(issues.errors).toEqual([]);
        let line = 2;
        const expected: Array<{ line: number; cells: string[] }> = [];
        for (const [i, row] of table.entries()) {
          if (row.some((cell) => cell.trim() !== ''))
            expected.push({ line, cells: row.map((c) => c.trim()) });
          line += lines[i + 1]!.split('\n').length;
        }
        expect(
          file!.rows.map((r) => ({
            line: r.line,
            cells: ['reference', 'address', 'note'].map((n) => r.cells.get(n)),
          })),
        ).toEqual(expected);
      }),
    );
  });
});
