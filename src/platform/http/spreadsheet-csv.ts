import { stringify } from 'csv-stringify/sync';

// The CSV files the service hands to people (billing, supervisors, agents): semicolons (French
// spreadsheets), UTF-8 with a BOM so that accents read right, and no cell a spreadsheet would run.

/**
 * A text a spreadsheet would take for a formula ("=HYPERLINK(...)", "@SUM(...)", "+cmd|...", a tab
 * or carriage return first) is written after a quote, as OWASP advises against CSV injection: shown
 * as typed, never run. A number or a phone number written with its sign ("-12,5", "+33 6 12 34
 * 56 78") is left as it is.
 */
export function neutralised(text: string): string {
  if (/^[=@\t\r]/.test(text)) return `'${text}`;
  if (/^[+-]/.test(text) && !/^[+-][\d\s.,]*$/.test(text)) return `'${text}`;
  return text;
}

/** The file: a header with `columns`, then one line per row, every text cell neutralised. */
export function spreadsheetCsv(rows: readonly object[], columns: readonly string[]): string {
  const body = stringify(rows as Array<Record<string, unknown>>, {
    header: true,
    columns: [...columns],
    delimiter: ';',
    cast: { string: neutralised },
  });
  return `\uFEFF${body}`;
}
