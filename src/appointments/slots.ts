import { DateTime } from 'luxon';
import { type OpeningHours, rangesOn } from '../calendar/opening-hours.js';
import { addWorkingDays, type WindowCalendar } from '../oncall/on-call-windows.js';

// [AP-2] Which 2-hour slots an agency can offer, and which technicians are free in each. Pure:
// the store's reads are done by the caller (slot-finder.ts), so that the rules can be tested
// against any calendar, including the two daylight-saving days of Europe/Paris.
//
// A request made on day D is offered slots from D + 2 working days (J+2) to D + 10 working days,
// both settings. Working days are Monday to Friday that are neither public holidays nor the
// agency's closures; slots are cut from the agency's field hours on the days it works (a
// Saturday too when its hours say so), from each range's start, as many whole slots as fit.

export interface SlotRules {
  slotMinutes: number;
  leadWorkingDays: number;
  horizonWorkingDays: number;
}

export interface FieldAgency {
  fieldHours: OpeningHours;
  /** The agency's zone and public holidays, its closures counting as holidays. */
  calendar: WindowCalendar;
}

export interface Interval {
  startsAt: Date;
  endsAt: Date;
}

export interface FieldTechnician {
  id: string;
  /** ISO weekdays worked in the field: 1 = Monday ... 7 = Sunday. */
  fieldWeekdays: readonly number[];
  /** Absences and slots already held, in any order. */
  busy: readonly Interval[];
}

export interface Slot extends Interval {
  /** The local date, "2026-12-09". */
  day: string;
}

export interface FreeSlot extends Slot {
  /** Free technicians, the least busy that day first. */
  technicianIds: string[];
}

/** The local days a request made at `requestedAt` may be offered: [first, last], start of day. */
export function slotWindow(
  requestedAt: Date,
  calendar: WindowCalendar,
  rules: SlotRules,
): { first: DateTime; last: DateTime } {
  const day = DateTime.fromJSDate(requestedAt, { zone: calendar.zone }).startOf('day');
  return {
    first: addWorkingDays(day, rules.leadWorkingDays, calendar),
    last: addWorkingDays(day, rules.horizonWorkingDays, calendar),
  };
}

/** Every slot of the agency's field days in the window, in time order, none before `now`. */
export function slotsInWindow(
  agency: FieldAgency,
  window: { first: DateTime; last: DateTime },
  rules: SlotRules,
  now: Date,
): Slot[] {
  const slots: Slot[] = [];
  for (let day = window.first; day <= window.last; day = day.plus({ days: 1 }).startOf('day')) {
    if (agency.calendar.isPublicHoliday(day)) continue;
    for (const [from, to] of rangesOn(agency.fieldHours, day.weekday)) {
      for (let start = from; start + rules.slotMinutes <= to; start += rules.slotMinutes) {
        // Local wall-clock times, so 08:00 stays 08:00 on the days the clocks change.
        const startsAt = day.set({ hour: Math.floor(start / 60), minute: start % 60 });
        const endsAt = day.set({
          hour: Math.floor((start + rules.slotMinutes) / 60),
          minute: (start + rules.slotMinutes) % 60,
        });
        if (startsAt.toJSDate() < now) continue;
        slots.push({ startsAt: startsAt.toJSDate(), endsAt: endsAt.toJSDate(), day: day.toISODate()! });
      }
    }
  }
  return slots;
}

/** The slots with at least one free technician, each with its free technicians. */
export function freeSlots(
  slots: readonly Slot[],
  technicians: readonly FieldTechnician[],
  zone: string,
): FreeSlot[] {
  // Epoch milliseconds, plain loops and no date library per booking: a large agency compares
  // every slot with every technician's bookings, thousands of them (bench/slots.bench.ts).
  const days = new Map<string, { index: number; weekday: number; from: number; to: number }>();
  for (const { day } of slots) {
    if (days.has(day)) continue;
    const start = DateTime.fromISO(day, { zone }).startOf('day');
    const next = start.plus({ days: 1 }).startOf('day');
    days.set(day, { index: days.size, weekday: start.weekday, from: start.toMillis(), to: next.toMillis() });
  }
  const dayBounds = [...days.values()];
  const byTechnician = technicians.map((t) => {
    const starts = t.busy.map((b) => b.startsAt.getTime());
    const ends = t.busy.map((b) => b.endsAt.getTime());
    // What they hold on each of the slots' days (by the local day it starts): the least busy
    // that day is offered first, to spread the work.
    const load = dayBounds.map(({ from, to }) => countBetween(starts, from, to));
    return { id: t.id, weekdays: new Set(t.fieldWeekdays), starts, ends, load };
  });
  const free: FreeSlot[] = [];
  for (const slot of slots) {
    const day = days.get(slot.day)!;
    const from = slot.startsAt.getTime();
    const to = slot.endsAt.getTime();
    const available = byTechnician.filter((t) => t.weekdays.has(day.weekday) && !busyBetween(t, from, to));
    if (available.length === 0) continue;
    available.sort((a, b) => a.load[day.index]! - b.load[day.index]!);
    free.push({ ...slot, technicianIds: available.map((t) => t.id) });
  }
  return free;
}

/** How many of `instants` fall in [from, to). */
function countBetween(instants: readonly number[], from: number, to: number): number {
  let count = 0;
  for (const instant of instants) if (instant >= from && instant < to) count++;
  return count;
}

/** Whether one of the technician's intervals overlaps [from, to). */
function busyBetween(t: { starts: number[]; ends: number[] }, from: number, to: number): boolean {
  for (let i = 0; i < t.starts.length; i++) if (t.starts[i]! < to && t.ends[i]! > from) return true;
  return false;
}
