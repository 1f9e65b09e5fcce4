import { cancelAppointmentsOfCase } from '../appointments/changes.service.js';
import type { FrenchCalendar } from '../calendar/french-calendar.js';
import type { Prisma } from '../generated/prisma/client.js';
import type {
  CallerRelation,
  CaseKind,
  ContactChannel,
  Direction,
  SensitiveCategory,
  Urgency,
} from '../generated/prisma/enums.js';
import { isMobile, toE164 } from '../identification/phone-number.js';
import { agencyCalendar } from '../oncall/on-call-windows.js';
import { confinedAgency, type Principal } from '../platform/auth/principal.js';
import type { Db } from '../platform/db/client.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { Services } from '../services.js';
import { type BillingHoldDeps, billingHoldDeps, syncBillingHolds } from './billing-holds.service.js';
import { OPEN_CASE_STATUSES, visibleTo } from './case-scope.js';
import { checkComment } from './comment-rule.js';
import { type DeadlineSettings, dueDate } from './deadlines.js';
import { recordOnTimeline } from './timeline.js';

// What an agent does to a case: qualify it (request or complaint, urgency, intervention needed:
// the due date follows), note, attach a new contact (flagged to the supervisors), close. Each
// step lands on the case's timeline and goes live to the consoles of its agency.

export interface CaseActionDeps {
  db: Db;
  events: EventBus;
  calendar: FrenchCalendar;
  timeZone: string;
  deadlines: DeadlineSettings;
  now(): Date;
  /** [CS-7] What the account holds need (billing-holds.service.ts `billingHoldDeps`). */
  billingHolds: BillingHoldDeps;
  /** [AP-6] Cancels the case's appointments (the customer withdrew the request); how many. */
  cancelAppointments(caseId: string, reason: string): Promise<number>;
}

/** The service's settings and clock, as the case actions need them. */
export function caseActionDeps(services: Services): CaseActionDeps {
  return {
    db: services.db,
    events: services.events,
    calendar: services.calendar,
    timeZone: services.settings.timeZone,
    deadlines: services.settings.caseDeadlines,
    now: () => services.clock.now(),
    billingHolds: billingHoldDeps(services),
    cancelAppointments: (caseId, reason) => cancelAppointmentsOfCase(services.appointments, caseId, reason),
  };
}

/** [CS-7] The account holds follow every change of a case's kind, category or status. */
function billingHoldsFollow(deps: CaseActionDeps, caseId: string, actor: Actor) {
  return syncBillingHolds(deps.billingHolds, caseId, { type: actor.type, id: actor.id });
}

export interface Actor {
  /** SYSTEM: the service itself, on a customer's behalf (the public contact form). */
  type: 'USER' | 'API_TOKEN' | 'SYSTEM';
  id: string;
  displayName: string;
  /** The cases this actor may act on (cases.routes.ts `visibleTo`): others are not found. */
  sees: Prisma.CaseWhereInput;
  /** The agency an agent is confined to (`confinedAgency`): they open cases for it or for none. */
  agencyId: string | null;
}

/** The user or machine client of a request, as an actor on cases. */
export function actorOf(request: { principal: Principal | null }): Actor {
  const p = request.principal!;
  // An agent acts on the cases they may see (their agency's and those of no agency), no others.
  return {
    type: p.kind === 'user' ? 'USER' : 'API_TOKEN',
    id: p.id,
    displayName: p.kind === 'user' ? p.displayName : p.name,
    sees: visibleTo(p),
    agencyId: confinedAgency(p),
  };
}

export type CaseActionResult<T = { id: string }> =
  | { ok: true; value: T }
  | {
      ok: false;
      code:
        | 'not_found'
        | 'closed'
        | 'comment_rule'
        | 'forbidden'
        | 'mobile_required'
        | 'no_recipient'
        | 'answer_required'
        | 'waiting';
      message: string;
      found?: unknown;
    };

/** The case as the actor may see it, if it is still open; one read, visibility included. */
export async function openCase(db: Db, caseId: string, actor: Actor) {
  const kase = await db.case.findFirst({
    where: { id: caseId, ...actor.sees },
    select: {
      id: true,
      status: true,
      urgency: true,
      kind: true,
      multiContact: true,
      sensitive: true,
      needsIntervention: true,
      interventionMobile: true,
      customerId: true,
      waitedSeconds: true,
      waitingSince: true,
      dueAt: true,
      openedAt: true,
      agencyId: true,
      number: true,
      agency: { select: { timeZone: true, holidayCalendar: true } },
      contacts: { select: { channel: true }, orderBy: { at: 'asc' }, take: 1 },
    },
  });
  if (!kase) return { error: { ok: false, code: 'not_found', message: 'no such case' } as const };
  if (!(OPEN_CASE_STATUSES as readonly string[]).includes(kase.status))
    return { error: { ok: false, code: 'closed', message: `case ${kase.number} is closed` } as const };
  return { kase };
}

/**
 * [ID-8] The mobile a field intervention needs: the one given (a French or international mobile),
 * else the one already on the case, else the customer's first working mobile. None: refused.
 */
async function interventionMobile(
  db: Db,
  given: string | undefined,
  onCase: string | null,
  customerId: string | null,
): Promise<{ mobile: string } | CaseActionResult<never>> {
  if (given !== undefined) {
    const e164 = toE164(given);
    if (e164 && isMobile(e164)) return { mobile: e164 };
    return {
      ok: false,
      code: 'mobile_required',
      message: `"${given}" is not a mobile number: a field intervention needs one to reach the customer`,
    };
  }
  if (onCase) return { mobile: onCase };
  const phone = customerId
    ? await db.customerPhone.findFirst({
        where: { customerId, kind: 'MOBILE', failing: false },
        orderBy: { e164: 'asc' },
        select: { e164: true },
      })
    : null;
  if (phone) return { mobile: phone.e164 };
  return {
    ok: false,
    code: 'mobile_required',
    message:
      'a field intervention needs a mobile number to reach the customer: none on file, give one (mobile)',
  };
}

/** The refusal of a text that breaks the comment rule, or null when it is fine. */
export function judgementIn(text: string): CaseActionResult<never> | null {
  const check = checkComment(text);
  if (check.ok) return null;
  const words = check.found.map((f) => `"${f.word}"`).join(', ');
  return {
    ok: false,
    code: 'comment_rule',
    message: `a comment must not judge a customer's finances, social situation or behaviour: ${words}`,
    found: check.found,
  };
}

function calendarFor(deps: CaseActionDeps, agency: { timeZone: string; holidayCalendar: string } | null) {
  return agencyCalendar(deps.calendar, agency ?? { timeZone: deps.timeZone, holidayCalendar: 'FR' });
}

export interface Qualification {
  kind?: CaseKind;
  urgency?: Urgency;
  needsIntervention?: boolean;
  /** [ID-8] The mobile to reach the customer for a field intervention. */
  mobile?: string;
  /** [CS-6] A sensitive letter's category (null: not sensitive). */
  sensitive?: SensitiveCategory | null;
}

export async function qualifyCase(
  deps: CaseActionDeps,
  caseId: string,
  change: Qualification,
  actor: Actor,
): Promise<CaseActionResult<{ dueAt: Date }>> {
  const { kase, error } = await openCase(deps.db, caseId, actor);
  if (error) return error;
  const next = {
    kind: change.kind ?? kase.kind,
    urgency: change.urgency ?? kase.urgency,
    needsIntervention: change.needsIntervention ?? kase.needsIntervention,
    sensitive: change.sensitive === undefined ? kase.sensitive : change.sensitive,
  };
  let mobile = kase.interventionMobile;
  if (next.needsIntervention) {
    const found = await interventionMobile(deps.db, change.mobile, kase.interventionMobile, kase.customerId);
    if ('ok' in found) return found;
    mobile = found.mobile;
  }
  const due = dueDate(
    { openedAt: kase.openedAt, channel: kase.contacts[0]?.channel ?? null, ...next },
    calendarFor(deps, kase.agency),
    deps.deadlines,
  );
  const { rule } = due;
  // [CS-3] The time already waited for a third party still counts (a pause under way ends later).
  const dueAt = new Date(due.dueAt.getTime() + kase.waitedSeconds * 1000);
  await deps.db.case.update({ where: { id: caseId }, data: { ...next, dueAt, interventionMobile: mobile } });
  await recordOnTimeline(deps.db, deps.events, {
    caseId,
    agencyId: kase.agencyId,
    type: 'case.qualified',
    at: deps.now(),
    data: { ...next, dueAt: dueAt.toISOString(), deadline: rule, by: actor.displayName },
  });
  await billingHoldsFollow(deps, caseId, actor);
  return { ok: true, value: { dueAt } };
}

export async function addNote(
  deps: CaseActionDeps,
  caseId: string,
  text: string,
  actor: Actor,
): Promise<CaseActionResult> {
  const judged = judgementIn(text);
  if (judged) return judged;
  // A note may follow the closing (what happened next): any case the actor sees.
  const kase = await deps.db.case.findFirst({
    where: { id: caseId, ...actor.sees },
    select: { agencyId: true },
  });
  if (!kase) return { ok: false, code: 'not_found', message: 'no such case' };
  await recordOnTimeline(deps.db, deps.events, {
    caseId,
    agencyId: kase.agencyId,
    type: 'case.note',
    at: deps.now(),
    data: { text, by: actor.displayName, userId: actor.id },
  });
  return { ok: true, value: { id: caseId } };
}

export interface NewContact {
  channel: ContactChannel;
  direction: Direction;
  summary: string;
  callerName?: string;
  callerRelation?: CallerRelation;
  /** The call the IVR recorded: its contact moves onto this case instead of a new one. */
  callSid?: string;
  /** Where it came from or went to: an e-mail address, a postal address. */
  address?: string;
}

/** A new contact about an open case: attached to it, and the case flagged to the supervisors. */
export async function attachContact(
  deps: CaseActionDeps,
  caseId: string,
  contact: NewContact,
  actor: Actor,
): Promise<CaseActionResult> {
  const { kase, error } = await openCase(deps.db, caseId, actor);
  if (error) return error;
  const at = deps.now();
  const fields = {
    caseId,
    direction: contact.direction,
    channel: contact.channel,
    summary: contact.summary,
    callerName: contact.callerName ?? null,
    callerRelation: contact.callerRelation ?? 'UNKNOWN',
  };
  const attached = await deps.db.$transaction(async (tx) => {
    const saved = contact.callSid
      ? await tx.contact.upsert({
          where: { providerId: contact.callSid },
          create: { ...fields, providerId: contact.callSid, at },
          update: fields,
          select: { id: true },
        })
      : await tx.contact.create({ data: { ...fields, at }, select: { id: true } });
    // [CS-1] The customer coming back about an open case makes it multi-contact; our own calls do
    // not, and the outbound call an agent owed as a holding reply [CS-4] is made.
    const inbound = contact.direction === 'INBOUND';
    const holdingCallMade = !inbound && contact.channel === 'PHONE';
    if (inbound || holdingCallMade)
      await tx.case.update({
        where: { id: caseId },
        data: inbound ? { multiContact: true } : { holdingCallDue: false },
      });
    return saved;
  });
  await recordOnTimeline(deps.db, deps.events, {
    caseId,
    agencyId: kase.agencyId,
    type: 'case.contact-attached',
    at,
    data: {
      contactId: attached.id,
      channel: contact.channel,
      direction: contact.direction,
      by: actor.displayName,
      multiContact: contact.direction === 'INBOUND',
      caseNumber: kase.number,
    },
  });
  return { ok: true, value: { id: attached.id } };
}

/** [CS-5] A complaint or a multi-contact case closes only once answered in writing (e-mail or letter). */
async function writtenAnswerMissing(
  db: Db,
  kase: { id: string; kind: string; multiContact: boolean },
): Promise<boolean> {
  if (kase.kind !== 'COMPLAINT' && !kase.multiContact) return false;
  // The answer itself (written-answer.service.ts), not a holding reply or an acknowledgement.
  const answered = await db.contact.findFirst({
    where: { caseId: kase.id, direction: 'OUTBOUND', details: { path: ['writtenAnswer'], equals: true } },
    select: { id: true },
  });
  return !answered;
}

export async function closeCase(
  deps: CaseActionDeps,
  caseId: string,
  resolution: string,
  actor: Actor,
): Promise<CaseActionResult> {
  const judged = judgementIn(resolution);
  if (judged) return judged;
  const { kase, error } = await openCase(deps.db, caseId, actor);
  if (error) return error;
  if (await writtenAnswerMissing(deps.db, kase))
    return {
      ok: false,
      code: 'answer_required',
      message: `case ${kase.number} is a ${kase.kind === 'COMPLAINT' ? 'complaint' : 'multi-contact case'}: it needs a written answer (e-mail or letter) before it closes`,
    };
  const at = deps.now();
  // Only an open case closes: of two agents closing at once, one does.
  const closed = await deps.db.case.updateMany({
    where: { id: caseId, status: { in: [...OPEN_CASE_STATUSES] } },
    // A holding call still owed [CS-4] is moot once the case is closed.
    data: { status: 'CLOSED', closedAt: at, holdingCallDue: false },
  });
  if (closed.count === 0) return { ok: false, code: 'closed', message: `case ${kase.number} is closed` };
  await recordOnTimeline(deps.db, deps.events, {
    caseId,
    agencyId: kase.agencyId,
    type: 'case.closed',
    at,
    data: { resolution, by: actor.displayName },
  });
  await billingHoldsFollow(deps, caseId, actor);
  return { ok: true, value: { id: caseId } };
}

/**
 * [AP-6] The customer withdraws the request: the case is cancelled, and with it its appointments
 * (slots freed, reminders withdrawn) and what was still owed on it (a holding call, the
 * scheduling team's callback).
 */
export async function cancelRequest(
  deps: CaseActionDeps,
  caseId: string,
  reason: string,
  actor: Actor,
): Promise<CaseActionResult<{ id: string; appointmentsCancelled: number }>> {
  const judged = judgementIn(reason);
  if (judged) return judged;
  const { kase, error } = await openCase(deps.db, caseId, actor);
  if (error) return error;
  const at = deps.now();
  const cancelled = await deps.db.case.updateMany({
    where: { id: caseId, status: { in: [...OPEN_CASE_STATUSES] } },
    data: { status: 'CANCELLED', closedAt: at, holdingCallDue: false, schedulingCallbackSince: null },
  });
  if (cancelled.count === 0) return { ok: false, code: 'closed', message: `case ${kase.number} is closed` };
  const appointmentsCancelled = await deps.cancelAppointments(caseId, reason);
  await recordOnTimeline(deps.db, deps.events, {
    caseId,
    agencyId: kase.agencyId,
    type: 'case.cancelled',
    at,
    data: { reason, by: actor.displayName, appointmentsCancelled },
  });
  await billingHoldsFollow(deps, caseId, actor);
  return { ok: true, value: { id: caseId, appointmentsCancelled } };
}

export interface NewCase {
  customerId?: string;
  agencyId?: string;
  kind: CaseKind;
  urgency: Urgency;
  category: string;
  subject: string;
  description?: string;
  needsIntervention: boolean;
  /** [ID-8] The mobile to reach the customer for a field intervention. */
  mobile?: string;
  contact: NewContact;
}

/** A case opened by an agent, with its first contact (a call taken, a letter, an e-mail…). */
export async function createCase(
  deps: CaseActionDeps,
  input: NewCase,
  actor: Actor,
): Promise<CaseActionResult<{ id: string; number: number }>> {
  const at = deps.now();
  const judged = judgementIn(input.description ?? '');
  if (judged) return judged;
  if (input.agencyId && actor.agencyId && input.agencyId !== actor.agencyId)
    return { ok: false, code: 'forbidden', message: 'an agent opens cases for their own agency only' };
  const agency = input.agencyId
    ? await deps.db.agency.findUnique({
        where: { id: input.agencyId },
        select: { timeZone: true, holidayCalendar: true },
      })
    : null;
  if (input.agencyId && !agency) return { ok: false, code: 'not_found', message: 'no such agency' };
  const mobile = input.needsIntervention
    ? await interventionMobile(deps.db, input.mobile, null, input.customerId ?? null)
    : null;
  if (mobile && 'ok' in mobile) return mobile;
  const { dueAt, rule } = dueDate(
    {
      openedAt: at,
      urgency: input.urgency,
      channel: input.contact.channel,
      needsIntervention: input.needsIntervention,
    },
    calendarFor(deps, agency),
    deps.deadlines,
  );
  const contactFields = {
    direction: input.contact.direction,
    channel: input.contact.channel,
    summary: input.contact.summary,
    callerName: input.contact.callerName ?? null,
    callerRelation: input.contact.callerRelation ?? 'UNKNOWN',
    customerId: input.customerId ?? null,
    address: input.contact.address ?? null,
  };
  const created = await deps.db.$transaction(async (tx) => {
    const kase = await tx.case.create({
      data: {
        kind: input.kind,
        urgency: input.urgency,
        category: input.category,
        subject: input.subject,
        description: input.description ?? null,
        needsIntervention: input.needsIntervention,
        interventionMobile: mobile?.mobile ?? null,
        customerId: input.customerId ?? null,
        agencyId: input.agencyId ?? null,
        openedAt: at,
        dueAt,
        events: {
          create: {
            type: 'case.created',
            at,
            data: { by: actor.displayName, deadline: rule } as Prisma.InputJsonValue,
          },
        },
      },
      select: { id: true, number: true },
    });
    if (input.contact.callSid)
      await tx.contact.upsert({
        where: { providerId: input.contact.callSid },
        create: { ...contactFields, caseId: kase.id, providerId: input.contact.callSid, at },
        update: { ...contactFields, caseId: kase.id },
      });
    else await tx.contact.create({ data: { ...contactFields, caseId: kase.id, at } });
    return kase;
  });
  await deps.events.publish({
    type: 'case.opened',
    agencyId: input.agencyId ?? null,
    data: { caseId: created.id, number: created.number, category: input.category, by: actor.displayName },
  });
  await billingHoldsFollow(deps, created.id, actor);
  return { ok: true, value: created };
}
