import { type Static, Type } from '@sinclair/typebox';
import { MessageChannel } from '../cases/cases.schemas.js';
import { Locale } from '../platform/auth/auth.schemas.js';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

// The appointments' api answers (the console imports these types).

export const AppointmentStatus = OneOf([
  'BOOKED',
  'CONFIRMED',
  'RESCHEDULING',
  'CANCELLED',
  'MISSED',
  'DONE',
]);
export type AppointmentStatus = Static<typeof AppointmentStatus>;
export const AppointmentParty = OneOf(['CUSTOMER', 'COMPANY']);
export type AppointmentParty = Static<typeof AppointmentParty>;
export const InterventionTypeName = OneOf([
  'index-dispute',
  'swapped-meters',
  'meter-accuracy-check',
  'sanitation-survey',
  'field-quote',
  'meter-replacement',
  'meter-reading',
  'leak-check',
  'other',
]);
export type InterventionTypeName = Static<typeof InterventionTypeName>;

export const FreeSlot = Type.Object({
  startsAt: Timestamp,
  endsAt: Timestamp,
  /** The local date, "2026-12-09". */
  day: Type.String(),
  /** How many technicians are free then. */
  technicians: Type.Integer(),
});
export type FreeSlot = Static<typeof FreeSlot>;

export const FreeSlots = Type.Object({
  agencyId: Type.String(),
  zone: Type.String(),
  /** [AP-2] The first and last local days offered (J+2 to J+10 working days). */
  first: Type.String(),
  last: Type.String(),
  slots: Type.Array(FreeSlot),
});
export type FreeSlots = Static<typeof FreeSlots>;

const OfferedSlot = Type.Object({ startsAt: Timestamp, endsAt: Timestamp });

export const Appointment = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  caseNumber: Type.Integer(),
  caseSubject: Type.String(),
  customerId: Nullable(Type.String()),
  agencyId: Type.String(),
  agencyName: Type.String(),
  technicianId: Nullable(Type.String()),
  technicianName: Nullable(Type.String()),
  startsAt: Timestamp,
  endsAt: Timestamp,
  status: AppointmentStatus,
  interventionType: Type.String(),
  presenceRequired: Type.Boolean(),
  meterLocation: Type.String(),
  meterAccessible: Type.Boolean(),
  confirmBy: MessageChannel,
  mobile: Nullable(Type.String()),
  email: Nullable(Type.String()),
  locale: Locale,
  replyCode: Type.String(),
  offeredSlots: Type.Array(OfferedSlot),
  confirmedAt: Nullable(Timestamp),
  cancelledAt: Nullable(Timestamp),
  cancelledBy: Nullable(AppointmentParty),
  missedAt: Nullable(Timestamp),
  missedBy: Nullable(AppointmentParty),
  /** [AP-4] The company changed it: an agent is to phone the customer. */
  callDue: Type.Boolean(),
  reason: Nullable(Type.String()),
  updatedAt: Timestamp,
});
export type Appointment = Static<typeof Appointment>;

/** The customer's last SMS reply about an appointment ("OUI", "3"...), as the reply router read it. */
export const AppointmentReply = Type.Object({
  at: Timestamp,
  body: Type.String(),
  intent: Nullable(Type.String()),
});
export type AppointmentReply = Static<typeof AppointmentReply>;

/** An appointment of the Appointments screen's lists, with the customer's last reply. */
export const ListedAppointment = Type.Object({
  ...Appointment.properties,
  lastReply: Nullable(AppointmentReply),
});
export type ListedAppointment = Static<typeof ListedAppointment>;

export const AppointmentList = Type.Object({ appointments: Type.Array(ListedAppointment) });
export type AppointmentList = Static<typeof AppointmentList>;

export const SchedulingCallbacks = Type.Object({
  cases: Type.Array(
    Type.Object({
      id: Type.String(),
      number: Type.Integer(),
      subject: Type.String(),
      agencyId: Nullable(Type.String()),
      mobile: Nullable(Type.String()),
      since: Timestamp,
    }),
  ),
});
export type SchedulingCallbacks = Static<typeof SchedulingCallbacks>;
