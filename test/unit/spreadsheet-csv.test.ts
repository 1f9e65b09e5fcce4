import { describe, expect, it } from 'vitest';
import { neutralised, spreadsheetCsv } from '../../src/platform/http/spreadsheet-csv.js';

describe('CSV files for spreadsheets', () => {
  it('writes what a spreadsheet would run as a formula after a quote, as text', () => {
    for (const formula of [
      '=1+1',
      '=HYPERLINK("http://evil.example")',
      '@SUM(A1)',
      '+cmd|/C calc!A0',
      '-2+3',
      '\t=1',
      '\r=1',
    ])
      expect(neutralised(formula)).toBe(`'${formula}`);
  });

  it('leaves names, signed numbers and phone numbers as they are', () => {
    for (const text of ['Dupont', 'Émile-Jean', '', '-12,5', '+33 6 12 34 56 78', '2026-11-24', 'a=b'])
      expect(neutralised(text)).toBe(text);
  });

  it('writes semicolons, a BOM and a header, every text cell neutralised', () => {
    expect(spreadsheetCsv([{ name: '=1+1', city: 'Lyon; 2e', count: -3 }], ['name', 'city', 'count'])).toBe(
      '\uFEFFname;city;count\n\'=1+1;"Lyon; 2e";-3\n',
    );
  });
});
