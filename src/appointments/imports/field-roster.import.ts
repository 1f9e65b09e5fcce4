import { type ColumnSpec, cell } from '../../imports/csv-reader.js';
import { parseReference, parseText, parseWeekdays } from '../../imports/field-parsers.js';
import { emptyCounts } from '../../imports/import-report.js';
import { type Importer, type ImportPlan, inChunks } from '../../imports/importer.js';
import { formatLocal, parseLocalDayOrTime } from '../../imports/local-time.js';
import { RowReader } from '../../imports/row-reader.js';
import {
  gatherPeople,
  PERSON_COLUMNS,
  PERSON_SELECT,
  type PersonLine,
  planPeople,
  readPersonDetails,
  writePeople,
} from '../../oncall/imports/people.js';
import { type FilePeriod, findPeriodOverlaps, type Interval } from '../../oncall/imports/rota-periods.js';

// [AP-2] The technicians who take daytime appointments, per agency: the weekdays each works in the
// field, and their absences. One line per technician, or one per absence of a technician (their
// weekdays repeated on each). The lines of an agency REPLACE its roster: technicians of the agency
// the file does not list leave it, and the listed technicians' absences still to come (ending
// after now) become the file's; past absences are history and stay. An agency with an error on
// any of its lines is left as it was (a roster missing a technician would drop them); the other
// agencies are applied.

export const FIELD_ROSTER_COLUMNS: readonly ColumnSpec[] = [
  { name: 'agency', required: true, aliases: ['agence', 'code_agence', 'agency_code'] },
  {
    name: 'technician_ref',
    required: true,
    aliases: ['reference_technicien', 'matricule', 'technicien', 'technician'],
  },
  ...PERSON_COLUMNS,
  { name: 'weekdays', required: true, aliases: ['jours', 'jours_terrain'] },
  { name: 'absent_from', aliases: ['absent_du', 'debut_absence'] },
  { name: 'absent_to', aliases: ['absent_au', 'fin_absence'] },
  { name: 'absence_reason', aliases: ['motif', 'motif_absence'] },
];

interface Agency {
  id: string;
  code: string;
  timeZone: string;
}

interface Absence extends Interval {
  /** undefined when the file has no absence_reason column: a stored reason stays. */
  reason: string | null | undefined;
}

interface RosterLine extends PersonLine {
  agency: Agency;
  weekdays: number[];
  absence: Absence | null;
}

const sameDays = (a: readonly number[], b: readonly number[]) =>
  [...a].sort((x, y) => x - y).join(',') === [...b].sort((x, y) => x - y).join(',');
const describeDays = (days: readonly number[]) =>
  days.length === 0
    ? 'none'
    : days.map((d) => ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][d - 1]).join(',');
const absenceKey = (a: Interval) => `${a.start.getTime()}/${a.end.getTime()}`;

/** The absence a line gives; null when none, or when its cells are not one (error recorded). */
function readAbsence(r: RowReader, zone: string): Absence | null {
  // A column absent from the file reads as an empty cell.
  const bound = (name: string) =>
    cell(r.row, name) == null ? null : r.optional(name, (raw) => parseLocalDayOrTime(raw, zone));
  const from = bound('absent_from');
  const to = bound('absent_to');
  const reason = r.optional('absence_reason', parseText(200));
  if (from === null) {
    if (cell(r.row, 'absent_to') != null)
      r.error('absent_from', 'a value is required when absent_to is given');
    else if (reason != null) r.error('absence_reason', 'a reason with no absence: give absent_from');
    return null;
  }
  if (from === undefined || to === undefined) return null;
  if (to === null && from.end.getTime() === from.start.getTime()) {
    r.error('absent_to', 'a value is required when absent_from has a time of day (when does it end?)');
    return null;
  }
  // A day alone in absent_from, with no absent_to: that whole day.
  const end = (to ?? from).end;
  if (end <= from.start) {
    r.error(
      'absent_to',
      `"${cell(r.row, 'absent_to')}" is not after absent_from "${cell(r.row, 'absent_from')}"`,
    );
    return null;
  }
  return { start: from.start, end, reason };
}

function readLine(r: RowReader, agencies: ReadonlyMap<string, Agency>, defaultZone: string) {
  const code = r.required('agency', parseReference);
  const agency = code ? agencies.get(code) : undefined;
  if (code && !agency) r.error('agency', `unknown agency "${code}" (import it with the agencies file first)`);
  const personRef = r.required('technician_ref', parseReference);
  const details = readPersonDetails(r);
  // Empty: the technician takes no appointments.
  const weekdays = r.optional('weekdays', parseWeekdays);
  const absence = readAbsence(r, agency?.timeZone ?? defaultZone);
  // Kept with a bad absence too (as none): disagreements with the technician's other lines are
  // reported as well.
  const line: RosterLine | null =
    agency && personRef && weekdays !== undefined
      ? { line: r.line, agency, personRef, details, weekdays: weekdays ?? [], absence }
      : null;
  return { agency, line };
}

export const fieldRosterImporter: Importer = {
  kind: 'field-roster',
  columns: FIELD_ROSTER_COLUMNS,
  wholeFile: false,

  async plan(tx, rows, { issues, now, zone }): Promise<ImportPlan> {
    const agencies = new Map(
      (await tx.agency.findMany({ select: { id: true, code: true, timeZone: true } })).map((a) => [
        a.code,
        a,
      ]),
    );
    // A file without absence columns says nothing of absences: the stored ones stay.
    const withAbsences = rows.some((row) => row.cells.has('absent_from') || row.cells.has('absent_to'));
    const agencyLines = new Map<string, { agency: Agency; lines: number[] }>();
    const read: RosterLine[] = [];
    for (const row of rows) {
      const { agency, line } = readLine(new RowReader(row, issues), agencies, zone);
      if (agency) {
        const set = agencyLines.get(agency.id) ?? { agency, lines: [] };
        set.lines.push(row.line);
        agencyLines.set(agency.id, set);
      }
      if (line) read.push(line);
    }

    // A technician's lines must agree on their agency and weekdays; their absences must not overlap.
    const firstOf = new Map<string, RosterLine>();
    for (const l of read) {
      const first = firstOf.get(l.personRef);
      if (!first) firstOf.set(l.personRef, l);
      else if (first.agency.id !== l.agency.id)
        issues.error(
          l.line,
          'agency',
          `technician "${l.personRef}" is listed under ${first.agency.code} on line ${first.line}`,
        );
      else if (!sameDays(first.weekdays, l.weekdays))
        issues.error(
          l.line,
          'weekdays',
          `technician "${l.personRef}" has weekdays ${describeDays(l.weekdays)} here but ${describeDays(first.weekdays)} on line ${first.line}`,
        );
    }
    const absencesOf = new Map<string, Array<FilePeriod>>();
    for (const l of read)
      if (l.absence)
        absencesOf.set(l.personRef, [...(absencesOf.get(l.personRef) ?? []), { ...l, ...l.absence }]);
    for (const [personRef, periods] of absencesOf) {
      const { timeZone } = firstOf.get(personRef)!.agency;
      for (const { line, other } of findPeriodOverlaps(periods))
        issues.error(
          line,
          'absent_from',
          `overlaps the absence of line ${other.line} (${formatLocal(other.start, timeZone)} to ${formatLocal(other.end, timeZone)})`,
        );
    }

    // People, as in the rotas; a technician stays in their own agency's roster.
    const lines = read.filter((l) => !issues.hasError(l.line));
    const stored = new Map(
      (
        await inChunks([...new Set(lines.map((l) => l.personRef))], (chunk) =>
          tx.technician.findMany({
            where: { reference: { in: chunk } },
            select: { ...PERSON_SELECT, agency: { select: { id: true, code: true } } },
          }),
        )
      ).map((t) => [t.reference, t]),
    );
    const people = gatherPeople(
      lines,
      stored,
      {
        noun: 'technician',
        personColumn: 'technician_ref',
        inactiveConsequence: 'they take no appointments until they are reactivated',
      },
      issues,
    );
    for (const l of lines) {
      const own = stored.get(l.personRef)?.agency;
      if (own && own.id !== l.agency.id)
        issues.error(
          l.line,
          'technician_ref',
          `technician "${l.personRef}" belongs to agency ${own.code}, not ${l.agency.code}: an agency's roster lists its own technicians`,
        );
    }

    const applied = [...agencyLines.values()]
      .filter(({ lines: numbers }) => numbers.every((line) => !issues.hasError(line)))
      .map(({ agency }) => agency);
    const appliedIds = new Set(applied.map((a) => a.id));
    const listed = lines.filter((l) => appliedIds.has(l.agency.id));
    const peopleChanges = planPeople(
      listed.map((l) => [l.personRef, l.agency] as const),
      people,
      stored,
    );

    // The roster: weekdays of the listed technicians; the agency's others leave it.
    const roster = emptyCounts();
    const weekdayWrites = new Map<string, number[]>(); // by reference
    const agencyTechnicians = await tx.technician.findMany({
      where: { agencyId: { in: [...appliedIds] } },
      select: { id: true, reference: true, fieldWeekdays: true },
    });
    // A technician's lines agree: any of them gives their weekdays.
    const wanted = new Map(listed.map((l) => [l.personRef, l.weekdays]));
    const leaving = agencyTechnicians.filter((t) => t.fieldWeekdays.length > 0 && !wanted.has(t.reference));
    roster.removed = leaving.length;
    const storedDays = new Map(agencyTechnicians.map((t) => [t.reference, t.fieldWeekdays]));
    for (const [reference, days] of wanted) {
      const before = storedDays.get(reference) ?? [];
      if (sameDays(before, days)) {
        roster.unchanged++;
        continue;
      }
      weekdayWrites.set(reference, days);
      if (before.length === 0) roster.created++;
      else if (days.length === 0) roster.removed++;
      else roster.updated++;
    }

    // Absences still to come of the listed technicians become the file's; those of the file
    // already stored (same start and end) keep their row.
    const absences = emptyCounts();
    const absenceCreates: Array<{ personRef: string } & Absence> = [];
    const absenceUpdates: Array<{ id: string; reason: string | null }> = [];
    const absenceRemoves: string[] = [];
    if (withAbsences) {
      const storedIds = [
        ...new Set(listed.map((l) => stored.get(l.personRef)?.id).filter((id) => id !== undefined)),
      ];
      const storedAbsences = await inChunks(storedIds, (chunk) =>
        tx.technicianAbsence.findMany({
          where: { technicianId: { in: chunk } },
          select: { id: true, technicianId: true, startsAt: true, endsAt: true, reason: true },
        }),
      );
      const byKey = new Map(
        storedAbsences.map((a) => [
          `${a.technicianId}|${absenceKey({ start: a.startsAt, end: a.endsAt })}`,
          a,
        ]),
      );
      const matched = new Set<string>();
      for (const l of listed) {
        if (!l.absence) continue;
        const found = byKey.get(`${stored.get(l.personRef)?.id}|${absenceKey(l.absence)}`);
        if (!found) {
          absenceCreates.push({ personRef: l.personRef, ...l.absence });
          continue;
        }
        matched.add(found.id);
        if (l.absence.reason !== undefined && l.absence.reason !== found.reason)
          absenceUpdates.push({ id: found.id, reason: l.absence.reason });
        else absences.unchanged++;
      }
      for (const a of storedAbsences) if (!matched.has(a.id) && a.endsAt > now) absenceRemoves.push(a.id);
      absences.created = absenceCreates.length;
      absences.updated = absenceUpdates.length;
      absences.removed = absenceRemoves.length;
    }

    return {
      entities: { technicians: peopleChanges.counts, roster, absences },
      applicable: applied.length,
      async apply(tx) {
        const ids = await writePeople(tx, peopleChanges, stored, {
          async create(tx, reference, agency, details) {
            const created = await tx.technician.create({
              data: { reference, agencyId: agency.id, ...details },
              select: { id: true },
            });
            return created.id;
          },
          async update(tx, id, data) {
            await tx.technician.update({ where: { id }, data });
          },
        });
        for (const [reference, fieldWeekdays] of weekdayWrites)
          await tx.technician.update({ where: { id: ids.get(reference)! }, data: { fieldWeekdays } });
        if (leaving.length > 0)
          await tx.technician.updateMany({
            where: { id: { in: leaving.map((t) => t.id) } },
            data: { fieldWeekdays: [] },
          });
        if (absenceRemoves.length > 0)
          await tx.technicianAbsence.deleteMany({ where: { id: { in: absenceRemoves } } });
        for (const { id, reason } of absenceUpdates)
          await tx.technicianAbsence.update({ where: { id }, data: { reason } });
        if (absenceCreates.length > 0)
          await tx.technicianAbsence.createMany({
            data: absenceCreates.map((a) => ({
              technicianId: ids.get(a.personRef)!,
              startsAt: a.start,
              endsAt: a.end,
              reason: a.reason ?? null,
            })),
          });
        // After the commit, their appointments then go to a colleague or are rebooked (absences.service.ts).
        const offRoster = new Date(now.getTime() + OFF_ROSTER_HORIZON_MS);
        return {
          phones: [],
          unavailable: [
            ...absenceCreates.map((a) => ({
              technicianId: ids.get(a.personRef)!,
              startsAt: a.start,
              endsAt: a.end,
              ...(a.reason ? { reason: a.reason } : {}),
            })),
            ...leaving.map((t) => ({ technicianId: t.id, startsAt: now, endsAt: offRoster })),
          ],
        };
      },
    };
  },
};

/** A technician leaving the roster gives up every appointment booked ahead (a year covers them all). */
const OFF_ROSTER_HORIZON_MS = 366 * 24 * 3600_000;
