import type { Actor } from '../cases/case-actions.service.js';
import { OPEN_CASE_STATUSES } from '../cases/case-scope.js';
import { afterDeparted } from './contract-end.js';
import {
  type DepartureResult,
  type OpenDeparture,
  onOpenDeparture,
  recordDeparted,
  refuse,
} from './departures.service.js';
import type { AfterCommit, FollowUpDeps, Tx } from './follow-ups.deps.js';
import { timelineInTx } from './follow-ups.deps.js';
import { cancelTimers } from './timers.js';
import type { FieldTaskKind, LetterKind } from './work-lists.js';

// What agents record from the work lists: a call made, a field task done, letters printed. Each
// takes its task off the list (its flag on the departure or the vacant home), writes the case's
// timeline and, once committed, tells the consoles (`work-list.*`) so that they refresh the lists.

export type CallOutcome = 'reached' | 'no-answer';
export type FieldOutcome = 'customer-gone' | 'customer-present';

const CALL_SUMMARY: Record<CallOutcome, string> = {
  reached: 'Appel de suivi du départ : client joint',
  'no-answer': 'Appel de suivi du départ : sans réponse',
};

/**
 * [DP-2] The call 30 days after the planned move, made: it leaves the list and is traced as a
 * contact. Unanswered, a field task to survey the meter takes its place.
 */
export async function recordCallOutcome(
  deps: FollowUpDeps,
  caseId: string,
  input: { outcome: CallOutcome; note?: string },
  actor: Actor,
): Promise<DepartureResult<{ outcome: CallOutcome; fieldTask: 'meter-survey' | null }>> {
  const now = deps.clock.now();
  return onOpenDeparture(deps, caseId, actor, async (tx, found) => {
    if (!found.callDue) return refuse('not_due', `no call is due on case ${found.number}`);
    const noAnswer = input.outcome === 'no-answer';
    await tx.departure.update({
      where: { caseId },
      // updatedAt by the service's clock: the meter survey is on the list since now.
      data: { callDue: false, ...(noAnswer ? { meterSurveyDue: true } : {}), updatedAt: now },
    });
    await tx.contact.create({
      data: {
        caseId,
        customerId: found.customerId,
        direction: 'OUTBOUND',
        channel: 'PHONE',
        at: now,
        summary: input.note ? `${CALL_SUMMARY[input.outcome]} — ${input.note}` : CALL_SUMMARY[input.outcome],
        details: { workList: 'calls', kind: 'departure', outcome: input.outcome, by: actor.displayName },
      },
    });
    const fieldTask = noAnswer ? ('meter-survey' as const) : null;
    const after = await timelineInTx(tx, deps.events, {
      caseId,
      agencyId: found.agencyId,
      type: 'work-list.call-done',
      at: now,
      data: {
        kind: 'departure',
        outcome: input.outcome,
        fieldTask,
        by: actor.displayName,
        ...(input.note ? { note: input.note } : {}),
      },
    });
    return { ok: true, value: { value: { outcome: input.outcome, fieldTask }, after } };
  });
}

export interface FieldTaskDone {
  kind: FieldTaskKind;
  outcome: FieldOutcome;
  meterIndex?: number;
  note?: string;
}

export interface FieldTaskAnswer {
  kind: FieldTaskKind;
  outcome: FieldOutcome;
  connectionClosed: boolean;
  caseStatus: 'OPEN' | 'CLOSED';
  /** [DP-4] How the customer who left was told they remain liable (meter survey, customer gone). */
  liabilityNotice: 'EMAIL' | 'SMS' | null;
}

/** A field task done: the meter survey of a departure [DP-2], or a vacant home's connection [DP-5]. */
export async function recordFieldTaskDone(
  deps: FollowUpDeps,
  caseId: string,
  input: FieldTaskDone,
  actor: Actor,
): Promise<DepartureResult<FieldTaskAnswer>> {
  return input.kind === 'meter-survey'
    ? meterSurveyDone(deps, caseId, input, actor)
    : closeConnectionDone(deps, caseId, input, actor);
}

function doneData(input: FieldTaskDone, actor: Actor, extra: Record<string, unknown>) {
  return {
    kind: input.kind,
    outcome: input.outcome,
    ...(input.meterIndex !== undefined ? { meterIndex: input.meterIndex } : {}),
    ...(input.note ? { note: input.note } : {}),
    ...extra,
    by: actor.displayName,
  };
}

/**
 * [DP-2] The meter survey after an unanswered call. The customer gone: the connection is closed
 * and the departure recorded; the case stays open until the contract is terminated [DP-4]. The
 * customer still there: they did not move, the case is closed as handled.
 */
async function meterSurveyDone(
  deps: FollowUpDeps,
  caseId: string,
  input: FieldTaskDone,
  actor: Actor,
): Promise<DepartureResult<FieldTaskAnswer>> {
  const now = deps.clock.now();
  return onOpenDeparture<FieldTaskAnswer>(deps, caseId, actor, async (tx, found: OpenDeparture) => {
    if (!found.meterSurveyDue) return refuse('not_due', `no meter survey is due on case ${found.number}`);
    const meterIndex = input.meterIndex ?? null;
    if (input.outcome === 'customer-gone') {
      const recorded = await recordDeparted(
        deps,
        tx,
        found,
        now,
        { type: 'work-list.field-task-done', data: doneData(input, actor, { connectionClosed: true }) },
        { connectionClosedAt: now, meterIndex },
      );
      const departed = await afterDeparted(deps, tx, found, actor);
      return {
        ok: true,
        value: {
          value: {
            kind: input.kind,
            outcome: input.outcome,
            connectionClosed: true,
            caseStatus: departed.closed ? 'CLOSED' : 'OPEN',
            liabilityNotice: departed.liabilityNotice,
          },
          timers: departed.timers,
          async after() {
            await recorded.after();
            await departed.after();
          },
        },
      };
    }
    await tx.departure.update({ where: { caseId }, data: { meterSurveyDue: false, meterIndex } });
    await tx.case.update({ where: { id: caseId }, data: { status: 'CLOSED', closedAt: now } });
    const timersCancelled = await cancelTimers(tx, caseId, 'the customer has not moved');
    const at = { caseId, agencyId: found.agencyId, at: now };
    const done = await timelineInTx(tx, deps.events, {
      ...at,
      type: 'work-list.field-task-done',
      data: doneData(input, actor, { connectionClosed: false }),
    });
    const closed = await timelineInTx(tx, deps.events, {
      ...at,
      type: 'departure.closed',
      data: { reason: 'customer-present', timersCancelled, by: actor.displayName },
    });
    return {
      ok: true,
      value: {
        value: {
          kind: input.kind,
          outcome: input.outcome,
          connectionClosed: false,
          caseStatus: 'CLOSED',
          liabilityNotice: null,
        },
        async after() {
          await done();
          await closed();
        },
      },
    };
  });
}

/**
 * [DP-5] A vacant home's field task done: the follow-up ends and its case closes. Nobody living
 * there, the connection is closed; an occupant found, it is left open (they are to subscribe).
 */
async function closeConnectionDone(
  deps: FollowUpDeps,
  caseId: string,
  input: FieldTaskDone,
  actor: Actor,
): Promise<DepartureResult<FieldTaskAnswer>> {
  const now = deps.clock.now();
  const result = await deps.db.$transaction(async (tx): Promise<DepartureResult<AfterCommit>> => {
    const kase = await lockedCase(tx, caseId, actor);
    if (!kase?.vacantHousing) return refuse('not_found', 'no such vacant-housing case');
    if (!isOpen(kase.status)) return refuse('closed', `case ${kase.number} is ${kase.status.toLowerCase()}`);
    if (!kase.vacantHousing.fieldTaskDue)
      return refuse('not_due', `no field task is due on case ${kase.number}`);
    const gone = input.outcome === 'customer-gone';
    await tx.vacantHousing.update({
      where: { caseId },
      data: {
        fieldTaskDue: false,
        letterDue: false,
        meterIndex: input.meterIndex ?? null,
        ...(gone ? { connectionClosedAt: now } : {}),
      },
    });
    await tx.case.update({ where: { id: caseId }, data: { status: 'CLOSED', closedAt: now } });
    const timersCancelled = await cancelTimers(tx, caseId, 'field task done');
    return {
      ok: true,
      value: await timelineInTx(tx, deps.events, {
        caseId,
        agencyId: kase.agencyId,
        type: 'work-list.field-task-done',
        at: now,
        data: doneData(input, actor, { connectionClosed: gone, caseStatus: 'CLOSED', timersCancelled }),
      }),
    };
  });
  if (!result.ok) return result;
  await result.value();
  return {
    ok: true,
    value: {
      kind: input.kind,
      outcome: input.outcome,
      connectionClosed: input.outcome === 'customer-gone',
      caseStatus: 'CLOSED',
      liabilityNotice: null,
    },
  };
}

const isOpen = (status: string) => (OPEN_CASE_STATUSES as readonly string[]).includes(status);

/** The case, locked (of two changes at once, the second waits and sees the first's), if the actor sees it. */
async function lockedCase(tx: Tx, caseId: string, actor: Actor) {
  await tx.$executeRaw`SELECT 1 FROM cases WHERE id = ${caseId}::uuid FOR UPDATE`;
  return tx.case.findFirst({
    where: { id: caseId, ...actor.sees },
    select: {
      number: true,
      status: true,
      agencyId: true,
      vacantHousing: { select: { fieldTaskDue: true, letterDue: true } },
      departure: { select: { letterDue: true } },
    },
  });
}

export interface PrintedLetters {
  printed: number;
  /** Items that were not on the list (already printed, unknown, another agency's, closed). */
  notDue: Array<{ caseId: string; kind: LetterKind }>;
}

/**
 * The letters of a print run, printed: each leaves the list, "courrier imprimé" on its case. An
 * item not on the list is reported and the others are recorded; all in one transaction.
 */
export async function recordLettersPrinted(
  deps: FollowUpDeps,
  items: ReadonlyArray<{ caseId: string; kind: LetterKind }>,
  actor: Actor,
): Promise<PrintedLetters> {
  const now = deps.clock.now();
  const unique = [...new Map(items.map((i) => [`${i.caseId}/${i.kind}`, i])).values()];
  // Locked in one order, so two print runs at once cannot deadlock.
  unique.sort((a, b) => a.caseId.localeCompare(b.caseId));
  const { notDue, afters } = await deps.db.$transaction(async (tx) => {
    const notDue: PrintedLetters['notDue'] = [];
    const afters: AfterCommit[] = [];
    for (const item of unique) {
      const kase = await lockedCase(tx, item.caseId, actor);
      const due =
        kase &&
        isOpen(kase.status) &&
        (item.kind === 'departure-reminder' ? kase.departure?.letterDue : kase.vacantHousing?.letterDue);
      if (!due) {
        notDue.push(item);
        continue;
      }
      if (item.kind === 'departure-reminder')
        await tx.departure.update({ where: { caseId: item.caseId }, data: { letterDue: false } });
      else await tx.vacantHousing.update({ where: { caseId: item.caseId }, data: { letterDue: false } });
      afters.push(
        await timelineInTx(tx, deps.events, {
          caseId: item.caseId,
          agencyId: kase.agencyId,
          type: 'work-list.letters-printed',
          at: now,
          data: { kind: item.kind, summary: 'Courrier imprimé', by: actor.displayName },
        }),
      );
    }
    return { notDue, afters };
  });
  for (const after of afters) await after();
  return { printed: afters.length, notDue };
}
