import { DateTime } from 'luxon';
import type { Locale } from '../generated/prisma/enums.js';
import { enqueueMessage, type SentMessage } from '../messaging/outbox.service.js';
import { traceSentAsContact } from '../messaging/sent-contacts.js';
import { agencyCalendar } from '../oncall/on-call-windows.js';
import type { AppointmentDeps } from './appointments.deps.js';
import type { Slot } from './slots.js';

// What the customer receives about an appointment. Every message is an outbox row on the case
// (purpose "appointment-…"); it becomes an outbound contact on the case when it is sent
// (appointmentSent below), so the trace says what actually left.

export interface AppointmentForMessages {
  id: string;
  caseId: string;
  customerId: string | null;
  startsAt: Date;
  endsAt: Date;
  locale: Locale;
  replyCode: string;
  presenceRequired: boolean;
  confirmBy: 'SMS' | 'EMAIL' | 'VOICE';
  mobile: string | null;
  email: string | null;
  agency: { name: string; timeZone: string; holidayCalendar: string };
}

/** "mardi 8 décembre", "08:00", "10:00" in the agency's zone and the customer's language. */
export function slotWords(slot: { startsAt: Date; endsAt: Date }, zone: string, locale: Locale) {
  const local = (at: Date) =>
    DateTime.fromJSDate(at, { zone }).setLocale(locale === 'en' ? 'en-GB' : 'fr-FR');
  const start = local(slot.startsAt);
  return {
    date: start.toFormat('cccc d LLLL'),
    from: start.toFormat('HH:mm'),
    to: local(slot.endsAt).toFormat('HH:mm'),
  };
}

/** Numbered choices for an SMS: "1) mardi 8 décembre 08:00-10:00". */
export function numberedSlots(slots: readonly Slot[], zone: string, locale: Locale) {
  return slots.map((slot, i) => ({ number: i + 1, ...slotWords(slot, zone, locale) }));
}

function baseVars(appointment: AppointmentForMessages) {
  return {
    ...slotWords(appointment, appointment.agency.timeZone, appointment.locale),
    agencyName: appointment.agency.name,
    replyCode: appointment.replyCode,
    presenceRequired: appointment.presenceRequired,
  };
}

/** An SMS about the appointment to its mobile (none: nothing is sent, and null says so). */
export async function smsCustomer(
  deps: AppointmentDeps,
  appointment: AppointmentForMessages,
  template: string,
  key: string,
  vars: Record<string, unknown> = {},
  notBefore?: Date,
): Promise<string | null> {
  if (!appointment.mobile) return null;
  const { id } = await enqueueMessage(deps.outbox, {
    channel: 'SMS',
    to: appointment.mobile,
    body: deps.templates.render(template, appointment.locale, { ...baseVars(appointment), ...vars }),
    purpose: purposeOf(template),
    // About a visit to the customer's home in the next days: it goes the same day, even at a
    // weekend, and a reply to the customer's own SMS goes at once.
    essential: true,
    locale: appointment.locale,
    caseId: appointment.caseId,
    ...(appointment.customerId ? { customerId: appointment.customerId } : {}),
    idempotencyKey: `appointment-${appointment.id}-${key}`,
    ...(notBefore ? { notBefore } : {}),
  });
  return id;
}

/** An e-mail about the appointment (subject, text and HTML from `template`); none without an address. */
async function emailCustomer(
  deps: AppointmentDeps,
  appointment: AppointmentForMessages,
  template: string,
  key: string,
  notBefore?: Date,
): Promise<void> {
  if (!appointment.email) return;
  const vars = baseVars(appointment);
  const render = (part: string) => deps.templates.render(`${template}.${part}`, appointment.locale, vars);
  await enqueueMessage(deps.outbox, {
    channel: 'EMAIL',
    to: appointment.email,
    subject: render('subject'),
    body: render('text'),
    html: render('html'),
    purpose: template.replace(/^email\//, ''),
    essential: true,
    locale: appointment.locale,
    caseId: appointment.caseId,
    ...(appointment.customerId ? { customerId: appointment.customerId } : {}),
    idempotencyKey: `appointment-${appointment.id}-${key}`,
    ...(notBefore ? { notBefore } : {}),
  });
}

/** The confirmation at booking [AP-3], by the channel the customer prefers. */
export async function sendBookingConfirmation(
  deps: AppointmentDeps,
  appointment: AppointmentForMessages,
  key: string,
): Promise<void> {
  if (appointment.confirmBy === 'EMAIL' && appointment.email) {
    await emailCustomer(deps, appointment, 'email/appointment-booked', key);
    return;
  }
  await smsCustomer(deps, appointment, 'sms/appointment-booked', key);
}

/**
 * [AP-3] The SMS the day before at the latest: at the set hour of the previous working day,
 * at once when that time has passed (a booking for the next working day). Its key names the
 * slot, so a moved appointment gets a new one and the old one is cancelled (cancelReminders).
 */
export async function scheduleReminder(
  deps: AppointmentDeps,
  appointment: AppointmentForMessages,
): Promise<void> {
  const calendar = agencyCalendar(deps.calendar, appointment.agency);
  let day = DateTime.fromJSDate(appointment.startsAt, { zone: calendar.zone }).startOf('day');
  do day = day.minus({ days: 1 });
  while (day.weekday > 5 || calendar.isPublicHoliday(day));
  const at = day
    .set({ hour: Math.floor(deps.settings.reminderMinute / 60), minute: deps.settings.reminderMinute % 60 })
    .toJSDate();
  const now = deps.clock.now();
  const key = `reminder-${appointment.startsAt.getTime()}`;
  if (appointment.mobile) {
    await smsCustomer(deps, appointment, 'sms/appointment-reminder', key, {}, at > now ? at : undefined);
    return;
  }
  // No mobile (booked with an e-mail only): the reminder goes by e-mail.
  await emailCustomer(deps, appointment, 'email/appointment-reminder', key, at > now ? at : undefined);
}

/** Withdraws the reminders still waiting (the appointment moved or ended). */
export async function cancelReminders(
  deps: AppointmentDeps,
  appointmentId: string,
  why: string,
): Promise<void> {
  await deps.db.message.updateMany({
    where: {
      purpose: 'appointment-reminder',
      status: 'QUEUED',
      idempotencyKey: { startsWith: `appointment-${appointmentId}-reminder-` },
    },
    data: { status: 'CANCELED', errorCode: 'obsolete', errorMessage: why, updatedAt: deps.clock.now() },
  });
}

/**
 * The outbox's last question before a reminder goes (one claimed before it was withdrawn): is
 * the appointment still held at the time the reminder names?
 */
export async function obsoleteReminder(
  deps: Pick<AppointmentDeps, 'db'>,
  messageId: string,
): Promise<string | null> {
  const message = await deps.db.message.findUnique({
    where: { id: messageId },
    select: { idempotencyKey: true },
  });
  const match = message?.idempotencyKey?.match(/^appointment-([0-9a-f-]{36})-reminder-(\d+)$/);
  if (!match) return null;
  const appointment = await deps.db.appointment.findUnique({
    where: { id: match[1]! },
    select: { status: true, startsAt: true },
  });
  if (!appointment || (appointment.status !== 'BOOKED' && appointment.status !== 'CONFIRMED'))
    return 'the appointment is no longer held';
  if (appointment.startsAt.getTime() !== Number(match[2])) return 'the appointment has moved';
  return null;
}

function purposeOf(template: string): string {
  return template.replace(/^sms\//, '');
}

/** [AP-3] An appointment message the provider took: an outbound contact on its case. */
export async function appointmentSent(
  deps: Pick<AppointmentDeps, 'db' | 'clock'>,
  message: SentMessage,
): Promise<void> {
  if (!message.purpose.startsWith('appointment-') || !message.caseId) return;
  await traceSentAsContact(
    deps,
    { ...message, caseId: message.caseId },
    SENT_SUMMARIES[message.purpose] ?? 'Message de rendez-vous',
  );
}

const SENT_SUMMARIES: Record<string, string> = {
  'appointment-booked': 'Confirmation de rendez-vous',
  'appointment-reminder': 'Rappel de rendez-vous (la veille)',
  'appointment-moved': 'Rendez-vous déplacé par l’entreprise',
  'appointment-rebooked': 'Nouveau rendez-vous confirmé',
  'appointment-company-cancelled': 'Rendez-vous annulé par l’entreprise, nouveaux créneaux proposés',
  'appointment-missed-by-us': 'Excuses pour le rendez-vous manqué, nouveaux créneaux proposés',
};
