import { CsvError, parse } from 'csv-parse/sync';
import type { Issues } from './import-report.js';

// Reads the CSV files utilities exchange: UTF-8 (a BOM is dropped), the first line names the
// columns, `;` (French Excel) or `,` as delimiter, detected on that line. Column names are
// matched loosely (case, accents, spaces: "Référence client" = reference_client) against each
// kind's documented names and their French aliases. Every row keeps the line number it starts
// on in the file, so that errors point at what the sender sees in a text editor.

export interface ColumnSpec {
  /** The documented name (snake_case English). */
  name: string;
  required?: boolean;
  /** Other accepted spellings, typically the French column titles. */
  aliases?: readonly string[];
}

export interface CsvRow {
  /** Line of the file where the row starts (header = 1). */
  line: number;
  /** Trimmed cell per documented column name; columns absent from the header are absent here. */
  cells: ReadonlyMap<string, string>;
}

export interface CsvFile {
  delimiter: ';' | ',';
  rows: CsvRow[];
}

/** The body is not a CSV file at all (empty, binary, not UTF-8): HTTP 400, nothing checked further. */
export class NotCsvError extends Error {
  override name = 'NotCsvError';
}

const MAX_CELL_LENGTH = 1000;

/** "Référence client" → "reference_client". */
export function normaliseHeader(raw: string): string {
  return raw
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** UTF-8 text of the body, without BOM and with \n line ends; NotCsvError when it cannot be CSV. */
export function decodeCsvText(input: Buffer | string): string {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (input.includes(0)) throw new NotCsvError('the body is binary, not a CSV text file');
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new NotCsvError('the file is not valid UTF-8: export it as "CSV UTF-8"');
    }
  }
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new NotCsvError('the file is empty');
  return text;
}

/** `;` or `,`, whichever occurs more often outside double quotes on the header line. */
export function detectDelimiter(text: string): ';' | ',' {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '\n') break;
    else if (!quoted && char === ';') semicolons++;
    else if (!quoted && char === ',') commas++;
  }
  return commas > semicolons ? ',' : ';';
}

/** A record with the line of the file it ends on, as csv-parse gives it with `info`. */
export interface CsvRecord {
  record: string[];
  info: { lines: number };
}

// What csv-parse's `trim` removes around a field.
const EDGE_BLANKS = /^[ \t\f\r\n]+|[ \t\f\r\n]+$/g;

/**
 * Without a double quote anywhere, each line is a record and its fields are what lies between
 * delimiters: splitting gives what csv-parse gives with readCsv's options, several times faster
 * on a daily readings file of a million lines. Null when the text has quotes (the parser's job).
 */
export function splitUnquoted(text: string, delimiter: ';' | ','): CsvRecord[] | null {
  if (text.includes('"')) return null;
  const records: CsvRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.replace(EDGE_BLANKS, '') === '') continue; // as skip_empty_lines with trim
    records.push({
      record: line.split(delimiter).map((field) => field.replace(EDGE_BLANKS, '')),
      info: { lines: i + 1 },
    });
  }
  return records;
}

/**
 * Parses the file and maps its header onto `columns`. Problems with the file as a whole (missing
 * columns, broken quoting) are errors on line 1 or on the broken line and return null; problems
 * with one row (too many fields, a cell too long) are errors on that line and the row is kept
 * for the caller to skip.
 */
export function readCsv(
  input: Buffer | string,
  columns: readonly ColumnSpec[],
  issues: Issues,
): CsvFile | null {
  const text = decodeCsvText(input);
  const delimiter = detectDelimiter(text);

  let records: CsvRecord[];
  try {
    // With `info`, each record comes as { record, info } (the typings only know string[][]).
    records =
      splitUnquoted(text, delimiter) ??
      (parse(text, {
        delimiter,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
      }) as unknown as CsvRecord[]);
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = (err as CsvError & { lines?: number }).lines ?? 1;
    issues.error(line, null, `the file cannot be read as CSV: ${err.message}`);
    return null;
  }

  const [header, ...data] = records;
  if (!header) throw new NotCsvError('the file is empty');
  const positions = mapHeader(header.record, header.info.lines, columns, issues);
  if (!positions) return null;

  const rows: CsvRow[] = [];
  for (const { record, info } of data) {
    // info.lines is where the record ends; a quoted value may span lines.
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    if (record.every((cell) => cell.trim() === '')) continue; // ";;;;" rows left by spreadsheets
    if (record.slice(header.record.length).some((extra) => extra !== '')) {
      issues.error(
        line,
        null,
        `${record.length} fields where the header has ${header.record.length}: a value containing "${delimiter}" must be in double quotes`,
      );
    }
    const cells = new Map<string, string>();
    for (const [name, index] of positions) {
      const value = (record[index] ?? '').trim();
      if (value.length > MAX_CELL_LENGTH)
        issues.error(line, name, `longer than ${MAX_CELL_LENGTH} characters`);
      cells.set(name, value);
    }
    rows.push({ line, cells });
  }
  return { delimiter, rows };
}

function mapHeader(
  header: string[],
  headerLine: number,
  columns: readonly ColumnSpec[],
  issues: Issues,
): Map<string, number> | null {
  const byAlias = new Map<string, string>();
  for (const column of columns)
    for (const alias of [column.name, ...(column.aliases ?? [])])
      byAlias.set(normaliseHeader(alias), column.name);

  const positions = new Map<string, number>();
  let ok = true;
  header.forEach((title, index) => {
    const name = byAlias.get(normaliseHeader(title));
    if (!name) {
      if (title.trim() !== '') issues.warn(headerLine, title, 'unknown column, ignored');
      return;
    }
    if (positions.has(name)) {
      issues.error(
        headerLine,
        name,
        `the column appears twice (columns ${positions.get(name)! + 1} and ${index + 1})`,
      );
      ok = false;
      return;
    }
    positions.set(name, index);
  });
  const missing = columns.filter((c) => c.required && !positions.has(c.name));
  for (const column of missing) {
    const hint = header.length === 1 ? ' (columns must be separated by ";" or ",")' : '';
    issues.error(headerLine, column.name, `missing column "${column.name}"${hint}`);
  }
  return ok && missing.length === 0 ? positions : null;
}

/** A cell: undefined when the column is not in the file, null when empty, else the trimmed text. */
export function cell(row: CsvRow, name: string): string | null | undefined {
  const value = row.cells.get(name);
  if (value === undefined) return undefined;
  return value === '' ? null : value;
}
