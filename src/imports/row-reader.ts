import { type CsvRow, cell } from './csv-reader.js';
import type { Parsed } from './field-parsers.js';
import type { Issues } from './import-report.js';

/**
 * Reads the typed cells of one row, recording an error for each bad one. After reading, a row
 * with any error (`issues.hasError(row.line)`) is reported and not applied.
 */
export class RowReader {
  constructor(
    readonly row: CsvRow,
    private readonly issues: Issues,
  ) {}

  get line(): number {
    return this.row.line;
  }

  get valid(): boolean {
    return !this.issues.hasError(this.row.line);
  }

  error(field: string | null, message: string): void {
    this.issues.error(this.row.line, field, message);
  }

  warn(field: string | null, message: string): void {
    this.issues.warn(this.row.line, field, message);
  }

  /** The value; undefined (with an error recorded) when empty or invalid. */
  required<T>(name: string, parse: (raw: string) => Parsed<T>): T | undefined {
    const raw = cell(this.row, name);
    if (raw == null) {
      this.error(name, 'a value is required');
      return undefined;
    }
    return this.parsed(name, raw, parse);
  }

  /**
   * undefined when the column is not in the file (the stored value is kept), null when the cell
   * is empty, else the value (undefined with an error recorded when invalid).
   */
  optional<T>(name: string, parse: (raw: string) => Parsed<T>): T | null | undefined {
    const raw = cell(this.row, name);
    if (raw == null) return raw;
    return this.parsed(name, raw, parse);
  }

  private parsed<T>(name: string, raw: string, parse: (raw: string) => Parsed<T>): T | undefined {
    const result = parse(raw);
    if ('error' in result) {
      this.error(name, result.error);
      return undefined;
    }
    return result.value;
  }
}
