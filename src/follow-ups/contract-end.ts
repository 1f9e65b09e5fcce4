import { DateTime } from 'luxon';
import type { Actor } from '../cases/case-actions.service.js';
import { OPEN_CASE_STATUSES } from '../cases/case-scope.js';
import type { Locale } from '../generated/prisma/enums.js';
import { customerName } from '../identification/customer-identity.js';
import type { ContractChanges } from '../imports/importer.js';
import { dateWords, isoDay } from './departure-dates.js';
import { CUSTOMER_CONTACTS_SELECT, departureMessage, messageInTx } from './departure-messages.js';
import type { AfterCommit, FollowUpDeps, Tx } from './follow-ups.deps.js';
import { timelineInTx } from './follow-ups.deps.js';
import { cancelTimers, setTimers, type Timer, type TimerHandler } from './timers.js';

// [DP-4] A customer who has left stays liable until their contract is terminated: the departure
// case closes then. Confirmed (or found gone by the meter survey) with the contract already
// ended, it closes at once; otherwise it stays open, the customer is told they remain liable until
// the contract ends, and the case closes when the contract's end comes: at its date if one is
// known (a timer), or when the contract import records it (contractsChanged, in its transaction).

export const DEPARTURE_CONTRACT_END = 'departure-contract-end';
export const DEPARTURE_LIABILITY = 'departure-liability';

/** A contract whose end date is today or before (the local day) is terminated. */
export function contractEnded(endsOn: Date | null, now: Date, zone: string): boolean {
  return endsOn !== null && isoDay(endsOn) <= DateTime.fromJSDate(now, { zone }).toISODate()!;
}

/** The contract's end day, at the follow-ups' time of day. */
function contractEndDue(endsOn: Date, deps: Pick<FollowUpDeps, 'zone' | 'settings'>): Date {
  return DateTime.fromISO(isoDay(endsOn), { zone: deps.zone })
    .set({ hour: Math.floor(deps.settings.dueMinute / 60), minute: deps.settings.dueMinute % 60 })
    .toJSDate();
}

type CloseDeps = Pick<FollowUpDeps, 'events' | 'clock'>;

/** Closes a departed customer's case as handled: the contract is terminated (or there is none). */
async function closeDeparted(
  deps: CloseDeps,
  tx: Tx,
  kase: { caseId: string; agencyId: string | null },
  contract: { reference: string; endsOn: Date | null } | null,
  by?: string,
): Promise<AfterCommit> {
  const now = deps.clock.now();
  await tx.case.update({ where: { id: kase.caseId }, data: { status: 'CLOSED', closedAt: now } });
  await cancelTimers(tx, kase.caseId, 'the contract is terminated');
  return timelineInTx(tx, deps.events, {
    caseId: kase.caseId,
    agencyId: kase.agencyId,
    type: 'departure.closed',
    at: now,
    data: contract
      ? {
          reason: 'contract-terminated',
          contract: contract.reference,
          ...(contract.endsOn ? { endsOn: isoDay(contract.endsOn) } : {}),
          ...(by ? { by } : {}),
        }
      : { reason: 'no-contract', ...(by ? { by } : {}) },
  });
}

export interface Departed {
  /** The case closed at once, the contract being terminated already (or there being none). */
  closed: boolean;
  /** How the customer was told they remain liable (null: closed, or no e-mail nor mobile). */
  liabilityNotice: 'EMAIL' | 'SMS' | null;
  /** The contract-end timer, its job to add once committed. */
  timers: Timer[];
  after: AfterCommit;
}

/**
 * [DP-4] After a departure recorded (the customer has left, `departedAt` written): closes the
 * case if the contract is terminated; else arms the contract-end timer (its end date known) and
 * tells the customer they remain liable until the contract ends, through the outbox.
 */
export async function afterDeparted(
  deps: FollowUpDeps,
  tx: Tx,
  found: { caseId: string; agencyId: string | null; contractId: string | null },
  actor: Actor,
): Promise<Departed> {
  const now = deps.clock.now();
  const departure = await tx.departure.findUniqueOrThrow({
    where: { caseId: found.caseId },
    select: {
      email: true,
      mobile: true,
      departedAt: true,
      customerId: true,
      case: { select: { number: true } },
      contract: { select: { reference: true, endsOn: true } },
      customer: {
        select: CUSTOMER_CONTACTS_SELECT,
      },
    },
  });
  const { contract, customer } = departure;
  if (!contract || contractEnded(contract.endsOn, now, deps.zone)) {
    const after = await closeDeparted(deps, tx, found, contract, actor.displayName);
    return { closed: true, liabilityNotice: null, timers: [], after };
  }
  const timers = contract.endsOn
    ? await setTimers(tx, found.caseId, [
        { kind: DEPARTURE_CONTRACT_END, dueAt: contractEndDue(contract.endsOn, deps) },
      ])
    : [];

  const locale: Locale = customer.locale;
  const vars = {
    customerName: customerName(customer),
    caseNumber: departure.case.number,
    contractReference: contract.reference,
    departedDate: dateWords(departure.departedAt ?? now, locale),
  };
  const render = (name: string) => deps.templates.render(name, locale, vars);
  const input = departureMessage(render, DEPARTURE_LIABILITY, departure, customer, {
    purpose: DEPARTURE_LIABILITY,
    locale,
    caseId: found.caseId,
    customerId: departure.customerId,
    idempotencyKey: `departure-liability-${found.caseId}`,
  });
  const message = input ? await messageInTx(deps, tx, input, now) : null;
  if (!input) deps.logger.info({ caseId: found.caseId }, 'liability notice not sent: no e-mail nor mobile');
  const published = await timelineInTx(tx, deps.events, {
    caseId: found.caseId,
    agencyId: found.agencyId,
    type: 'departure.liability-notice',
    at: now,
    data: {
      contract: contract.reference,
      channel: input?.channel ?? null,
      ...(contract.endsOn ? { endsOn: isoDay(contract.endsOn) } : {}),
      ...(message?.messageId ? { messageId: message.messageId } : {}),
    },
  });
  return {
    closed: false,
    liabilityNotice: input?.channel ?? null,
    timers,
    async after() {
      await message?.send();
      await published();
    },
  };
}

/** [DP-4] The contract-end timer: the case closes if the contract has ended by now. */
export const contractEndHandler: TimerHandler = async (deps, tx, timer) => {
  const now = deps.clock.now();
  const departure = await tx.departure.findUniqueOrThrow({
    where: { caseId: timer.caseId },
    select: {
      departedAt: true,
      case: { select: { status: true, agencyId: true } },
      contract: { select: { reference: true, endsOn: true } },
    },
  });
  const open = (OPEN_CASE_STATUSES as readonly string[]).includes(departure.case.status);
  if (!open || !departure.departedAt || !departure.contract)
    return { data: { closed: false }, after: async () => undefined };
  if (!contractEnded(departure.contract.endsOn, now, deps.zone))
    // The end date moved (a later import re-armed this timer or cleared it): nothing now.
    return { data: { closed: false, contract: departure.contract.reference }, after: async () => undefined };
  const after = await closeDeparted(
    deps,
    tx,
    { caseId: timer.caseId, agencyId: departure.case.agencyId },
    departure.contract,
  );
  return { data: { closed: true, contract: departure.contract.reference }, after };
};

/**
 * In the import's transaction: [DP-4] the open cases of departed customers whose contract the
 * import ended close (or wait for its end date, a timer row the sweep schedules); [DP-5] a
 * subscription at a vacant home's supply point ends its follow-up. The live events go once the
 * import has committed.
 */
export async function contractsChanged(
  deps: Pick<FollowUpDeps, 'events' | 'clock' | 'zone' | 'settings'>,
  tx: Tx,
  changes: ContractChanges,
): Promise<AfterCommit> {
  const now = deps.clock.now();
  const afters: AfterCommit[] = [];
  const open = { status: { in: [...OPEN_CASE_STATUSES] } };

  if (changes.ended.length > 0) {
    const departed = await tx.departure.findMany({
      where: { contractId: { in: changes.ended }, departedAt: { not: null }, case: open },
      select: {
        caseId: true,
        case: { select: { agencyId: true } },
        contract: { select: { reference: true, endsOn: true } },
      },
    });
    for (const d of departed) {
      if (!d.contract?.endsOn) continue;
      if (contractEnded(d.contract.endsOn, now, deps.zone))
        afters.push(
          await closeDeparted(deps, tx, { caseId: d.caseId, agencyId: d.case.agencyId }, d.contract),
        );
      // An end date to come: the timer row; the sweep adds its job when the day comes near.
      else
        await setTimers(tx, d.caseId, [
          { kind: DEPARTURE_CONTRACT_END, dueAt: contractEndDue(d.contract.endsOn, deps) },
        ]);
    }
  }

  if (changes.subscribed.length > 0) {
    const vacancies = await tx.vacantHousing.findMany({
      where: { supplyPointId: { in: changes.subscribed.map((s) => s.supplyPointId) }, case: open },
      select: {
        caseId: true,
        supplyPointId: true,
        previousCustomerId: true,
        case: { select: { agencyId: true } },
      },
    });
    for (const vacancy of vacancies) {
      // The customer who left subscribing again is not a new occupant.
      const contract = changes.subscribed.find(
        (s) => s.supplyPointId === vacancy.supplyPointId && s.customerId !== vacancy.previousCustomerId,
      );
      if (!contract) continue;
      await tx.vacantHousing.update({
        where: { caseId: vacancy.caseId },
        data: { subscribedContractId: contract.contractId, letterDue: false, fieldTaskDue: false },
      });
      await tx.case.update({ where: { id: vacancy.caseId }, data: { status: 'CLOSED', closedAt: now } });
      await cancelTimers(tx, vacancy.caseId, 'a new subscription at the supply point');
      afters.push(
        await timelineInTx(tx, deps.events, {
          caseId: vacancy.caseId,
          agencyId: vacancy.case.agencyId,
          type: 'vacant-housing.subscribed',
          at: now,
          data: { contract: contract.reference, source: 'import' },
        }),
      );
    }
  }

  return async () => {
    for (const after of afters) await after();
  };
}
