import type { ColumnSpec } from '../../imports/csv-reader.js';
import { parseReference } from '../../imports/field-parsers.js';
import { emptyCounts, type ImportKind } from '../../imports/import-report.js';
import type { Importer, ImportPlan, PlanContext, Tx } from '../../imports/importer.js';
import { formatLocal, parseLocalDateTime } from '../../imports/local-time.js';
import { RowReader } from '../../imports/row-reader.js';
import {
  gatherPeople,
  type NewPerson,
  type PersonDetails,
  planPeople,
  readPersonDetails,
  type StoredPerson,
  writePeople,
} from './people.js';
import {
  type FilePeriod,
  findGaps,
  findPeriodOverlaps,
  type GroupPlan,
  type Interval,
  planRotaGroup,
  type StoredPeriod,
  spanOf,
} from './rota-periods.js';

// What technician and regional-manager rotas share: one line per on-call period of one person,
// whose name and mobile are columns of the same file (people.ts: created or updated by reference;
// left empty on further lines of the same person, or for a person already known). A rota set (an
// agency and on-call type, or a region) with an error on any of its lines is left as it was;
// the other sets are applied.

export interface RotaScope {
  id: string;
  code: string;
  zone: string;
  /** "FR", or "FR-57"/"FR-67"/"FR-68" (agencies; regions use "FR"). */
  holidayCalendar: string;
}

/** One rota set: an agency and on-call type, or a region. */
export interface RotaTarget {
  key: string;
  label: string;
  scope: RotaScope;
  onCallType: string | null;
}

export interface RotaKind {
  kind: ImportKind;
  columns: readonly ColumnSpec[];
  personColumn: string;
  /** "technician", "regional manager": in messages. */
  noun: string;
  /** Key of the people in the report's entities. */
  peopleEntity: string;
  /** Said after a gap: what happens to calls then. */
  gapConsequence: string;
  loadScopes(tx: Tx, ctx: PlanContext): Promise<Map<string, RotaScope>>;
  /** The set a line belongs to, from its columns; null (error recorded) when they are not valid. */
  readTarget(r: RowReader, scopes: ReadonlyMap<string, RotaScope>): RotaTarget | null;
  loadPeople(tx: Tx, references: string[]): Promise<StoredPerson[]>;
  loadPeriods(tx: Tx, target: RotaTarget, span: Interval): Promise<StoredPeriod[]>;
  /** When somebody must be on call within the span. */
  requiredCoverage(tx: Tx, target: RotaTarget, span: Interval, ctx: PlanContext): Promise<Interval[]>;
  createPerson(tx: Tx, reference: string, scope: RotaScope, details: NewPerson): Promise<string>;
  updatePerson(tx: Tx, id: string, data: PersonDetails): Promise<void>;
  writePeriods(
    tx: Tx,
    target: RotaTarget,
    changes: {
      create: Array<Interval & { personId: string }>;
      update: GroupPlan['update'];
      remove: string[];
    },
  ): Promise<void>;
}

export const PERIOD_COLUMNS: readonly ColumnSpec[] = [
  { name: 'starts_at', required: true, aliases: ['debut', 'date_debut'] },
  { name: 'ends_at', required: true, aliases: ['fin', 'date_fin'] },
];

interface RotaLine extends FilePeriod {
  target: RotaTarget;
  details: PersonDetails;
}

function readLine(kind: RotaKind, r: RowReader, scopes: ReadonlyMap<string, RotaScope>, zone: string) {
  const target = kind.readTarget(r, scopes);
  const personRef = r.required(kind.personColumn, parseReference);
  const details = readPersonDetails(r);
  const localZone = target?.scope.zone ?? zone;
  const start = r.required('starts_at', (raw) => parseLocalDateTime(raw, localZone));
  const end = r.required('ends_at', (raw) => parseLocalDateTime(raw, localZone));
  if (start && end && end <= start)
    r.error(
      'ends_at',
      `${formatLocal(end, localZone)} is not after starts_at (${formatLocal(start, localZone)})`,
    );
  // Kept when its period reads, even with other errors: overlaps are then reported too.
  const line: RotaLine | null =
    target && personRef && start && end ? { line: r.line, target, personRef, details, start, end } : null;
  return { target, line };
}

export function rotaImporter(kind: RotaKind): Importer {
  return {
    kind: kind.kind,
    columns: kind.columns,
    wholeFile: false,

    async plan(tx, rows, ctx): Promise<ImportPlan> {
      const { issues } = ctx;
      const scopes = await kind.loadScopes(tx, ctx);
      const timed: RotaLine[] = [];
      const sets = new Map<string, { target: RotaTarget; lines: number[] }>();
      for (const row of rows) {
        const { target, line } = readLine(kind, new RowReader(row, issues), scopes, ctx.zone);
        if (target) {
          const set = sets.get(target.key) ?? { target, lines: [] };
          set.lines.push(row.line);
          sets.set(target.key, set);
        }
        if (line) timed.push(line);
      }
      const lines = timed.filter((l) => !issues.hasError(l.line));

      // People: details gathered over their lines, which must agree.
      const stored = new Map(
        (await kind.loadPeople(tx, [...new Set(lines.map((l) => l.personRef))])).map((p) => [p.reference, p]),
      );
      const people = gatherPeople(
        lines,
        stored,
        {
          noun: kind.noun,
          personColumn: kind.personColumn,
          inactiveConsequence: 'paging passes over their periods until they are reactivated',
        },
        issues,
      );

      // Rota sets: no overlap within the file, none with stored periods the file cannot replace.
      const planned: Array<{ target: RotaTarget; periods: RotaLine[]; plan: GroupPlan; span: Interval }> = [];
      for (const set of sets.values()) {
        // Reported even when other errors already refuse the set, so that one report says it all.
        const overlaps = findPeriodOverlaps(timed.filter((l) => l.target.key === set.target.key));
        for (const { line, other } of overlaps)
          issues.error(
            line,
            'starts_at',
            `overlaps line ${other.line} (${other.personRef}, ${formatLocal(other.start, set.target.scope.zone)} to ${formatLocal(other.end, set.target.scope.zone)})`,
          );
        if (set.lines.some((line) => issues.hasError(line))) continue;
        const periods = lines.filter((l) => l.target.key === set.target.key);
        const span = spanOf(periods);
        const plan = planRotaGroup(
          periods,
          await kind.loadPeriods(tx, set.target, span),
          ctx.now,
          set.target.scope.zone,
        );
        for (const conflict of plan.conflicts) issues.error(conflict.line, conflict.field, conflict.message);
        if (plan.conflicts.length === 0) planned.push({ target: set.target, periods, plan, span });
      }

      // Gaps: warnings, since paging then goes to the regional manager.
      for (const { target, periods, plan, span } of planned) {
        const required = await kind.requiredCoverage(tx, target, span, ctx);
        for (const gap of findGaps(required, [...periods, ...plan.kept])) {
          // Named at the line of the period just before the gap.
          const before = periods.reduce((best, p) =>
            p.end <= gap.start && (best.end > gap.start || p.end > best.end) ? p : best,
          );
          issues.warn(
            before.line,
            null,
            `nobody on call for ${target.label} from ${formatLocal(gap.start, target.scope.zone)} to ${formatLocal(gap.end, target.scope.zone)}${kind.gapConsequence}`,
          );
        }
      }

      const peopleChanges = planPeople(
        planned.flatMap(({ target, periods }) => periods.map((p) => [p.personRef, target.scope] as const)),
        people,
        stored,
      );
      const rotas = emptyCounts();
      for (const { plan } of planned) {
        rotas.created += plan.create.length;
        rotas.updated += plan.update.length;
        rotas.unchanged += plan.unchanged;
        rotas.removed += plan.remove.length;
      }

      return {
        entities: { [kind.peopleEntity]: peopleChanges.counts, rotas },
        applicable: planned.length,
        async apply(tx) {
          const ids = await writePeople(tx, peopleChanges, stored, {
            create: kind.createPerson,
            update: kind.updatePerson,
          });
          for (const { target, plan } of planned)
            await kind.writePeriods(tx, target, {
              create: plan.create.map((p) => ({
                personId: ids.get(p.personRef)!,
                start: p.start,
                end: p.end,
              })),
              update: plan.update,
              remove: plan.remove,
            });
          return { phones: [] };
        },
      };
    },
  };
}
