import { Value } from '@sinclair/typebox/value';
import { DateTime } from 'luxon';
import { type OpeningHours, OpeningHoursSchema } from '../calendar/opening-hours.js';
import { agencyCalendar, type WindowCalendar } from '../oncall/on-call-windows.js';
import type { AppointmentDeps } from './appointments.deps.js';
import {
  type FieldTechnician,
  type FreeSlot,
  freeSlots,
  type Interval,
  slotsInWindow,
  slotWindow,
} from './slots.js';

// [AP-2] The free slots of an agency, read from the store: its field hours and closures, the
// technicians of its field roster, their absences and the slots they already hold.

export interface AgencySlots {
  agencyId: string;
  zone: string;
  /** The local days offered: J+lead to J+horizon working days. */
  first: string;
  last: string;
  slots: FreeSlot[];
}

type SlotDeps = Pick<AppointmentDeps, 'db' | 'calendar' | 'clock' | 'settings'>;

// Computed slots kept per agency, its slots_version (bumped by database triggers in the same
// transaction as any change they depend on) and the local day: a version read before the
// computation's reads can only be older than what they saw, so a kept answer is never stale.
// Per settings object, as the rules that made them are. The computation itself is kept, so the
// requests that arrive together after a change wait for one computation instead of each making
// its own (bench/slots.bench.ts: about 25 ms of CPU for 200 technicians).
const KEPT_AGENCIES = 500;
const kept = new WeakMap<object, Map<string, Promise<AgencySlots>>>();

/** The agency's free slots for a request made now (null: no such agency). */
export async function findFreeSlots(
  deps: SlotDeps,
  agencyId: string,
  options: { technicianId?: string } = {},
): Promise<AgencySlots | null> {
  const now = deps.clock.now();
  const agency = await deps.db.agency.findUnique({
    where: { id: agencyId },
    select: { id: true, timeZone: true, holidayCalendar: true, fieldHours: true, slotsVersion: true },
  });
  if (!agency) return null;
  const zone = agency.timeZone;
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  if (options.technicianId) return computeFreeSlots(deps, agency, today, now, options.technicianId);

  let cache = kept.get(deps.settings);
  if (!cache) {
    cache = new Map();
    kept.set(deps.settings, cache);
  }
  const key = `${agencyId}|${agency.slotsVersion}|${today.toISODate()}`;
  let computing = cache.get(key);
  if (!computing) {
    for (const stale of cache.keys()) if (stale.startsWith(`${agencyId}|`)) cache.delete(stale);
    if (cache.size >= KEPT_AGENCIES) cache.delete(cache.keys().next().value!);
    const started = computeFreeSlots(deps, agency, today, now);
    cache.set(key, started);
    // A failed computation (the database away) is not kept: the next request tries again.
    started.catch(() => cache.get(key) === started && cache.delete(key));
    computing = started;
  }
  const found = await computing;
  // Within the day, the slots already begun drop out (with a lead of 0 days).
  return { ...found, slots: found.slots.filter((slot) => slot.startsAt >= now) };
}

async function computeFreeSlots(
  deps: SlotDeps,
  agency: { id: string; timeZone: string; holidayCalendar: string; fieldHours: unknown },
  today: DateTime,
  now: Date,
  technicianId?: string,
): Promise<AgencySlots> {
  const agencyId = agency.id;
  const zone = agency.timeZone;
  const closures = await deps.db.agencyClosure.findMany({
    where: { agencyId, day: { gte: new Date(`${today.toISODate()}T00:00:00Z`) } },
    select: { day: true },
  });
  const calendar = withClosures(
    agencyCalendar(deps.calendar, agency),
    new Set(closures.map((c) => c.day.toISOString().slice(0, 10))),
  );
  const rules = deps.settings;
  const window = slotWindow(now, calendar, rules);
  const from = window.first.toJSDate();
  const to = window.last.plus({ days: 1 }).toJSDate();
  const fieldHours = fieldHoursOf(agency.fieldHours, deps.settings.fieldHours);

  const technicians = await deps.db.technician.findMany({
    where: {
      agencyId,
      active: true,
      NOT: { fieldWeekdays: { isEmpty: true } },
      ...(technicianId ? { id: technicianId } : {}),
    },
    select: { id: true, fieldWeekdays: true },
  });
  // The slots held and the absences in the window, one row per technician with its intervals as
  // text ("start end start end ...", epoch seconds): a large agency has thousands in the window,
  // and reading them one by one as timestamps into Dates cost more than all the rest of the
  // request (bench/slots.bench.ts).
  const rows = await deps.db.$queryRaw<Array<{ technicianId: string; intervals: string }>>`
    SELECT technician_id::text AS "technicianId",
           string_agg(date_part('epoch', starts_at) || ' ' || date_part('epoch', ends_at), ' ') AS intervals
    FROM (
      SELECT technician_id, starts_at, ends_at FROM appointments
      WHERE agency_id = ${agencyId}::uuid AND status IN ('BOOKED', 'CONFIRMED')
        AND starts_at < ${to} AND ends_at > ${from}
        -- No appointment lasts a day: this bound keeps the index scan off the years of history.
        AND starts_at > ${new Date(from.getTime() - DAY_MS)}
      UNION ALL
      SELECT a.technician_id, a.starts_at, a.ends_at
      FROM technician_absences a JOIN technicians t ON t.id = a.technician_id
      WHERE t.agency_id = ${agencyId}::uuid AND a.starts_at < ${to} AND a.ends_at > ${from}
    ) AS busy
    GROUP BY technician_id`;
  const busy = new Map(rows.map((r) => [r.technicianId, intervalsOf(r.intervals)]));

  const field: FieldTechnician[] = technicians.map((t) => ({
    id: t.id,
    fieldWeekdays: t.fieldWeekdays,
    busy: busy.get(t.id) ?? [],
  }));
  const slots = freeSlots(slotsInWindow({ fieldHours, calendar }, window, rules, now), field, zone);
  return {
    agencyId,
    zone,
    first: window.first.toISODate()!,
    last: window.last.toISODate()!,
    slots,
  };
}

const DAY_MS = 24 * 3600_000;

/** "start end start end ..." in epoch seconds, with milliseconds as fractions. */
function intervalsOf(text: string): Interval[] {
  const ms = text.split(' ').map((s) => Math.round(Number(s) * 1000));
  const intervals: Interval[] = [];
  for (let i = 0; i + 1 < ms.length; i += 2)
    intervals.push({ startsAt: new Date(ms[i]!), endsAt: new Date(ms[i + 1]!) });
  return intervals;
}

/** The agency's own field hours when they are valid, else the service's. */
function fieldHoursOf(stored: unknown, fallback: OpeningHours): OpeningHours {
  return stored && Value.Check(OpeningHoursSchema, stored) ? stored : fallback;
}

/** The agency's calendar, its closures counting as public holidays (neither is a working day). */
function withClosures(calendar: WindowCalendar, closedDays: ReadonlySet<string>): WindowCalendar {
  return {
    zone: calendar.zone,
    isPublicHoliday: (day) => closedDays.has(day.toISODate()!) || calendar.isPublicHoliday(day),
  };
}
