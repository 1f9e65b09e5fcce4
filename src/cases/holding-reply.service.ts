import type { Locale } from '../generated/prisma/enums.js';
import { customerName } from '../identification/customer-identity.js';
import { enqueueMessage, type OutboxDeps } from '../messaging/outbox.service.js';
import type { Templates } from '../messaging/templates.js';
import type { Services } from '../services.js';
import { recordOnTimeline } from './timeline.js';

// [CS-4] A case about to miss its response deadline, not answered yet, gets a holding reply: an
// e-mail when an address is on file (the customer's, else the one the request came from), else a
// call for an agent to make (holdingCallDue, cleared when the outbound call is recorded). A sweep
// finds them every minute from the case store itself, so a deadline moved by a requalification or
// a pause needs no timer to follow it, and a restart or a Redis loss forgets nothing.
//
// Only normal-urgency cases: urgent and priority ones are interventions due within the hour or
// the day, not answers. A paused case (waiting for a third party) has no running deadline [CS-3].

export interface HoldingReplyDeps {
  db: OutboxDeps['db'];
  events: OutboxDeps['events'];
  outbox: OutboxDeps;
  templates: Templates;
  /** How long before the deadline the reply goes (CASE_HOLDING_REPLY_HOURS). */
  beforeHours: number;
  now(): Date;
  /** A case whose reply failed: logged, and the sweep goes on with the others (and tries again). */
  onError(caseId: string, err: unknown): void;
}

const BATCH = 200;

/** The service's settings and clock, as the holding replies need them. */
export function holdingReplyDeps(services: Services): HoldingReplyDeps {
  return {
    db: services.db,
    events: services.events,
    outbox: services.outbox,
    templates: services.templates,
    beforeHours: services.settings.holdingReplyHours,
    now: () => services.clock.now(),
    onError: (caseId, err) =>
      services.logger.warn({ err, caseId }, 'holding reply not sent; tried again next sweep'),
  };
}

export interface HoldingReplies {
  emailed: number;
  callsDue: number;
}

/** Sends the holding replies now due; safe to run from several workers at once. */
export async function sendHoldingReplies(deps: HoldingReplyDeps): Promise<HoldingReplies> {
  const now = deps.now();
  const done: HoldingReplies = { emailed: 0, callsDue: 0 };
  for (const kase of await dueCases(deps, now)) {
    try {
      const sent = await replyTo(deps, kase, now);
      if (sent === 'EMAIL') done.emailed++;
      else if (sent === 'CALL') done.callsDue++;
    } catch (err) {
      deps.onError(kase.id, err);
    }
  }
  return done;
}

/** The cases about to miss their deadline that have had no holding reply yet. */
function dueCases(deps: HoldingReplyDeps, now: Date) {
  return deps.db.case.findMany({
    where: {
      status: { in: ['OPEN', 'IN_PROGRESS'] },
      waitingSince: null,
      urgency: 'NORMAL',
      holdingReplyAt: null,
      // [CS-6] Sensitive letters are the dedicated team's to answer, holding reply or not.
      sensitive: null,
      // About to miss it: within the window before the deadline. Long past it, a "still in hand"
      // e-mail would come too late to mean anything (and a first start would send one to every
      // old case).
      dueAt: {
        lte: new Date(now.getTime() + deps.beforeHours * 3600_000),
        gt: new Date(now.getTime() - deps.beforeHours * 3600_000),
      },
      // Already answered in writing [CS-5]: nothing to hold.
      contacts: { none: { direction: 'OUTBOUND', details: { path: ['writtenAnswer'], equals: true } } },
    },
    orderBy: { dueAt: 'asc' },
    take: BATCH,
    select: {
      id: true,
      number: true,
      subject: true,
      agencyId: true,
      customerId: true,
      customer: {
        select: {
          email: true,
          emailFailing: true,
          locale: true,
          firstName: true,
          lastName: true,
          companyName: true,
        },
      },
      contacts: {
        where: { direction: 'INBOUND', channel: 'EMAIL', address: { not: null } },
        orderBy: { at: 'asc' },
        take: 1,
        select: { address: true, callerName: true },
      },
    },
  });
}

type DueCase = Awaited<ReturnType<typeof dueCases>>[number];

/** One case's holding reply: 'EMAIL' sent, 'CALL' asked of an agent, null if another sweep did it. */
async function replyTo(deps: HoldingReplyDeps, kase: DueCase, now: Date): Promise<'EMAIL' | 'CALL' | null> {
  const customer = kase.customer;
  const email =
    customer?.email && !customer.emailFailing ? customer.email : (kase.contacts[0]?.address ?? null);
  const locale: Locale = customer?.locale ?? 'fr';
  const greeted = (customer && customerName(customer)) || kase.contacts[0]?.callerName || '';
  // The message first, under a key of its own: a sweep that dies before recording the reply
  // finds the same message next time rather than sending a second one.
  const message = email
    ? await enqueueMessage(deps.outbox, {
        channel: 'EMAIL',
        to: email,
        ...rendered(deps.templates, locale, {
          caseNumber: String(kase.number),
          customerName: greeted,
          subject: kase.subject,
        }),
        purpose: 'case-holding-reply',
        essential: true,
        locale,
        caseId: kase.id,
        customerId: kase.customerId ?? undefined,
        idempotencyKey: `case-${kase.id}-holding-reply`,
      })
    : null;
  const recorded = await deps.db.$transaction(async (tx) => {
    const claimed = await tx.case.updateMany({
      where: { id: kase.id, holdingReplyAt: null },
      data: { holdingReplyAt: now, holdingCallDue: !message },
    });
    if (claimed.count === 0) return false;
    if (message)
      await tx.contact.create({
        data: {
          caseId: kase.id,
          customerId: kase.customerId,
          direction: 'OUTBOUND',
          channel: 'EMAIL',
          at: now,
          address: email,
          summary: 'Réponse d’attente envoyée par e-mail',
          details: { holdingReply: true, messageId: message.id },
        },
      });
    return true;
  });
  if (!recorded) return null;
  await recordOnTimeline(deps.db, deps.events, {
    caseId: kase.id,
    agencyId: kase.agencyId,
    type: message ? 'case.holding-reply' : 'case.holding-call-due',
    at: now,
    data: { caseNumber: kase.number, ...(message ? { channel: 'EMAIL', messageId: message.id } : {}) },
  });
  return message ? 'EMAIL' : 'CALL';
}

function rendered(templates: Templates, locale: Locale, vars: Record<string, string>) {
  return {
    subject: templates.render('email/case-holding-reply.subject', locale, vars),
    body: templates.render('email/case-holding-reply.text', locale, vars),
    html: templates.render('email/case-holding-reply.html', locale, vars),
  };
}
