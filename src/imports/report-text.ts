import { formatIssue, type ImportReport } from './import-report.js';

// The report as the CLI prints it: what happened first, then each problem on its own line.

export function formatReport(report: ImportReport, source: string): string {
  const status = report.refused
    ? 'REFUSED: nothing was applied'
    : report.dryRun
      ? 'dry run: nothing was written'
      : report.errors.length > 0
        ? 'applied, except the lines with errors'
        : 'applied';
  const out = [
    `${report.kind} import of ${source} (batch ${report.batch}, ${report.lines} lines): ${status}`,
  ];
  for (const [entity, c] of Object.entries(report.entities)) {
    const parts = [`${c.created} created`, `${c.updated} updated`, `${c.unchanged} unchanged`];
    if (c.removed) parts.push(`${c.removed} removed`);
    if (c.uncovered || entity === 'contracts') parts.push(`${c.uncovered} no longer covered out of hours`);
    out.push(`  ${entity}: ${parts.join(', ')}${report.dryRun ? ' (would be)' : ''}`);
  }
  if (report.errors.length > 0) {
    out.push(`errors (${report.errors.length + report.moreErrors}):`);
    for (const issue of report.errors) out.push(`  ${formatIssue(issue)}`);
    if (report.moreErrors > 0) out.push(`  ... and ${report.moreErrors} more`);
  }
  if (report.warnings.length > 0) {
    out.push(`warnings (${report.warnings.length + report.moreWarnings}):`);
    for (const issue of report.warnings) out.push(`  ${formatIssue(issue)}`);
    if (report.moreWarnings > 0) out.push(`  ... and ${report.moreWarnings} more`);
  }
  return out.join('\n');
}
