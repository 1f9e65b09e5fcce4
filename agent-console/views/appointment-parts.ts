// What the Appointments screen (appointments.ts) and the open case's appointment card
// (case-appointment.ts) both show: an appointment's status, intervention, day and time, and the
// api's refusals in the agent's language.

import type {
  Appointment,
  AppointmentStatus,
  InterventionTypeName,
} from '../../src/appointments/appointments.schemas.js';
import { ApiError } from '../api.js';
import { h } from '../dom.js';
import { addStrings, locale, t, tEnum } from '../i18n.js';

addStrings({
  fr: {
    'appt.status.BOOKED': 'à confirmer',
    'appt.status.CONFIRMED': 'confirmé',
    'appt.status.RESCHEDULING': 'créneaux proposés',
    'appt.status.CANCELLED': 'annulé',
    'appt.status.MISSED': 'manqué',
    'appt.status.DONE': 'effectué',
    'appt.type.index-dispute': 'Contestation d’index',
    'appt.type.swapped-meters': 'Compteurs inversés',
    'appt.type.meter-accuracy-check': 'Vérification de la justesse du compteur',
    'appt.type.sanitation-survey': 'Enquête assainissement',
    'appt.type.field-quote': 'Devis sur place',
    'appt.type.meter-replacement': 'Remplacement du compteur',
    'appt.type.meter-reading': 'Relève du compteur',
    'appt.type.leak-check': 'Recherche de fuite',
    'appt.type.other': 'Autre intervention',
    'appt.time': '{from}–{to}',
    'appt.presence': 'présence du client requise',
    'appt.technician': 'technicien : {name}',
    'appt.noTechnician': 'aucun technicien (en attente d’un nouveau créneau)',
    'appt.party.CUSTOMER': 'le client',
    'appt.party.COMPANY': 'l’entreprise',
    'appt.err.slot_taken': 'Ce créneau vient d’être pris : choisissez-en un autre (la liste est à jour).',
    'appt.err.slot_unavailable':
      'Ce créneau ne peut plus être proposé (déjà pris, ou hors des jours et heures d’intervention) : choisissez-en un autre.',
    'appt.err.already_booked': 'Ce dossier a déjà un rendez-vous : déplacez-le ou annulez-le.',
    'appt.err.contact_required':
      'Il faut un portable valide pour confirmer par SMS (un fixe ne reçoit pas de SMS), ou une adresse e-mail au dossier du client pour confirmer par e-mail.',
    'appt.err.mobile_required':
      'Il faut un numéro de portable valide pour que l’équipe planification rappelle le client.',
    'appt.err.closed': 'Ce dossier est clos : plus de rendez-vous possible.',
    'appt.err.no_agency': 'Le dossier n’a pas d’agence : aucun créneau ne peut être proposé.',
    'appt.err.not_held': 'Ce rendez-vous n’est plus en cours : rien n’a changé.',
    'appt.err.not_over': 'Ce rendez-vous n’a pas encore commencé : il ne peut pas être manqué.',
    'appt.err.not_found': 'Rendez-vous ou dossier introuvable (supprimé, ou d’une autre agence).',
    'appt.err.invalid': 'Demande refusée : {message}',
  },
  en: {
    'appt.status.BOOKED': 'to confirm',
    'appt.status.CONFIRMED': 'confirmed',
    'appt.status.RESCHEDULING': 'new slots offered',
    'appt.status.CANCELLED': 'cancelled',
    'appt.status.MISSED': 'missed',
    'appt.status.DONE': 'done',
    'appt.type.index-dispute': 'Index dispute',
    'appt.type.swapped-meters': 'Swapped meters',
    'appt.type.meter-accuracy-check': 'Meter accuracy check',
    'appt.type.sanitation-survey': 'Sanitation survey',
    'appt.type.field-quote': 'On-site quote',
    'appt.type.meter-replacement': 'Meter replacement',
    'appt.type.meter-reading': 'Meter reading',
    'appt.type.leak-check': 'Leak check',
    'appt.type.other': 'Other intervention',
    'appt.time': '{from}–{to}',
    'appt.presence': 'customer must be present',
    'appt.technician': 'technician: {name}',
    'appt.noTechnician': 'no technician (waiting for a new slot)',
    'appt.party.CUSTOMER': 'the customer',
    'appt.party.COMPANY': 'the company',
    'appt.err.slot_taken': 'This slot was just taken: choose another (the list is up to date).',
    'appt.err.slot_unavailable':
      'This slot can no longer be offered (taken, or outside the days and hours of field work): choose another.',
    'appt.err.already_booked': 'This case already has an appointment: move or cancel it.',
    'appt.err.contact_required':
      'A valid mobile is needed to confirm by SMS (a landline gets no SMS), or an e-mail address on the customer’s record to confirm by e-mail.',
    'appt.err.mobile_required': 'A valid mobile number is needed for the scheduling team to call back.',
    'appt.err.closed': 'This case is closed: no more appointments.',
    'appt.err.no_agency': 'The case has no agency: no slot can be offered.',
    'appt.err.not_held': 'This appointment is no longer held: nothing changed.',
    'appt.err.not_over': 'This appointment has not started yet: it cannot be missed.',
    'appt.err.not_found': 'No such appointment or case (deleted, or another agency’s).',
    'appt.err.invalid': 'Refused: {message}',
  },
});

/** Every intervention an appointment is booked for; checked against the api's list. */
export const INTERVENTIONS = [
  'index-dispute',
  'swapped-meters',
  'meter-accuracy-check',
  'sanitation-survey',
  'field-quote',
  'meter-replacement',
  'meter-reading',
  'leak-check',
  'other',
] as const satisfies readonly InterventionTypeName[];

/** The statuses in which an appointment still holds (or waits for) a slot. */
export const HELD: readonly AppointmentStatus[] = ['BOOKED', 'CONFIRMED', 'RESCHEDULING'];

export const interventionLabel = (type: string) => tEnum('appt.type', type);

/** "08:00–10:00", in `zone` when given (a slot's agency), else the browser's. */
export function slotTime(slot: { startsAt: string; endsAt: string }, zone?: string): string {
  const format = new Intl.DateTimeFormat(locale(), {
    hour: '2-digit',
    minute: '2-digit',
    ...(zone ? { timeZone: zone } : {}),
  });
  return t('appt.time', {
    from: format.format(new Date(slot.startsAt)),
    to: format.format(new Date(slot.endsAt)),
  });
}

/** "jeudi 26 novembre" of an instant, in `zone` when given, else the browser's. */
export function dayOf(at: string | Date, zone?: string): string {
  return new Intl.DateTimeFormat(locale(), {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(zone ? { timeZone: zone } : {}),
  }).format(new Date(at));
}

/** "jeudi 26 novembre" of a calendar day ("2026-11-26"), whatever the time zone. */
export const dayLabel = (day: string) => dayOf(`${day}T12:00:00Z`, 'UTC');

/** The calendar day ("2026-11-26") of an instant in the browser's time zone. */
export function localDay(at: string | number | Date): string {
  const date = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The status as a badge; the screens (and the browser tests) read data-appointment-status. */
export function statusBadge(appointment: Pick<Appointment, 'status'>, attribute = 'appointmentStatus') {
  return h(
    'span',
    {
      class: `badge appt-status appt-status-${appointment.status}`,
      dataset: { [attribute]: appointment.status },
    },
    tEnum('appt.status', appointment.status),
  );
}

/** What a refusal of the appointments' api says to the agent, in the chosen language. */
export function explainRefusal(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  const key = `appt.err.${err.code}`;
  if (t(key) !== key) return t(key);
  if (err.code === 'invalid_request') return t('appt.err.invalid', { message: err.message });
  return err.message;
}
