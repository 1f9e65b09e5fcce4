import { describe, expect, it } from 'vitest';
import {
  type ColumnSpec,
  cell,
  detectDelimiter,
  NotCsvError,
  normaliseHeader,
  readCsv,
} from '../../src/imports/csv-reader.js';
import { Issues } from '../../src/imports/import-report.js';

const COLUMNS: readonly ColumnSpec[] = [
  { name: 'agency', required: true, aliases: ['agence'] },
  { name: 'address', required: true, aliases: ['adresse'] },
  { name: 'phone' },
];

function read(text: string | Buffer, columns = COLUMNS) {
  const issues = new Issues();
  const file = readCsv(text, columns, issues);
  return { file, issues, rows: file?.rows.map((r) => ({ line: r.line, ...Object.fromEntries(r.cells) })) };
}

describe('CSV reading', () => {
  it('detects ";" (French spreadsheets) and "," from the header line', () => {
    expect(detectDelimiter('agency;address;phone\nA,B;x;y')).toBe(';');
    expect(detectDelimiter('agency,address,phone\nA;B,x,y')).toBe(',');
    // A delimiter inside quotes on the header does not count.
    expect(detectDelimiter('"a;b;c",address,phone\n')).toBe(',');
    const { rows } = read('agency,address\nAG-1,1 rue A\n');
    expect(rows).toEqual([{ line: 2, agency: 'AG-1', address: '1 rue A' }]);
  });

  it('drops a UTF-8 byte order mark so the first column is still recognised', () => {
    const { rows, issues } = read(Buffer.from('\uFEFFagency;address\nAG-1;1 rue A\n', 'utf8'));
    expect(issues.errors).toEqual([]);
    expect(rows).toEqual([{ line: 2, agency: 'AG-1', address: '1 rue A' }]);
  });

  it('reads quoted fields holding the delimiter, doubled quotes and line breaks, and numbers lines as the file does', () => {
    const text = [
      'agency;address;phone',
      'AG-1;"4 rue du Lac; bâtiment B";06 00 00 00 01',
      'AG-2;"Résidence ""Les Tilleuls""',
      'escalier C";',
      '',
      'AG-3;9 rue Pasteur;',
    ].join('\r\n');
    const { rows, issues } = read(text);
    expect(issues.errors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, agency: 'AG-1', address: '4 rue du Lac; bâtiment B', phone: '06 00 00 00 01' },
      { line: 3, agency: 'AG-2', address: 'Résidence "Les Tilleuls"\nescalier C', phone: '' },
      { line: 6, agency: 'AG-3', address: '9 rue Pasteur', phone: '' },
    ]);
  });

  it('skips blank lines and rows of empty cells left by spreadsheets', () => {
    const { rows } = read('agency;address\n\n;\n ; \nAG-1;x\n;;\n');
    expect(rows).toEqual([{ line: 5, agency: 'AG-1', address: 'x' }]);
  });

  it('matches French column titles with accents, spaces and any case', () => {
    expect(normaliseHeader(' Référence  Client ')).toBe('reference_client');
    const { rows, issues } = read('Agence;Adresse;Téléphone\nAG-1;x;y\n');
    expect(rows).toEqual([{ line: 2, agency: 'AG-1', address: 'x' }]);
    expect(issues.warnings).toEqual([{ line: 1, field: 'Téléphone', message: 'unknown column, ignored' }]);
  });

  it('tells a missing column apart from an empty cell', () => {
    const { file } = read('agency;address\nAG-1;\n');
    const row = file!.rows[0]!;
    expect(cell(row, 'agency')).toBe('AG-1');
    expect(cell(row, 'address')).toBeNull();
    expect(cell(row, 'phone')).toBeUndefined();
  });

  it('refuses a file missing a required column, naming it, and hints at the delimiter when there is one column', () => {
    const missing = read('agency;phone\nAG-1;x\n');
    expect(missing.file).toBeNull();
    expect(missing.issues.errors).toEqual([
      { line: 1, field: 'address', message: 'missing column "address"' },
    ]);
    const tabs = read('agency\taddress\nAG-1\tx\n');
    expect(tabs.issues.errors.map((e) => e.message)).toContain(
      'missing column "agency" (columns must be separated by ";" or ",")',
    );
  });

  it('refuses a column given twice', () => {
    const { file, issues } = read('agency;address;agence\nA;B;C\n');
    expect(file).toBeNull();
    expect(issues.errors[0]).toMatchObject({ line: 1, field: 'agency' });
  });

  it('reports a line with more fields than the header on that line, keeping the others', () => {
    const { rows, issues } = read('agency;address\nAG-1;4 rue du Lac; bâtiment B\nAG-2;x;\n');
    expect(issues.errors).toEqual([
      {
        line: 2,
        field: null,
        message: '3 fields where the header has 2: a value containing ";" must be in double quotes',
      },
    ]);
    expect(rows).toHaveLength(2);
    expect(issues.hasError(3)).toBe(false);
  });

  it('reports broken quoting at its line', () => {
    const { file, issues } = read('agency;address\nAG-1;x\nAG-2;"unclosed\n');
    expect(file).toBeNull();
    expect(issues.errors[0]!.line).toBe(3);
    expect(issues.errors[0]!.message).toMatch(/cannot be read as CSV/);
  });

  it('says plainly when the body is not a CSV text at all', () => {
    expect(() => read('')).toThrow(new NotCsvError('the file is empty'));
    expect(() => read(' \n\n')).toThrow(NotCsvError);
    expect(() => read(Buffer.from('agency;address\nAG-1;caf\xe9\n', 'latin1'))).toThrow(
      'the file is not valid UTF-8: export it as "CSV UTF-8"',
    );
    expect(() => read(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toThrow(/binary/);
  });
});
