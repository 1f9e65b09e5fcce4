import type { ColumnSpec } from '../../imports/csv-reader.js';
import { parseReference, parseText } from '../../imports/field-parsers.js';
import { emptyCounts } from '../../imports/import-report.js';
import type { Importer, ImportPlan } from '../../imports/importer.js';
import { localDate, parseLocalDate } from '../../imports/local-time.js';
import { RowReader } from '../../imports/row-reader.js';

// [AP-2] Days an agency is closed (no appointment then), one line per agency and day. The lines
// of an agency REPLACE its closures from today on (today in its time zone); past closures are
// history and stay. An agency with an error on any of its lines is left as it was; the others are
// applied.

export const AGENCY_CLOSURES_COLUMNS: readonly ColumnSpec[] = [
  { name: 'agency', required: true, aliases: ['agence', 'code_agence', 'agency_code'] },
  { name: 'day', required: true, aliases: ['date', 'jour'] },
  { name: 'reason', aliases: ['motif'] },
];

interface ClosureLine {
  line: number;
  /** "2026-12-24" */
  day: string;
  /** undefined when the file has no reason column: a stored reason stays. */
  reason: string | null | undefined;
}

interface Group {
  agency: { id: string; code: string; timeZone: string };
  lines: number[];
  closures: ClosureLine[];
}

// A @db.Date column holds the UTC date of the Date given.
const asDbDate = (day: string) => new Date(`${day}T00:00:00Z`);
const fromDbDate = (date: Date) => date.toISOString().slice(0, 10);

export const agencyClosuresImporter: Importer = {
  kind: 'agency-closures',
  columns: AGENCY_CLOSURES_COLUMNS,
  wholeFile: false,

  async plan(tx, rows, { issues, now }): Promise<ImportPlan> {
    const agencies = new Map(
      (await tx.agency.findMany({ select: { id: true, code: true, timeZone: true } })).map((a) => [
        a.code,
        a,
      ]),
    );
    const groups = new Map<string, Group>();
    for (const row of rows) {
      const r = new RowReader(row, issues);
      const code = r.required('agency', parseReference);
      const day = r.required('day', parseLocalDate);
      const reason = r.optional('reason', parseText(200));
      if (!code) continue;
      const agency = agencies.get(code);
      if (!agency) {
        r.error('agency', `unknown agency "${code}" (import it with the agencies file first)`);
        continue;
      }
      const group = groups.get(agency.id) ?? { agency, lines: [], closures: [] };
      groups.set(agency.id, group);
      group.lines.push(row.line);
      if (!day || !r.valid) continue;
      const same = group.closures.find((c) => c.day === day);
      if (same) r.error('day', `${day} is already on line ${same.line}`);
      else if (day < localDate(now, agency.timeZone))
        r.warn(
          'day',
          `${day} is past: ignored (past closures are history, only those from today on are replaced)`,
        );
      else group.closures.push({ line: row.line, day, reason });
    }

    const closures = emptyCounts();
    const toCreate: Array<{ agencyId: string; day: Date; reason: string | null }> = [];
    const toUpdate: Array<{ id: string; reason: string | null }> = [];
    const toRemove: string[] = [];
    const applied = [...groups.values()].filter((g) => g.lines.every((line) => !issues.hasError(line)));
    for (const { agency, closures: lines } of applied) {
      const stored = new Map(
        (
          await tx.agencyClosure.findMany({
            where: { agencyId: agency.id, day: { gte: asDbDate(localDate(now, agency.timeZone)) } },
            select: { id: true, day: true, reason: true },
          })
        ).map((c) => [fromDbDate(c.day), c]),
      );
      for (const { day, reason } of lines) {
        const found = stored.get(day);
        stored.delete(day);
        if (!found) toCreate.push({ agencyId: agency.id, day: asDbDate(day), reason: reason ?? null });
        else if (reason !== undefined && reason !== found.reason) toUpdate.push({ id: found.id, reason });
        else closures.unchanged++;
      }
      // What is left is no longer in the file.
      toRemove.push(...[...stored.values()].map((c) => c.id));
    }
    closures.created = toCreate.length;
    closures.updated = toUpdate.length;
    closures.removed = toRemove.length;

    return {
      entities: { closures },
      applicable: applied.length,
      async apply(tx) {
        if (toRemove.length > 0) await tx.agencyClosure.deleteMany({ where: { id: { in: toRemove } } });
        for (const { id, reason } of toUpdate)
          await tx.agencyClosure.update({ where: { id }, data: { reason } });
        if (toCreate.length > 0) await tx.agencyClosure.createMany({ data: toCreate });
        return { phones: [] };
      },
    };
  },
};
