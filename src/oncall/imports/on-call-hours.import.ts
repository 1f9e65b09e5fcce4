import type { ColumnSpec } from '../../imports/csv-reader.js';
import { parseClockTime, parseDay, parseOnCallType, parseReference } from '../../imports/field-parsers.js';
import { emptyCounts } from '../../imports/import-report.js';
import { type Importer, type ImportPlan, inChunks } from '../../imports/importer.js';
import { RowReader } from '../../imports/row-reader.js';
import { PUBLIC_HOLIDAY } from '../on-call-windows.js';

// On-call hours: per agency and on-call type, a weekly calendar plus public holidays, one line
// per window. The lines of an agency and type replace all its stored windows; an agency and type
// with an error on any of its lines is left as it was (a calendar missing a night is worse than
// last week's), the others are applied.

export const ON_CALL_HOURS_COLUMNS: readonly ColumnSpec[] = [
  { name: 'agency', required: true, aliases: ['agence', 'code_agence', 'agency_code'] },
  { name: 'on_call_type', required: true, aliases: ['type_astreinte'] },
  { name: 'day', required: true, aliases: ['jour'] },
  { name: 'start', required: true, aliases: ['debut', 'heure_debut'] },
  { name: 'end', required: true, aliases: ['fin', 'heure_fin'] },
];

const DAY_NAMES = ['', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'public_holiday'];
const WEEK = 7 * 1440;

export interface WindowLine {
  line: number;
  day: number;
  startMinute: number;
  /** Past 1440 when the window runs into the next morning. */
  endMinute: number;
}

const clock = (minute: number) =>
  `${String(Math.floor((minute % 1440) / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
export const describeWindow = (w: Omit<WindowLine, 'line'>) =>
  `${DAY_NAMES[w.day]} ${clock(w.startMinute)}-${w.endMinute === 1440 ? '24:00' : clock(w.endMinute)}`;

/** Day, start and end of a line; an end at or before the start runs past midnight. */
export function parseWindow(r: RowReader): Omit<WindowLine, 'line'> | null {
  const day = r.required('day', parseDay);
  const start = r.required('start', parseClockTime);
  const end = r.required('end', parseClockTime);
  if (start === 1440) r.error('start', '"24:00" is the end of a day, not a start: write 00:00');
  if (day === undefined || start === undefined || end === undefined || !r.valid) return null;
  return { day, startMinute: start, endMinute: end <= start ? end + 1440 : end };
}

/** Stretches of the week (minutes from Monday 00:00) a window covers; Sunday night wraps to Monday. */
function weekSpans(w: WindowLine): Array<[number, number]> {
  const start = (w.day - 1) * 1440 + w.startMinute;
  const end = (w.day - 1) * 1440 + w.endMinute;
  return end <= WEEK
    ? [[start, end]]
    : [
        [start, WEEK],
        [0, end - WEEK],
      ];
}

/** Windows of one agency and type that cover the same time: an error on the later line. */
export function findWindowOverlaps(
  windows: readonly WindowLine[],
): Array<{ line: number; other: WindowLine }> {
  const overlaps: Array<{ line: number; other: WindowLine }> = [];
  const spans = (w: WindowLine): Array<[number, number]> =>
    w.day === PUBLIC_HOLIDAY ? [[w.startMinute, w.endMinute]] : weekSpans(w);
  windows.forEach((w, i) => {
    const earlier = windows
      .slice(0, i)
      .find(
        (o) =>
          (o.day === PUBLIC_HOLIDAY) === (w.day === PUBLIC_HOLIDAY) &&
          spans(o).some(([s1, e1]) => spans(w).some(([s2, e2]) => s1 < e2 && s2 < e1)),
      );
    if (earlier) overlaps.push({ line: w.line, other: earlier });
  });
  return overlaps;
}

interface Group {
  agencyCode: string;
  onCallType: string;
  lines: number[];
  windows: WindowLine[];
}

export const onCallHoursImporter: Importer = {
  kind: 'on-call-hours',
  columns: ON_CALL_HOURS_COLUMNS,
  wholeFile: false,

  async plan(tx, rows, { issues }): Promise<ImportPlan> {
    const groups = new Map<string, Group>();
    for (const row of rows) {
      const r = new RowReader(row, issues);
      const agencyCode = r.required('agency', parseReference);
      const onCallType = r.required('on_call_type', parseOnCallType);
      const window = parseWindow(r);
      if (!agencyCode || !onCallType) continue;
      const key = `${agencyCode}/${onCallType}`;
      const group = groups.get(key) ?? { agencyCode, onCallType, lines: [], windows: [] };
      groups.set(key, group);
      group.lines.push(row.line);
      if (window) group.windows.push({ line: row.line, ...window });
    }
    for (const group of groups.values())
      for (const { line, other } of findWindowOverlaps(group.windows))
        issues.error(line, 'start', `overlaps line ${other.line} (${describeWindow(other)})`);

    const agencies = new Map(
      (
        await inChunks([...new Set([...groups.values()].map((g) => g.agencyCode))], (chunk) =>
          tx.agency.findMany({ where: { code: { in: chunk } }, select: { id: true, code: true } }),
        )
      ).map((a) => [a.code, a.id]),
    );
    const valid: Array<Group & { agencyId: string }> = [];
    for (const group of groups.values()) {
      const agencyId = agencies.get(group.agencyCode);
      if (!agencyId)
        for (const line of group.lines)
          issues.error(
            line,
            'agency',
            `unknown agency "${group.agencyCode}" (import it with the agencies file first)`,
          );
      else if (group.lines.every((line) => !issues.hasError(line))) valid.push({ ...group, agencyId });
    }

    const windows = emptyCounts();
    const toCreate: Array<{
      agencyId: string;
      onCallType: string;
      day: number;
      startMinute: number;
      endMinute: number;
    }> = [];
    const toRemove: string[] = [];
    for (const group of valid) {
      const stored = await tx.onCallWindow.findMany({
        where: { agencyId: group.agencyId, onCallType: group.onCallType },
        select: { id: true, day: true, startMinute: true, endMinute: true },
      });
      const key = (w: { day: number; startMinute: number; endMinute: number }) =>
        `${w.day}/${w.startMinute}/${w.endMinute}`;
      // Valid groups have no two identical windows (they would overlap).
      const wanted = new Set(group.windows.map(key));
      const storedKeys = new Set<string>();
      for (const w of stored) {
        if (wanted.has(key(w)) && !storedKeys.has(key(w))) storedKeys.add(key(w));
        else toRemove.push(w.id);
      }
      for (const w of group.windows) {
        if (storedKeys.has(key(w))) {
          windows.unchanged++;
          continue;
        }
        const { line: _line, ...window } = w;
        toCreate.push({ agencyId: group.agencyId, onCallType: group.onCallType, ...window });
        windows.created++;
      }
    }
    windows.removed = toRemove.length;

    return {
      entities: { windows },
      applicable: valid.length,
      async apply(tx) {
        if (toRemove.length > 0) await tx.onCallWindow.deleteMany({ where: { id: { in: toRemove } } });
        if (toCreate.length > 0) await tx.onCallWindow.createMany({ data: toCreate });
        return { phones: [] };
      },
    };
  },
};
