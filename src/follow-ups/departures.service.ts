import type { Actor } from '../cases/case-actions.service.js';
import { OPEN_CASE_STATUSES } from '../cases/case-scope.js';
import type { ContactChannel } from '../generated/prisma/enums.js';
import { isMobile, toE164 } from '../identification/phone-number.js';
import { afterDeparted } from './contract-end.js';
import { dateOnly, daysSince, departureTimers, isoDay, plannedDateProblem } from './departure-dates.js';
import type { AfterCommit, FollowUpDeps, Tx } from './follow-ups.deps.js';
import { timelineInTx } from './follow-ups.deps.js';
import { cancelTimers, scheduleTimers, setTimers, type Timer } from './timers.js';

// [DP-1] [DP-3] A customer announces a move: a "departure signalled" case with its follow-ups
// (departure-firing.ts says what they do), moved with the date, ended by a cancellation or by
// the confirmed departure. Every change of the case and its timers is one transaction.

export const DEPARTURE_CATEGORY = 'departure';

export type DepartureResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      code:
        | 'not_found'
        | 'invalid'
        | 'owner_required'
        | 'duplicate'
        | 'closed'
        | 'forbidden'
        | 'departed'
        | 'not_due';
      message: string;
    };

export const refuse = (code: Exclude<DepartureResult<never>, { ok: true }>['code'], message: string) =>
  ({ ok: false, code, message }) as const;

export interface NewDeparture {
  customerId: string;
  contractId?: string;
  plannedDate: string;
  email?: string;
  mobile?: string;
  rented: boolean;
  owner?: { name: string; phone?: string; email?: string; address?: string };
  /** How the customer told us (the case's first contact); a phone call by default. */
  channel?: ContactChannel;
}

/** [DP-1] Opens the case, its departure and its two follow-ups. */
export async function openDeparture(
  deps: FollowUpDeps,
  input: NewDeparture,
  actor: Actor,
): Promise<DepartureResult<{ caseId: string; number: number; timers: Timer[] }>> {
  const now = deps.clock.now();
  const dateProblem = plannedDateProblem(input.plannedDate, now, deps.zone, deps.settings);
  if (dateProblem) return refuse('invalid', dateProblem);
  let mobile: string | null = null;
  if (input.mobile !== undefined) {
    mobile = toE164(input.mobile);
    if (!mobile || !isMobile(mobile)) return refuse('invalid', `"${input.mobile}" is not a mobile number`);
  }
  const owner = input.owner;
  if (input.rented && !(owner && (owner.phone || owner.email || owner.address)))
    return refuse(
      'owner_required',
      "a rented home: the owner's or managing agent's name and a way to reach them (phone, e-mail or address) are mandatory",
    );
  const ownerPhone = owner?.phone ? toE164(owner.phone) : null;
  if (owner?.phone && !ownerPhone) return refuse('invalid', `"${owner.phone}" is not a phone number`);
  const customer = await deps.db.customer.findUnique({
    where: { id: input.customerId },
    select: { id: true, departedAt: true, contracts: { select: { id: true, agencyId: true } } },
  });
  if (!customer) return refuse('not_found', 'no such customer');
  if (customer.departedAt) return refuse('departed', 'this customer has already left');
  const contract = input.contractId
    ? customer.contracts.find((c) => c.id === input.contractId)
    : customer.contracts[0];
  if (input.contractId && !contract) return refuse('not_found', "no such contract of this customer's");
  const agencyId = contract?.agencyId ?? null;
  if (actor.agencyId && agencyId && agencyId !== actor.agencyId)
    return refuse('forbidden', "an agent opens cases for their own agency's customers only");

  const plannedDate = dateOnly(input.plannedDate);
  const opened = await deps.db.$transaction(async (tx) => {
    // One open departure per customer (and so per contract): two agents at once, one wins.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`departure-${customer.id}`}))`;
    const open = await tx.departure.findFirst({
      where: { customerId: customer.id, case: { status: { in: [...OPEN_CASE_STATUSES] } } },
      select: { case: { select: { number: true } } },
    });
    if (open) return { duplicate: open.case.number } as const;
    const kase = await tx.case.create({
      data: {
        category: DEPARTURE_CATEGORY,
        subject: 'Départ signalé',
        customerId: customer.id,
        agencyId,
        openedAt: now,
        contacts: {
          create: {
            customerId: customer.id,
            direction: 'INBOUND',
            channel: input.channel ?? 'PHONE',
            at: now,
            summary: `Départ prévu le ${input.plannedDate}`,
          },
        },
        departure: {
          create: {
            customerId: customer.id,
            contractId: contract?.id ?? null,
            plannedDate,
            email: input.email ?? null,
            mobile,
            rented: input.rented,
            ownerName: owner?.name ?? null,
            ownerPhone,
            ownerEmail: owner?.email ?? null,
            ownerAddress: owner?.address ?? null,
          },
        },
      },
      select: { id: true, number: true },
    });
    const timers = await setTimers(tx, kase.id, departureTimers(plannedDate, deps.zone, deps.settings));
    const published = await timelineInTx(tx, deps.events, {
      caseId: kase.id,
      agencyId,
      type: 'departure.signalled',
      at: now,
      data: {
        plannedDate: input.plannedDate,
        rented: input.rented,
        by: actor.displayName,
        ...dueDates(timers),
      },
    });
    return { kase, timers, published } as const;
  });
  if ('duplicate' in opened)
    return refuse('duplicate', `this customer's move is already followed in case ${opened.duplicate}`);
  await scheduleTimers(deps, opened.timers);
  await opened.published();
  await deps.events.publish({
    type: 'case.opened',
    agencyId,
    data: {
      caseId: opened.kase.id,
      number: opened.kase.number,
      category: DEPARTURE_CATEGORY,
      by: actor.displayName,
    },
  });
  return { ok: true, value: { caseId: opened.kase.id, number: opened.kase.number, timers: opened.timers } };
}

function dueDates(timers: readonly Timer[]) {
  return Object.fromEntries(timers.map((t) => [t.kind, t.dueAt.toISOString()]));
}

export interface OpenDeparture {
  caseId: string;
  number: number;
  agencyId: string | null;
  customerId: string;
  contractId: string | null;
  plannedDate: Date;
  callDue: boolean;
  meterSurveyDue: boolean;
}

/** The departure of an open case the actor sees, read and changed in one transaction. */
export async function onOpenDeparture<T>(
  deps: FollowUpDeps,
  caseId: string,
  actor: Actor,
  change: (
    tx: Tx,
    found: OpenDeparture,
  ) => Promise<DepartureResult<{ value: T; timers?: Timer[]; after: AfterCommit }>>,
): Promise<DepartureResult<T>> {
  const result = await deps.db.$transaction(async (tx) => {
    // Of two changes at once, the second waits and then sees the first's.
    await tx.$executeRaw`SELECT 1 FROM cases WHERE id = ${caseId}::uuid FOR UPDATE`;
    const kase = await tx.case.findFirst({
      where: { id: caseId, ...actor.sees, departure: { isNot: null } },
      select: { id: true, number: true, status: true, agencyId: true, departure: true },
    });
    if (!kase?.departure) return refuse('not_found', 'no such departure case');
    if (!(OPEN_CASE_STATUSES as readonly string[]).includes(kase.status))
      return refuse('closed', `case ${kase.number} is ${kase.status.toLowerCase()}`);
    const { departure } = kase;
    if (departure.departedAt)
      return refuse('departed', `the customer left on ${departure.departedAt.toISOString()}`);
    return change(tx, { ...departure, caseId: kase.id, number: kase.number, agencyId: kase.agencyId });
  });
  if (!result.ok) return result;
  await scheduleTimers(deps, result.value.timers ?? []);
  await result.value.after();
  return { ok: true, value: result.value.value };
}

/** [DP-3] A postponed (or brought forward) move: the date and both follow-ups move. */
export async function moveDeparture(
  deps: FollowUpDeps,
  caseId: string,
  plannedIso: string,
  actor: Actor,
): Promise<DepartureResult<{ plannedDate: string; timers: Timer[] }>> {
  const now = deps.clock.now();
  const problem = plannedDateProblem(plannedIso, now, deps.zone, deps.settings);
  if (problem) return refuse('invalid', problem);
  return onOpenDeparture(deps, caseId, actor, async (tx, found) => {
    const plannedDate = dateOnly(plannedIso);
    // The follow-ups start again from the new date: what the old one made due is moot.
    await tx.departure.update({
      where: { caseId },
      data: { plannedDate, letterDue: false, callDue: false, meterSurveyDue: false },
    });
    const timers = await setTimers(tx, caseId, departureTimers(plannedDate, deps.zone, deps.settings));
    const after = await timelineInTx(tx, deps.events, {
      caseId,
      agencyId: found.agencyId,
      type: 'departure.moved',
      at: now,
      data: { from: isoDay(found.plannedDate), to: plannedIso, by: actor.displayName, ...dueDates(timers) },
    });
    return { ok: true, value: { value: { plannedDate: plannedIso, timers }, timers, after } };
  });
}

export type CancellationOutcome = 'cancelled' | 'closed' | 'closed-call-finalised';

/**
 * [DP-3] The customer is not moving after all: before the reminder's day (days 0-9) the case is
 * cancelled; until the call's (10-29) it is closed as handled; from then on (30+) closed too,
 * and the call task still due is finalised.
 */
export async function cancelDeparture(
  deps: FollowUpDeps,
  caseId: string,
  reason: string | undefined,
  actor: Actor,
): Promise<DepartureResult<{ status: 'CANCELLED' | 'CLOSED'; day: number; outcome: CancellationOutcome }>> {
  const now = deps.clock.now();
  return onOpenDeparture(deps, caseId, actor, async (tx, found) => {
    const day = daysSince(found.plannedDate, now, deps.zone);
    const outcome: CancellationOutcome =
      day < deps.settings.departureReminderDays
        ? 'cancelled'
        : day < deps.settings.departureCallDays
          ? 'closed'
          : 'closed-call-finalised';
    const status = outcome === 'cancelled' ? 'CANCELLED' : 'CLOSED';
    await tx.case.update({ where: { id: caseId }, data: { status, closedAt: now } });
    await tx.departure.update({ where: { caseId }, data: { callDue: false, meterSurveyDue: false } });
    const timersCancelled = await cancelTimers(tx, caseId, 'move cancelled');
    const after = await timelineInTx(tx, deps.events, {
      caseId,
      agencyId: found.agencyId,
      type: 'departure.cancelled',
      at: now,
      data: {
        day,
        outcome,
        status,
        callFinalised: found.callDue,
        fieldTaskCancelled: found.meterSurveyDue,
        timersCancelled,
        by: actor.displayName,
        ...(reason ? { reason } : {}),
      },
    });
    return { ok: true, value: { value: { status, day, outcome }, after } };
  });
}

/**
 * The customer has left (the actual date): their consumption alerts stop and the follow-ups end.
 * [DP-4] The case closes at once if the contract is terminated; otherwise it stays open until it
 * is, and the customer is told they remain liable until then.
 */
export async function confirmDeparture(
  deps: FollowUpDeps,
  caseId: string,
  departedAt: Date,
  actor: Actor,
): Promise<
  DepartureResult<{
    departedAt: Date;
    timersCancelled: number;
    closed: boolean;
    liabilityNotice: 'EMAIL' | 'SMS' | null;
  }>
> {
  const now = deps.clock.now();
  if (departedAt > now) return refuse('invalid', 'the departure is recorded once it has happened');
  return onOpenDeparture(deps, caseId, actor, async (tx, found) => {
    const { timersCancelled, after: confirmed } = await recordDeparted(deps, tx, found, departedAt, {
      type: 'departure.confirmed',
      data: { departedAt: departedAt.toISOString(), by: actor.displayName },
    });
    const departed = await afterDeparted(deps, tx, found, actor);
    return {
      ok: true,
      value: {
        value: {
          departedAt,
          timersCancelled,
          closed: departed.closed,
          liabilityNotice: departed.liabilityNotice,
        },
        timers: departed.timers,
        async after() {
          await confirmed();
          await departed.after();
        },
      },
    };
  });
}

/**
 * The customer has left: the departure and the customer say so, the pending follow-ups and the
 * tasks due end; the event says how we know (confirmed by the customer, found by the survey).
 */
export async function recordDeparted(
  deps: FollowUpDeps,
  tx: Tx,
  found: OpenDeparture,
  departedAt: Date,
  event: { type: string; data: Record<string, unknown> },
  extra: { connectionClosedAt?: Date; meterIndex?: number | null } = {},
): Promise<{ timersCancelled: number; after: AfterCommit }> {
  await tx.departure.update({
    where: { caseId: found.caseId },
    data: { departedAt, callDue: false, letterDue: false, meterSurveyDue: false, ...extra },
  });
  await tx.customer.update({
    where: { id: found.customerId },
    data: { departedAt, alertsActive: false },
  });
  const timersCancelled = await cancelTimers(tx, found.caseId, 'departure confirmed');
  const after = await timelineInTx(tx, deps.events, {
    caseId: found.caseId,
    agencyId: found.agencyId,
    type: event.type,
    at: deps.clock.now(),
    data: { ...event.data, timersCancelled },
  });
  return { timersCancelled, after };
}
