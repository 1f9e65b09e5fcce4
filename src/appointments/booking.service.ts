import { DateTime } from 'luxon';
import { OPEN_CASE_STATUSES } from '../cases/case-scope.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Locale } from '../generated/prisma/enums.js';
import { isMobile, toE164 } from '../identification/phone-number.js';
import {
  APPOINTMENT_SELECT,
  type AppointmentRow,
  freshReplyCode,
  isOverlapRefusal,
  recordAppointmentEvent,
} from './appointment-store.js';
import type { AppointmentDeps } from './appointments.deps.js';
import { scheduleReminder, sendBookingConfirmation } from './customer-messages.js';
import { type InterventionType, meterAccessible, presenceRequired } from './interventions.js';
import { type AgencySlots, findFreeSlots } from './slot-finder.js';

// [AP-1] [AP-2] [AP-3] Booking a free slot on a case: the slot must be one the rules offer now
// (J+2 to J+10 working days, field hours, no holiday or closure, a technician free); the database
// refuses two bookings of one technician at once, and then the next free technician is tried.
// The customer gets a confirmation at once and an SMS the day before at the latest.

export interface BookingRequest {
  caseId: string;
  startsAt: string;
  technicianId?: string;
  interventionType: InterventionType;
  presenceRequired?: boolean;
  meterLocation: string;
  meterAccessible: boolean;
  /** The customer confirmed that a garage, cellar or landing meter is accessible. */
  accessibilityConfirmed?: boolean;
  confirmBy?: 'SMS' | 'EMAIL';
  mobile?: string;
  email?: string;
  locale?: Locale;
}

export type BookingRefusal =
  | 'not_found'
  | 'closed'
  | 'no_agency'
  | 'already_booked'
  | 'contact_required'
  | 'slot_unavailable'
  | 'slot_taken';

type Refused = { ok: false; code: BookingRefusal; message: string };
export type BookingResult = { ok: true; appointment: AppointmentRow } | Refused;

const refuse = (code: BookingRefusal, message: string): Refused => ({ ok: false, code, message });

export async function bookAppointment(
  deps: AppointmentDeps,
  request: BookingRequest,
  actor: { userId: string | null; sees: Prisma.CaseWhereInput },
): Promise<BookingResult> {
  const kase = await deps.db.case.findFirst({
    where: { AND: [{ id: request.caseId }, actor.sees] },
    select: {
      id: true,
      number: true,
      status: true,
      agencyId: true,
      interventionMobile: true,
      customerId: true,
      customer: {
        select: {
          email: true,
          emailFailing: true,
          locale: true,
          phones: { where: { kind: 'MOBILE', failing: false }, select: { e164: true }, take: 1 },
        },
      },
    },
  });
  if (!kase) return refuse('not_found', 'no such case');
  if (!(OPEN_CASE_STATUSES as readonly string[]).includes(kase.status))
    return refuse('closed', `case ${kase.number} is closed`);
  if (!kase.agencyId) return refuse('no_agency', `case ${kase.number} has no agency: give it one first`);
  const held = await deps.db.appointment.findFirst({
    where: { caseId: kase.id, status: { in: ['BOOKED', 'CONFIRMED', 'RESCHEDULING'] } },
    select: { id: true },
  });
  if (held)
    return refuse('already_booked', `case ${kase.number} already has an appointment: move or cancel it`);

  const contact = reachable(request, kase);
  if ('code' in contact) return contact;

  const startsAt = new Date(request.startsAt);
  const found = await findFreeSlots(deps, kase.agencyId, {
    ...(request.technicianId ? { technicianId: request.technicianId } : {}),
  });
  const slot = found?.slots.find((s) => s.startsAt.getTime() === startsAt.getTime());
  if (!found || !slot) return refuse('slot_unavailable', whyUnavailable(deps, found, startsAt, request));

  const accessible = meterAccessible(request);
  const replyCode = await freshReplyCode(deps, contact.mobile);
  for (const technicianId of slot.technicianIds) {
    try {
      const appointment = await deps.db.appointment.create({
        data: {
          caseId: kase.id,
          customerId: kase.customerId,
          agencyId: kase.agencyId,
          technicianId,
          startsAt: slot.startsAt,
          endsAt: slot.endsAt,
          interventionType: request.interventionType,
          presenceRequired: presenceRequired(request.interventionType, accessible, request.presenceRequired),
          meterLocation: request.meterLocation.trim(),
          meterAccessible: accessible,
          confirmBy: contact.confirmBy,
          mobile: contact.mobile,
          email: contact.email,
          locale: request.locale ?? kase.customer?.locale ?? 'fr',
          replyCode,
          bookedById: actor.userId,
          createdAt: deps.clock.now(),
        },
        select: APPOINTMENT_SELECT,
      });
      await afterBooking(deps, appointment);
      return { ok: true, appointment };
    } catch (err) {
      // Another agent took this technician's slot a moment ago: the next free one, if any.
      if (!isOverlapRefusal(err)) throw err;
    }
  }
  return refuse('slot_taken', 'this slot was just booked by someone else: choose another');
}

async function afterBooking(deps: AppointmentDeps, appointment: AppointmentRow): Promise<void> {
  // [AP-2] An appointment is booked: the scheduling team no longer has to call back.
  await deps.db.case.update({
    where: { id: appointment.caseId },
    data: { schedulingCallbackSince: null },
  });
  await recordAppointmentEvent(deps, appointment, 'appointment.booked', {
    startsAt: appointment.startsAt.toISOString(),
    endsAt: appointment.endsAt.toISOString(),
    technicianId: appointment.technicianId,
  });
  await sendBookingConfirmation(deps, appointment, `booked-${appointment.startsAt.getTime()}`);
  await scheduleReminder(deps, appointment);
}

/** Where the confirmations go: a valid mobile (SMS) or e-mail, as given or from the customer's file. */
function reachable(
  request: BookingRequest,
  kase: {
    interventionMobile: string | null;
    customer: { email: string | null; emailFailing: boolean; phones: Array<{ e164: string }> } | null;
  },
): { mobile: string | null; email: string | null; confirmBy: 'SMS' | 'EMAIL' } | Refused {
  let mobile: string | null = null;
  if (request.mobile !== undefined) {
    const e164 = toE164(request.mobile);
    if (!e164 || !isMobile(e164))
      return refuse('contact_required', `"${request.mobile}" is not a mobile number`);
    mobile = e164;
  } else mobile = kase.interventionMobile ?? kase.customer?.phones[0]?.e164 ?? null;
  const email =
    request.email?.trim() ||
    (kase.customer?.email && !kase.customer.emailFailing ? kase.customer.email : null) ||
    null;
  const confirmBy = request.confirmBy ?? (mobile ? 'SMS' : 'EMAIL');
  if (confirmBy === 'SMS' && !mobile)
    return refuse('contact_required', 'a mobile number is needed to confirm by SMS');
  if (confirmBy === 'EMAIL' && !email)
    return refuse(
      'contact_required',
      'a valid mobile or e-mail address is needed to book: the customer must receive the confirmation',
    );
  return { mobile, email, confirmBy };
}

/** Why a time is not a free slot, in words an agent can act on. */
function whyUnavailable(
  deps: Pick<AppointmentDeps, 'clock'>,
  found: AgencySlots | null,
  startsAt: Date,
  request: BookingRequest,
): string {
  if (!found) return 'the agency is unknown';
  if (Number.isNaN(startsAt.getTime())) return `"${request.startsAt}" is not a date-time`;
  if (startsAt < deps.clock.now()) return 'this time is in the past';
  const day = DateTime.fromJSDate(startsAt, { zone: found.zone }).toISODate()!;
  if (day < found.first) return `the first day that can be offered is ${found.first} (J+2 working days)`;
  if (day > found.last) return `the last day that can be offered is ${found.last} (10 working days)`;
  if (request.technicianId) return 'this technician is not free then (absent, off the roster or booked)';
  return 'no free slot starts then: outside field hours, a public holiday, a closure, or every technician is busy';
}
