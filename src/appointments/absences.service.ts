import { DateTime } from 'luxon';
import { isOverlapRefusal, loadAppointment, recordAppointmentEvent } from './appointment-store.js';
import { type AppointmentDeps, HOLDING_STATUSES } from './appointments.deps.js';
import { cancelByCompany } from './changes.service.js';

// [AP-4] A technician's absence recorded after appointments were booked: each of their
// appointments in it goes to another technician of the agency free at the same time (the
// customer sees no change), and only when none is free is it cancelled by the company, with
// apologies and new slots.

export interface AbsenceOutcome {
  absenceId: string;
  /** Appointments handed to another technician at the same time. */
  reassigned: number;
  /** Appointments cancelled by the company (nobody free then). */
  cancelled: number;
}

export async function recordAbsence(
  deps: AppointmentDeps,
  technicianId: string,
  absence: { startsAt: Date; endsAt: Date; reason?: string },
): Promise<AbsenceOutcome> {
  const { id: absenceId } = await deps.db.technicianAbsence.create({
    data: {
      technicianId,
      startsAt: absence.startsAt,
      endsAt: absence.endsAt,
      reason: absence.reason ?? null,
      createdAt: deps.clock.now(),
    },
  });
  return { absenceId, ...(await rehomeAppointments(deps, technicianId, absence)) };
}

/** Moves the technician's held appointments within [startsAt, endsAt) off them. */
export async function rehomeAppointments(
  deps: AppointmentDeps,
  technicianId: string,
  during: { startsAt: Date; endsAt: Date; reason?: string },
): Promise<{ reassigned: number; cancelled: number }> {
  const affected = await deps.db.appointment.findMany({
    where: {
      technicianId,
      status: { in: [...HOLDING_STATUSES] },
      startsAt: { lt: during.endsAt },
      // Only what is still to come.
      endsAt: { gt: new Date(Math.max(during.startsAt.getTime(), deps.clock.now().getTime())) },
    },
    select: { id: true, agencyId: true, startsAt: true, endsAt: true },
    orderBy: { startsAt: 'asc' },
  });
  let reassigned = 0;
  let cancelled = 0;
  for (const appointment of affected) {
    const handed = await handOver(deps, appointment, technicianId);
    if (handed === 'reassigned') reassigned += 1;
    else if (handed === 'nobody free')
      if ((await cancelByCompany(deps, appointment.id, during.reason ?? 'Technicien absent')).ok)
        cancelled += 1;
  }
  return { reassigned, cancelled };
}

/** Gives the appointment to another technician free at the same time, if one is. */
async function handOver(
  deps: AppointmentDeps,
  appointment: { id: string; agencyId: string; startsAt: Date; endsAt: Date },
  absent: string,
): Promise<'reassigned' | 'nobody free' | 'changed meanwhile'> {
  const agency = await deps.db.agency.findUniqueOrThrow({
    where: { id: appointment.agencyId },
    select: { timeZone: true },
  });
  const weekday = DateTime.fromJSDate(appointment.startsAt, { zone: agency.timeZone }).weekday;
  const overlapping = { startsAt: { lt: appointment.endsAt }, endsAt: { gt: appointment.startsAt } };
  const free = await deps.db.technician.findMany({
    where: {
      agencyId: appointment.agencyId,
      id: { not: absent },
      active: true,
      fieldWeekdays: { has: weekday },
      absences: { none: overlapping },
      appointments: { none: { status: { in: [...HOLDING_STATUSES] }, ...overlapping } },
    },
    select: { id: true },
  });
  for (const { id } of free) {
    try {
      const moved = await deps.db.appointment.updateMany({
        where: { id: appointment.id, technicianId: absent, status: { in: [...HOLDING_STATUSES] } },
        data: { technicianId: id, updatedAt: deps.clock.now() },
      });
      if (moved.count === 0) return 'changed meanwhile';
      const row = (await loadAppointment(deps, appointment.id))!;
      await recordAppointmentEvent(deps, row, 'appointment.reassigned', { from: absent, technicianId: id });
      return 'reassigned';
    } catch (err) {
      if (!isOverlapRefusal(err)) throw err;
    }
  }
  return 'nobody free';
}

/** `rehomeAppointments` for each period an import made a technician unavailable. */
export async function rehomeAll(
  deps: AppointmentDeps,
  periods: ReadonlyArray<{ technicianId: string; startsAt: Date; endsAt: Date; reason?: string }>,
): Promise<void> {
  for (const period of periods) await rehomeAppointments(deps, period.technicianId, period);
}
