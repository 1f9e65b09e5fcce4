import { DateTime } from 'luxon';
import type { Actor } from '../cases/case-actions.service.js';
import { OPEN_CASE_STATUSES } from '../cases/case-scope.js';
import { postalAddress } from '../identification/customer-identity.js';
import { addWorkingDays, agencyCalendar } from '../oncall/on-call-windows.js';
import type { FollowUpDeps, Tx } from './follow-ups.deps.js';
import { timelineInTx } from './follow-ups.deps.js';
import { cancelTimers, scheduleTimers, setTimers, type TimerHandler, type TimerPlan } from './timers.js';

// [DP-5] A home left with no known successor ("vacant housing"): after 10 days, if nobody has
// subscribed at the supply point, a letter "to the new occupant" goes on the print list; after 30,
// still nobody, a field task to close the connection. A subscription ends the follow-up: the
// timers look for one when they fire, before doing anything.

export const VACANT_CATEGORY = 'vacant-housing';
export const VACANT_LETTER = 'vacant-letter';
export const VACANT_FIELD_TASK = 'vacant-field-task';

export type VacantResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: 'not_found' | 'duplicate' | 'forbidden'; message: string };

export interface NewVacantHousing {
  supplyPointId: string;
  /** The customer who left: their own contract is not a new subscription. */
  previousCustomerId?: string;
}

/** [DP-5] The letter and the field task, counted in calendar or working days from the opening. */
export function vacantTimers(
  openedAt: Date,
  deps: Pick<FollowUpDeps, 'zone' | 'settings' | 'calendar'>,
  agency: { timeZone: string; holidayCalendar: string } | null,
): TimerPlan[] {
  const zone = agency?.timeZone ?? deps.zone;
  const { settings } = deps;
  const day = DateTime.fromJSDate(openedAt, { zone })
    .startOf('day')
    .set({ hour: Math.floor(settings.dueMinute / 60), minute: settings.dueMinute % 60 });
  const calendar = agencyCalendar(deps.calendar, agency ?? { timeZone: zone, holidayCalendar: 'FR' });
  const after = (days: number) =>
    (settings.vacantDayCount === 'working'
      ? addWorkingDays(day, days, calendar)
      : day.plus({ days })
    ).toJSDate();
  return [
    { kind: VACANT_LETTER, dueAt: after(settings.vacantLetterDays) },
    { kind: VACANT_FIELD_TASK, dueAt: after(settings.vacantFieldTaskDays) },
  ];
}

export async function openVacantHousing(
  deps: FollowUpDeps,
  input: NewVacantHousing,
  actor: Actor,
): Promise<VacantResult<{ caseId: string; number: number }>> {
  const now = deps.clock.now();
  const supplyPoint = await deps.db.supplyPoint.findUnique({
    where: { id: input.supplyPointId },
    select: {
      id: true,
      reference: true,
      addressLine: true,
      postcode: true,
      city: true,
      contracts: {
        orderBy: { createdAt: 'desc' },
        take: 1,
        select: { agency: { select: { id: true, timeZone: true, holidayCalendar: true } } },
      },
    },
  });
  if (!supplyPoint) return { ok: false, code: 'not_found', message: 'no such supply point' };
  const agency = supplyPoint.contracts[0]?.agency ?? null;
  if (actor.agencyId && agency && agency.id !== actor.agencyId)
    return {
      ok: false,
      code: 'forbidden',
      message: "an agent opens cases for their own agency's supply points only",
    };

  const opened = await deps.db.$transaction(async (tx) => {
    // One open follow-up per supply point: two agents at once, one wins.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`vacant-${supplyPoint.id}`}))`;
    const open = await tx.vacantHousing.findFirst({
      where: { supplyPointId: supplyPoint.id, case: { status: { in: [...OPEN_CASE_STATUSES] } } },
      select: { case: { select: { number: true } } },
    });
    if (open) return { duplicate: open.case.number } as const;
    const kase = await tx.case.create({
      data: {
        category: VACANT_CATEGORY,
        subject: `Logement vacant : ${postalAddress(supplyPoint)}`,
        customerId: input.previousCustomerId ?? null,
        agencyId: agency?.id ?? null,
        openedAt: now,
        vacantHousing: {
          create: { supplyPointId: supplyPoint.id, previousCustomerId: input.previousCustomerId ?? null },
        },
      },
      select: { id: true, number: true },
    });
    const timers = await setTimers(tx, kase.id, vacantTimers(now, deps, agency));
    const published = await timelineInTx(tx, deps.events, {
      caseId: kase.id,
      agencyId: agency?.id ?? null,
      type: 'vacant-housing.opened',
      at: now,
      data: { supplyPoint: supplyPoint.reference, by: actor.displayName },
    });
    return { kase, timers, published } as const;
  });
  if ('duplicate' in opened)
    return {
      ok: false,
      code: 'duplicate',
      message: `this supply point is already followed in case ${opened.duplicate}`,
    };
  await scheduleTimers(deps, opened.timers);
  await opened.published();
  return { ok: true, value: { caseId: opened.kase.id, number: opened.kase.number } };
}

async function vacancyOf(tx: Tx, caseId: string) {
  return tx.vacantHousing.findUniqueOrThrow({
    where: { caseId },
    include: {
      case: { select: { number: true, agencyId: true, openedAt: true } },
      supplyPoint: { select: { reference: true, addressLine: true, postcode: true, city: true } },
    },
  });
}

/**
 * A timer's firing: when someone other than the customer who left has subscribed at the supply
 * point since the case opened, the follow-up ends (case closed, other timers cancelled) and
 * nothing is sent; otherwise `act` does the timer's work.
 */
function unlessSubscribed(
  type: string,
  act: (tx: Tx, vacancy: Awaited<ReturnType<typeof vacancyOf>>) => Promise<Record<string, unknown>>,
): TimerHandler {
  return async (deps, tx, timer) => {
    const now = deps.clock.now();
    const vacancy = await vacancyOf(tx, timer.caseId);
    const at = { caseId: timer.caseId, agencyId: vacancy.case.agencyId, at: now };
    const contract = await tx.contract.findFirst({
      where: {
        supplyPointId: vacancy.supplyPointId,
        createdAt: { gte: vacancy.case.openedAt },
        ...(vacancy.previousCustomerId ? { customerId: { not: vacancy.previousCustomerId } } : {}),
      },
      select: { id: true, reference: true },
    });
    if (contract) {
      await tx.vacantHousing.update({
        where: { caseId: timer.caseId },
        data: { subscribedContractId: contract.id },
      });
      await tx.case.update({ where: { id: timer.caseId }, data: { status: 'CLOSED', closedAt: now } });
      await cancelTimers(tx, timer.caseId, 'a new subscription at the supply point');
      const after = await timelineInTx(tx, deps.events, {
        ...at,
        type: 'vacant-housing.subscribed',
        data: { contract: contract.reference },
      });
      return { data: { ended: 'subscription', contract: contract.reference }, after };
    }
    const data = await act(tx, vacancy);
    const after = await timelineInTx(tx, deps.events, { ...at, type, data: {} });
    return { data, after };
  };
}

export const VACANT_HANDLERS: Readonly<Record<string, TimerHandler>> = {
  [VACANT_LETTER]: unlessSubscribed('vacant-housing.letter-due', async (tx, vacancy) => {
    await tx.vacantHousing.update({ where: { caseId: vacancy.caseId }, data: { letterDue: true } });
    // What the print run puts on the envelope: the address, no name (nobody is known there).
    return {
      letter: {
        to: 'Au nouvel occupant',
        address: postalAddress(vacancy.supplyPoint),
        supplyPoint: vacancy.supplyPoint.reference,
        caseNumber: vacancy.case.number,
      },
    };
  }),
  [VACANT_FIELD_TASK]: unlessSubscribed('vacant-housing.field-task-due', async (tx, vacancy) => {
    await tx.vacantHousing.update({ where: { caseId: vacancy.caseId }, data: { fieldTaskDue: true } });
    return { fieldTask: 'close the connection', supplyPoint: vacancy.supplyPoint.reference };
  }),
};
