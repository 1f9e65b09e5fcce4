import type { AppointmentParty } from '../generated/prisma/enums.js';
import {
  APPOINTMENT_SELECT,
  type AppointmentRow,
  isOverlapRefusal,
  loadAppointment,
  type OfferedSlot,
  offeredSlotsOf,
  recordAppointmentEvent,
} from './appointment-store.js';
import { type AppointmentDeps, HOLDING_STATUSES } from './appointments.deps.js';
import { cancelReminders, numberedSlots, scheduleReminder, smsCustomer } from './customer-messages.js';
import { findFreeSlots } from './slot-finder.js';
import type { FreeSlot } from './slots.js';

// What happens to a booked appointment: the customer confirms, cancels or asks for another slot
// (by SMS or on the phone with an agent); the company moves it, cancels it or misses it, and
// then tells the customer at once with apologies and offers new slots [AP-4]; a customer's
// no-show may carry the trip's fee [AP-5]. Each change is on the case's timeline, live.

export type ChangeRefusal = 'not_found' | 'not_held' | 'slot_unavailable' | 'slot_taken' | 'not_over';
export type ChangeResult =
  | { ok: true; appointment: AppointmentRow }
  | { ok: false; code: ChangeRefusal; message: string };

const refuse = (code: ChangeRefusal, message: string): ChangeResult => ({ ok: false, code, message });
const isHeld = (row: { status: string }) => (HOLDING_STATUSES as readonly string[]).includes(row.status);

async function reload(deps: AppointmentDeps, id: string): Promise<ChangeResult> {
  const appointment = await loadAppointment(deps, id);
  return appointment ? { ok: true, appointment } : refuse('not_found', 'no such appointment');
}

/** The customer confirms (a reply "OUI", or on the phone). */
export async function confirmAppointment(
  deps: AppointmentDeps,
  id: string,
  via: string,
): Promise<ChangeResult> {
  const now = deps.clock.now();
  const { count } = await deps.db.appointment.updateMany({
    where: { id, status: 'BOOKED', startsAt: { gt: now } },
    data: { status: 'CONFIRMED', confirmedAt: now, updatedAt: now },
  });
  const result = await reload(deps, id);
  if (!result.ok) return result;
  if (count === 0 && result.appointment.status !== 'CONFIRMED')
    return refuse('not_held', 'this appointment is no longer booked');
  if (count > 0) await recordAppointmentEvent(deps, result.appointment, 'appointment.confirmed', { via });
  return result;
}

/** The customer cancels: the slot is free at once, the reminder withdrawn. */
export async function cancelByCustomer(
  deps: AppointmentDeps,
  id: string,
  via: string,
  reason?: string,
): Promise<ChangeResult> {
  const now = deps.clock.now();
  const { count } = await deps.db.appointment.updateMany({
    where: { id, status: { in: [...HOLDING_STATUSES, 'RESCHEDULING'] } },
    data: {
      status: 'CANCELLED',
      cancelledAt: now,
      cancelledBy: 'CUSTOMER',
      offeredSlots: [],
      reason: reason ?? null,
      updatedAt: now,
    },
  });
  if (count === 0)
    return (await reload(deps, id)).ok
      ? refuse('not_held', 'this appointment is no longer booked')
      : refuse('not_found', 'no such appointment');
  await cancelReminders(deps, id, 'the customer cancelled the appointment');
  const result = await reload(deps, id);
  if (result.ok)
    await recordAppointmentEvent(deps, result.appointment, 'appointment.cancelled', { by: 'CUSTOMER', via });
  return result;
}

/**
 * [AP-4] The company cancels (a technician absent, a delay announced on the day): the slot is
 * freed, an agent is to phone the customer, and an SMS apologises and offers new slots.
 */
export async function cancelByCompany(
  deps: AppointmentDeps,
  id: string,
  reason: string,
): Promise<ChangeResult> {
  const now = deps.clock.now();
  const { count } = await deps.db.appointment.updateMany({
    where: { id, status: { in: [...HOLDING_STATUSES] } },
    data: {
      status: 'RESCHEDULING',
      technicianId: null,
      cancelledAt: now,
      cancelledBy: 'COMPANY',
      callDue: true,
      reason,
      updatedAt: now,
    },
  });
  if (count === 0)
    return (await reload(deps, id)).ok
      ? refuse('not_held', 'this appointment is no longer booked')
      : refuse('not_found', 'no such appointment');
  await cancelReminders(deps, id, 'the company cancelled the appointment');
  const row = (await loadAppointment(deps, id))!;
  await recordAppointmentEvent(deps, row, 'appointment.cancelled', { by: 'COMPANY', reason });
  return offerNewSlots(deps, row, 'company-cancelled');
}

/**
 * Marks an appointment missed. By the customer: over, and the case flagged for the trip's fee
 * when the tariff charges it [AP-5]. By the company: apologies and new slots [AP-4].
 */
export async function markMissed(
  deps: AppointmentDeps,
  id: string,
  by: AppointmentParty,
  reason?: string,
): Promise<ChangeResult> {
  const now = deps.clock.now();
  const row = await loadAppointment(deps, id);
  if (!row) return refuse('not_found', 'no such appointment');
  if (!isHeld(row)) return refuse('not_held', 'only a booked appointment can be missed');
  if (row.startsAt > now) return refuse('not_over', 'this appointment has not started yet');
  const { count } = await deps.db.appointment.updateMany({
    where: { id, status: { in: [...HOLDING_STATUSES] } },
    data: {
      status: by === 'CUSTOMER' ? 'MISSED' : 'RESCHEDULING',
      // The company's miss is rebooked: no slot is held until the customer picks one.
      ...(by === 'COMPANY' ? { technicianId: null } : {}),
      missedAt: now,
      missedBy: by,
      callDue: by === 'COMPANY',
      reason: reason ?? null,
      updatedAt: now,
    },
  });
  if (count === 0) return refuse('not_held', 'this appointment is no longer booked');
  const missed = (await loadAppointment(deps, id))!;
  await recordAppointmentEvent(deps, missed, 'appointment.missed', { by, ...(reason ? { reason } : {}) });
  if (by === 'CUSTOMER') {
    if (deps.settings.noShowFee)
      await deps.db.case.update({ where: { id: row.caseId }, data: { travelFeeDue: true } });
    return { ok: true, appointment: missed };
  }
  return offerNewSlots(deps, missed, 'missed-by-us');
}

/**
 * Moves a booked appointment to another free slot (the company, on the console), or books the
 * slot a customer picked by SMS. The old slot is freed in the same statement.
 */
export async function moveAppointment(
  deps: AppointmentDeps,
  id: string,
  startsAt: Date,
  by: AppointmentParty,
  reason?: string,
): Promise<ChangeResult> {
  const row = await loadAppointment(deps, id);
  if (!row) return refuse('not_found', 'no such appointment');
  if (!isHeld(row) && row.status !== 'RESCHEDULING') return refuse('not_held', 'this appointment is over');
  const free = await findFreeSlots(deps, row.agencyId);
  const slot = free?.slots.find((s) => s.startsAt.getTime() === startsAt.getTime());
  if (!slot)
    return refuse('slot_unavailable', 'no technician is free then within the days that can be offered');
  const moved = await takeSlot(deps, row, slot, by === 'CUSTOMER' ? 'CONFIRMED' : 'BOOKED', {
    callDue: by === 'COMPANY' || row.callDue,
    reason: reason ?? row.reason,
  });
  if (!moved) return refuse('slot_taken', 'this slot was just booked by someone else: choose another');
  await cancelReminders(deps, id, 'the appointment moved');
  await recordAppointmentEvent(deps, moved, 'appointment.moved', {
    by,
    from: row.startsAt.toISOString(),
    startsAt: moved.startsAt.toISOString(),
    endsAt: moved.endsAt.toISOString(),
  });
  const key = `moved-${moved.startsAt.getTime()}`;
  if (by === 'COMPANY') await smsCustomer(deps, moved, 'sms/appointment-moved', key);
  else await smsCustomer(deps, moved, 'sms/appointment-rebooked', key);
  await scheduleReminder(deps, moved);
  return { ok: true, appointment: moved };
}

/**
 * Holds `slot` for the appointment with the first of its free technicians the database accepts
 * (another booking may take one between the read and the write). Null when none is left.
 */
async function takeSlot(
  deps: AppointmentDeps,
  row: AppointmentRow,
  slot: FreeSlot,
  status: 'BOOKED' | 'CONFIRMED',
  extra: { callDue: boolean; reason: string | null },
): Promise<AppointmentRow | null> {
  const now = deps.clock.now();
  for (const technicianId of slot.technicianIds) {
    try {
      return await deps.db.appointment.update({
        where: { id: row.id, status: row.status },
        data: {
          technicianId,
          startsAt: slot.startsAt,
          endsAt: slot.endsAt,
          status,
          confirmedAt: status === 'CONFIRMED' ? now : null,
          offeredSlots: [],
          offeredAt: null,
          ...extra,
          updatedAt: now,
        },
        select: APPOINTMENT_SELECT,
      });
    } catch (err) {
      if (!isOverlapRefusal(err)) throw err;
    }
  }
  return null;
}

/**
 * Offers the next free slots by SMS, numbered ("reply 1, 2 or 3"), keeping them on the
 * appointment until the customer picks one. With none free within the horizon, the scheduling
 * team is to call the customer back [AP-2], and the SMS says so.
 */
export async function offerNewSlots(
  deps: AppointmentDeps,
  row: AppointmentRow,
  reason: 'company-cancelled' | 'missed-by-us' | 'asked' | 'stale' | 'unknown-number',
): Promise<ChangeResult> {
  const now = deps.clock.now();
  const free = await findFreeSlots(deps, row.agencyId);
  const current = row.startsAt.getTime();
  const slots = (free?.slots ?? [])
    .filter((s) => !(isHeld(row) && s.startsAt.getTime() === current))
    .slice(0, deps.settings.offeredSlots);
  const offered: OfferedSlot[] = slots.map((s) => ({
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
  }));
  await deps.db.appointment.update({
    where: { id: row.id },
    data: { offeredSlots: offered, offeredAt: offered.length > 0 ? now : null, updatedAt: now },
  });
  if (offered.length === 0)
    await deps.db.case.update({ where: { id: row.caseId }, data: { schedulingCallbackSince: now } });
  const updated = (await loadAppointment(deps, row.id))!;
  await recordAppointmentEvent(deps, updated, 'appointment.slots-offered', { reason, count: offered.length });
  const choices = numberedSlots(slots, updated.agency.timeZone, updated.locale);
  await smsCustomer(deps, updated, `sms/appointment-${reason}`, `offer-${now.getTime()}`, {
    choices,
    none: choices.length === 0,
  });
  return { ok: true, appointment: updated };
}

/** The customer's pick among the offered slots: booked when still free, else fresh choices. */
export async function pickOfferedSlot(
  deps: AppointmentDeps,
  id: string,
  number: number,
): Promise<ChangeResult> {
  const row = await loadAppointment(deps, id);
  if (!row) return refuse('not_found', 'no such appointment');
  const offered = offeredSlotsOf(row)[number - 1];
  if (!offered) return offerNewSlots(deps, row, 'unknown-number');
  const moved = await moveAppointment(deps, id, new Date(offered.startsAt), 'CUSTOMER');
  if (moved.ok || moved.code === 'not_found' || moved.code === 'not_held') return moved;
  return offerNewSlots(deps, row, 'stale');
}

/** [AP-6] The request is withdrawn: each appointment still held or awaiting a pick is cancelled. */
export async function cancelAppointmentsOfCase(
  deps: AppointmentDeps,
  caseId: string,
  reason: string,
): Promise<number> {
  const open = await deps.db.appointment.findMany({
    where: { caseId, status: { in: [...HOLDING_STATUSES, 'RESCHEDULING'] } },
    select: { id: true },
  });
  let cancelled = 0;
  for (const { id } of open)
    if ((await cancelByCustomer(deps, id, 'request-cancelled', reason)).ok) cancelled += 1;
  return cancelled;
}
