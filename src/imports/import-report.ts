// What an import says back: counts per kind of row, and every problem with the line (as in the
// file, header = line 1) and the column it concerns. The same report goes out as JSON from the
// endpoint and as text from the CLI.

export const IMPORT_KINDS = [
  'eligibility',
  'agencies',
  'on-call-hours',
  'technician-rotas',
  'manager-rotas',
  'register',
  'readings',
  'field-roster',
  'agency-closures',
  'unpaid-interruptions',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export function isImportKind(value: string): value is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(value);
}

export interface LineIssue {
  line: number;
  /** The column, by its documented name; null when the problem is the whole line or file. */
  field: string | null;
  message: string;
}

export interface EntityCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Contracts that lost out-of-hours coverage (eligibility only). */
  uncovered: number;
}

export interface ImportReport {
  kind: ImportKind;
  batch: string;
  dryRun: boolean;
  /** Changes were written (never in a dry run, never when refused). */
  applied: boolean;
  /** Nothing was (or, in a dry run, would be) applied because of the errors. */
  refused: boolean;
  /** Data lines read (header and blank lines aside). */
  lines: number;
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
  uncovered: number;
  entities: Record<string, EntityCounts>;
  errors: LineIssue[];
  warnings: LineIssue[];
  /** Errors beyond the first MAX_ISSUES, counted but not listed. */
  moreErrors: number;
  moreWarnings: number;
}

export const MAX_ISSUES = 1000;

export const emptyCounts = (): EntityCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  removed: 0,
  uncovered: 0,
});

/** Collects errors and warnings; remembers which lines have errors (they are not applied). */
export class Issues {
  readonly errors: LineIssue[] = [];
  readonly warnings: LineIssue[] = [];
  private readonly badLines = new Set<number>();

  error(line: number, field: string | null, message: string): void {
    this.errors.push({ line, field, message });
    this.badLines.add(line);
  }

  warn(line: number, field: string | null, message: string): void {
    this.warnings.push({ line, field, message });
  }

  hasError(line: number): boolean {
    return this.badLines.has(line);
  }

  get errorCount(): number {
    return this.errors.length;
  }
}

const byLine = (a: LineIssue, b: LineIssue) => a.line - b.line;

export function buildReport(
  base: Pick<ImportReport, 'kind' | 'batch' | 'dryRun' | 'applied' | 'refused' | 'lines'>,
  entities: Record<string, EntityCounts>,
  issues: Issues,
): ImportReport {
  const total = (key: keyof EntityCounts) =>
    Object.values(entities).reduce((sum, counts) => sum + counts[key], 0);
  const errors = [...issues.errors].sort(byLine);
  const warnings = [...issues.warnings].sort(byLine);
  return {
    ...base,
    created: total('created'),
    updated: total('updated'),
    unchanged: total('unchanged'),
    removed: total('removed'),
    uncovered: total('uncovered'),
    entities,
    errors: errors.slice(0, MAX_ISSUES),
    warnings: warnings.slice(0, MAX_ISSUES),
    moreErrors: Math.max(0, errors.length - MAX_ISSUES),
    moreWarnings: Math.max(0, warnings.length - MAX_ISSUES),
  };
}

export function formatIssue(issue: LineIssue): string {
  return issue.field
    ? `line ${issue.line}, field ${issue.field}: ${issue.message}`
    : `line ${issue.line}: ${issue.message}`;
}
