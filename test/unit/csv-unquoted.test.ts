import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { decodeCsvText, detectDelimiter, splitUnquoted } from '../../src/imports/csv-reader.js';

// readCsv splits files without double quotes itself (a daily readings file has a million lines):
// it must give exactly what csv-parse gives with readCsv's options.

const parsed = (text: string, delimiter: ';' | ',') =>
  parse(text, { delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }).map(
    (r) => {
      const { record, info } = r as unknown as { record: string[]; info: { lines: number } };
      return { record, info: { lines: info.lines } };
    },
  );

const samplesDir = new URL('../../samples/', import.meta.url);
const samples = readdirSync(samplesDir)
  .filter((name) => name.endsWith('.csv'))
  .map((name) => [name, decodeCsvText(readFileSync(new URL(name, samplesDir)))] as const)
  .filter(([, text]) => !text.includes('"'));

const tricky = [
  'a;b;c\n1;2;3',
  'a;b;c\n1;2;3\n',
  'a;b;c\n\n1;2;3\n\n\n4;5;6\n',
  'a;b;c\n 1 ; \t2\t;3  \n',
  'a;b;c\n;;\n1;2\n1;2;3;4;\n',
  'a,b\nx , y\n\n,\n',
  'a;b\n   \n1;2\n',
  'a;b\n1;2\f\n',
];

describe('files without quotes', () => {
  it.each(samples)('%s: the same records and line numbers as csv-parse', (_name, text) => {
    const delimiter = detectDelimiter(text);
    expect(splitUnquoted(text, delimiter)).toEqual(parsed(text, delimiter));
  });

  it.each(tricky.map((t) => [JSON.stringify(t), t]))(
    '%s: the same records and line numbers as csv-parse',
    (_label, text) => {
      const delimiter = detectDelimiter(text);
      expect(splitUnquoted(text, delimiter)).toEqual(parsed(text, delimiter));
    },
  );

  it('leaves a file with quotes to csv-parse', () => {
    expect(splitUnquoted('a;b\n"x;y";z\n', ';')).toBeNull();
  });
});
