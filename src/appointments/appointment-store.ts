import { randomInt } from 'node:crypto';
import { recordOnTimeline } from '../cases/timeline.js';
import { Prisma } from '../generated/prisma/client.js';
import type { AppointmentDeps } from './appointments.deps.js';

// Reading an appointment with what its messages and events need, and telling the case's
// timeline (and so the consoles) what happened to it.

export const APPOINTMENT_SELECT = {
  id: true,
  caseId: true,
  customerId: true,
  agencyId: true,
  technicianId: true,
  startsAt: true,
  endsAt: true,
  status: true,
  interventionType: true,
  presenceRequired: true,
  meterLocation: true,
  meterAccessible: true,
  confirmBy: true,
  mobile: true,
  email: true,
  locale: true,
  replyCode: true,
  offeredSlots: true,
  offeredAt: true,
  confirmedAt: true,
  cancelledAt: true,
  cancelledBy: true,
  missedAt: true,
  missedBy: true,
  callDue: true,
  reason: true,
  createdAt: true,
  updatedAt: true,
  agency: { select: { name: true, timeZone: true, holidayCalendar: true } },
  technician: { select: { firstName: true, lastName: true } },
  case: { select: { number: true, subject: true, status: true } },
} as const satisfies Prisma.AppointmentSelect;

export type AppointmentRow = Prisma.AppointmentGetPayload<{ select: typeof APPOINTMENT_SELECT }>;

export function loadAppointment(deps: Pick<AppointmentDeps, 'db'>, id: string) {
  return deps.db.appointment.findUnique({ where: { id }, select: APPOINTMENT_SELECT });
}

/** A slot offered by SMS, as kept on the appointment until the customer picks one. */
export type OfferedSlot = { startsAt: string; endsAt: string };

export function offeredSlotsOf(row: { offeredSlots: unknown }): OfferedSlot[] {
  return Array.isArray(row.offeredSlots) ? (row.offeredSlots as OfferedSlot[]) : [];
}

/** An appointment event on the case's timeline, live on the consoles of its agency. */
export async function recordAppointmentEvent(
  deps: Pick<AppointmentDeps, 'db' | 'events' | 'clock'>,
  row: { id: string; caseId: string; agencyId: string },
  type: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await recordOnTimeline(deps.db, deps.events, {
    caseId: row.caseId,
    agencyId: row.agencyId,
    type,
    at: deps.clock.now(),
    data: { appointmentId: row.id, ...data },
  });
}

/** A four-digit reply code that no other appointment held for this mobile uses. */
export async function freshReplyCode(
  deps: Pick<AppointmentDeps, 'db'>,
  mobile: string | null,
): Promise<string> {
  const taken = new Set(
    mobile
      ? (
          await deps.db.appointment.findMany({
            where: { mobile, status: { in: ['BOOKED', 'CONFIRMED', 'RESCHEDULING'] } },
            select: { replyCode: true },
          })
        ).map((a) => a.replyCode)
      : [],
  );
  for (;;) {
    const code = String(randomInt(1000, 10000));
    if (!taken.has(code)) return code;
  }
}

/** The database refused a booking that would overlap one the technician already holds. */
export function isOverlapRefusal(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  const cause = (err.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined)
    ?.driverAdapterError?.cause;
  return cause?.originalCode === '23P01';
}
