import { OPEN_CASE_STATUSES } from '../cases/case-scope.js';
import type { Prisma } from '../generated/prisma/client.js';
import { customerName, postalAddress } from '../identification/customer-identity.js';
import type { Db } from '../platform/db/client.js';
import { DEPARTURE_CALL, DEPARTURE_REMINDER } from './departure-dates.js';
import { VACANT_FIELD_TASK, VACANT_LETTER } from './vacant-housing.service.js';

// The agents' work lists, read from what the follow-ups and the other capabilities leave due on
// the cases: calls to make, field tasks, letters to print, and cases past their deadline. Each
// item names its case, so the console links to it and a done task leaves the list with its flag.

export type CallKind = 'departure' | 'appointment-change' | 'holding-reply' | 'scheduling';
export type LetterKind = 'departure-reminder' | 'new-occupant';
export type FieldTaskKind = 'meter-survey' | 'close-connection';

interface CaseRef {
  caseId: string;
  caseNumber: number;
  agencyId: string | null;
  subject: string;
}

export interface CallItem extends CaseRef {
  kind: CallKind;
  phone: string | null;
  since: Date;
}

export interface FieldTaskItem extends CaseRef {
  kind: FieldTaskKind;
  /** The supply point's reference (a departure's: its contract's, when known). */
  supplyPoint: string | null;
  address: string;
  since: Date;
}

export interface LetterItem extends CaseRef {
  kind: LetterKind;
  addressee: string;
  address: string;
  since: Date;
}

export interface OverdueItem extends CaseRef {
  dueAt: Date;
}

export interface WorkLists {
  calls: CallItem[];
  fieldTasks: FieldTaskItem[];
  letters: LetterItem[];
  overdue: OverdueItem[];
}

const LIMIT = 1000;
const caseSelect = { id: true, number: true, agencyId: true, subject: true } as const;
/** With the case's fired timers: an item a timer put on a list is due since its timer fired. */
const caseWithTimers = {
  select: { ...caseSelect, timers: { where: { state: 'FIRED' }, select: { kind: true, firedAt: true } } },
} as const;

/** When the timer of this kind fired (the service's clock), else the row's last change. */
function firedSince(
  kase: { timers: { kind: string; firedAt: Date | null }[] },
  kind: string,
  otherwise: Date,
): Date {
  return kase.timers.find((timer) => timer.kind === kind)?.firedAt ?? otherwise;
}
const ref = (c: { id: string; number: number; agencyId: string | null; subject: string }): CaseRef => ({
  caseId: c.id,
  caseNumber: c.number,
  agencyId: c.agencyId,
  subject: c.subject,
});

/** The lists for the cases `scope` lets the user see (their agency's and those of none). */
export async function workLists(db: Db, scope: Prisma.CaseWhereInput, now: Date): Promise<WorkLists> {
  const open: Prisma.CaseWhereInput = { AND: [scope, { status: { in: [...OPEN_CASE_STATUSES] } }] };
  const [departures, appointments, holding, scheduling, vacancies, overdue] = await Promise.all([
    db.departure.findMany({
      where: { OR: [{ callDue: true }, { letterDue: true }, { meterSurveyDue: true }], case: open },
      include: {
        case: caseWithTimers,
        contract: { select: { supplyPoint: { select: { reference: true } } } },
        customer: {
          select: {
            firstName: true,
            lastName: true,
            companyName: true,
            addressLine: true,
            postcode: true,
            city: true,
            phones: { where: { kind: 'MOBILE', failing: false }, orderBy: { e164: 'asc' }, take: 1 },
          },
        },
      },
      orderBy: { updatedAt: 'asc' },
      take: LIMIT,
    }),
    db.appointment.findMany({
      where: { callDue: true, case: scope },
      select: {
        mobile: true,
        cancelledAt: true,
        missedAt: true,
        updatedAt: true,
        case: { select: caseSelect },
      },
      orderBy: { updatedAt: 'asc' },
      take: LIMIT,
    }),
    db.case.findMany({
      where: { AND: [open, { holdingCallDue: true }] },
      select: {
        ...caseSelect,
        holdingReplyAt: true,
        customer: { select: { phones: { orderBy: { e164: 'asc' }, take: 1 } } },
      },
      take: LIMIT,
    }),
    db.case.findMany({
      where: { AND: [open, { schedulingCallbackSince: { not: null } }] },
      select: { ...caseSelect, interventionMobile: true, schedulingCallbackSince: true },
      take: LIMIT,
    }),
    db.vacantHousing.findMany({
      where: { OR: [{ fieldTaskDue: true }, { letterDue: true }], case: open },
      include: {
        case: caseWithTimers,
        supplyPoint: { select: { reference: true, addressLine: true, postcode: true, city: true } },
      },
      orderBy: { updatedAt: 'asc' },
      take: LIMIT,
    }),
    db.case.findMany({
      where: { AND: [open, { dueAt: { lt: now } }, { waitingSince: null }] },
      select: { ...caseSelect, dueAt: true },
      orderBy: { dueAt: 'asc' },
      take: LIMIT,
    }),
  ]);

  const calls: CallItem[] = [
    ...departures
      .filter((d) => d.callDue)
      .map((d) => ({
        ...ref(d.case),
        kind: 'departure' as const,
        phone: d.mobile ?? d.customer.phones[0]?.e164 ?? null,
        since: firedSince(d.case, DEPARTURE_CALL, d.updatedAt),
      })),
    ...appointments.map((a) => ({
      ...ref(a.case),
      kind: 'appointment-change' as const,
      phone: a.mobile,
      // [AP-4] Since the company cancelled or missed it (a move sets updatedAt by the clock).
      since: a.cancelledAt ?? a.missedAt ?? a.updatedAt,
    })),
    ...holding.map((c) => ({
      ...ref(c),
      kind: 'holding-reply' as const,
      phone: c.customer?.phones[0]?.e164 ?? null,
      since: c.holdingReplyAt ?? now,
    })),
    ...scheduling.map((c) => ({
      ...ref(c),
      kind: 'scheduling' as const,
      phone: c.interventionMobile,
      since: c.schedulingCallbackSince!,
    })),
  ].sort((a, b) => a.since.getTime() - b.since.getTime());

  const letters: LetterItem[] = [
    ...departures
      .filter((d) => d.letterDue)
      .map((d) => ({
        ...ref(d.case),
        kind: 'departure-reminder' as const,
        addressee: customerName(d.customer),
        address: postalAddress(d.customer),
        since: firedSince(d.case, DEPARTURE_REMINDER, d.updatedAt),
      })),
    ...vacancies
      .filter((v) => v.letterDue)
      .map((v) => ({
        ...ref(v.case),
        kind: 'new-occupant' as const,
        addressee: 'Au nouvel occupant',
        address: postalAddress(v.supplyPoint),
        since: firedSince(v.case, VACANT_LETTER, v.updatedAt),
      })),
  ].sort((a, b) => a.since.getTime() - b.since.getTime());

  const fieldTasks: FieldTaskItem[] = [
    // [DP-2] The call went unanswered: the meter to survey at the customer's address.
    ...departures
      .filter((d) => d.meterSurveyDue)
      .map((d) => ({
        ...ref(d.case),
        kind: 'meter-survey' as const,
        supplyPoint: d.contract?.supplyPoint?.reference ?? null,
        address: postalAddress(d.customer),
        since: d.updatedAt,
      })),
    ...vacancies
      .filter((v) => v.fieldTaskDue)
      .map((v) => ({
        ...ref(v.case),
        kind: 'close-connection' as const,
        supplyPoint: v.supplyPoint.reference,
        address: postalAddress(v.supplyPoint),
        since: firedSince(v.case, VACANT_FIELD_TASK, v.updatedAt),
      })),
  ].sort((a, b) => a.since.getTime() - b.since.getTime());

  return {
    calls,
    fieldTasks,
    letters,
    overdue: overdue.map((c) => ({ ...ref(c), dueAt: c.dueAt! })),
  };
}
