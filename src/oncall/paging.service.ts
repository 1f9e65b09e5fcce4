import { randomUUID } from 'node:crypto';
import { recordOnTimeline } from '../cases/timeline.js';
import type { AttemptOutcome, MessageStatus, PageTarget } from '../generated/prisma/enums.js';
import {
  claimedAtWrite,
  deliverNow,
  deliverWritten,
  enqueueMessage,
  enqueueMessages,
  type NewMessage,
  queuedAtWrite,
  type Sendable,
  scheduleSend,
} from '../messaging/outbox.service.js';
import { row, sql } from '../platform/db/statements.js';
import { maskPhone } from '../platform/logger.js';
import {
  type AttemptRow,
  attachAttemptMessages,
  type PageForAttempt,
  pageForAttempt,
  startAttempt,
} from './attempt-store.js';
import { loadRequestDetails, type RequestDetails } from './page-content.js';
import {
  ackTimeoutJobId,
  attemptJobId,
  cancelJob,
  OPEN_PAGE_STATUSES,
  type PagingDeps,
  runDelayedJobNow,
  scheduleAckTimeout,
  scheduleAttempt,
} from './paging.deps.js';
import { sendRecap } from './recap.service.js';

// Paging the on-call staff for one case (DOMAIN.md section 1): the technician on the agency's
// rota is called and sent an SMS; after `escalateAfterFailures` consecutive failed attempts in
// the same on-call period (or at once for a life-safety emergency or a rota gap), the regional
// on-call manager is paged the same way. PostgreSQL holds where a page stands; the next step
// waits in Redis as a delayed job with a deterministic id, so a restart resumes it and two
// workers cannot page twice for one attempt (attempt numbers are unique per page).

interface Target {
  target: PageTarget;
  technicianId: string | null;
  managerId: string | null;
  rotaId: string | null;
  mobile: string;
  name: string;
}

/** The job `attempt`: pages whoever is on call now for this page, once per attempt number. */
export async function runAttempt(deps: PagingDeps, pageId: string, number: number): Promise<string> {
  const now = deps.clock.now();
  const page = await pageForAttempt(deps.db, pageId, number, now);
  if (!page || !(OPEN_PAGE_STATUSES as readonly string[]).includes(page.status)) return 'page-settled';

  let attempt = page.attempt;
  // What the call and the SMS say, read while the rota is looked at (issue 24: a page's time is
  // its round trips one after the other).
  const details = loadRequestDetails(deps.db, deps.templates, page.caseId, deps.zone);
  details.catch(() => {}); // awaited below; not an unhandled rejection if the attempt fails first
  let started: { timeline: Record<string, unknown> } | null = null;
  let sending: Promise<unknown> | null = null;
  if (!attempt) {
    const target = await chooseTarget(deps, page, now);
    if (!target) {
      await giveUp(deps, pageId, 'nobody-on-call');
      return 'nobody-on-call';
    }
    const { name, ...columns } = target;
    const timeline = { attempt: number, target: target.target, name, mobile: maskPhone(target.mobile) };
    const named = {
      id: randomUUID(),
      mobile: target.mobile,
      callMessageId: randomUUID(),
      smsMessageId: randomUUID(),
    };
    const [callInput, smsInput] = attemptMessages(deps, page, named, await details);
    // The attempt, its call (claimed) and its SMS in one statement; the call leaves from this job
    // (a second job's wait in a queue busy with a burst was half of a page's delay), the SMS waits
    // for its turn at the sender's rate.
    const call = claimedAtWrite(deps.outbox, callInput);
    const sms = queuedAtWrite(deps.outbox, smsInput);
    const written = await startAttempt(deps.db, {
      ...named,
      pageId,
      caseId: page.caseId,
      number,
      startedAt: now,
      ...columns,
      timeline,
      messages: [call.columns, sms.columns],
    });
    if (!written.attempt) return 'page-settled';
    attempt = written.attempt;
    if (written.created) {
      // Only the worker that created the attempt tells the consoles (its event is on the timeline).
      started = { timeline };
      sending = Promise.all([deliverWritten(deps.outbox, call), scheduleSend(deps.outbox, sms.sendable)]);
    }
  }
  // Run again (its worker died, or another created the attempt first): the messages are written
  // once whoever writes them, and the call is sent only if nobody claimed it yet.
  sending ??= writeAttemptMessages(deps, page, attempt, await details).then((call) =>
    deliverNow(deps.outbox, call),
  );
  await Promise.all([
    sending,
    scheduleAckTimeout(deps, pageId, number, attempt.id),
    started &&
      deps.events.publish({
        type: 'page.attempt.started',
        at: now.toISOString(),
        agencyId: page.agencyId,
        data: { caseId: page.caseId, ...started.timeline },
      }),
  ]);
  return 'paged';
}

/** The call and the SMS of an attempt, under the ids the attempt names (or new ones, for an old attempt). */
function attemptMessages(
  deps: PagingDeps,
  page: Pick<PageForAttempt, 'caseId' | 'replyCode'>,
  attempt: AttemptRow,
  details: RequestDetails,
): [NewMessage & { id: string }, NewMessage & { id: string }] {
  const vars = { ...details, replyCode: page.replyCode };
  const common = { to: attempt.mobile, purpose: 'oncall-page', essential: true, caseId: page.caseId };
  return [
    {
      ...common,
      id: attempt.callMessageId ?? randomUUID(),
      channel: 'VOICE',
      body: deps.templates.render('voice/oncall-page-intro', 'fr', vars),
      idempotencyKey: `page-attempt-${attempt.id}-call`,
      twimlPath: `/twilio/voice/page?attemptId=${attempt.id}`,
      sentByWriter: true,
    },
    {
      ...common,
      id: attempt.smsMessageId ?? randomUUID(),
      channel: 'SMS',
      body: deps.templates.render('sms/oncall-page', 'fr', vars),
      idempotencyKey: `page-attempt-${attempt.id}-sms`,
    },
  ];
}

/**
 * The call and the SMS of an attempt run again, written once (ids and idempotency keys) whoever
 * runs it, however many times. The attempt names them before they exist, so that its call's status
 * callbacks always find it. The SMS gets its send job; the call is the caller's to send (returned).
 */
async function writeAttemptMessages(
  deps: PagingDeps,
  page: Pick<PageForAttempt, 'caseId' | 'replyCode'>,
  attempt: AttemptRow,
  details: RequestDetails,
): Promise<Sendable> {
  // One INSERT for both.
  const [call, sms] = await enqueueMessages(deps.outbox, attemptMessages(deps, page, attempt, details));
  // An attempt written before attempts named their messages.
  if (!attempt.callMessageId || !attempt.smsMessageId)
    await attachAttemptMessages(deps.db, attempt.id, call!.id, sms!.id);
  return { id: call!.id, channel: 'VOICE', essential: true, notBefore: null };
}

async function chooseTarget(
  deps: PagingDeps,
  page: Pick<PageForAttempt, 'id' | 'agencyId' | 'decision' | 'escalatedAt' | 'onRota'>,
  now: Date,
): Promise<Target | null> {
  const { db } = deps;
  if (!page.agencyId) return null;
  if (!page.escalatedAt && page.decision !== 'emergency') {
    if (page.onRota) return { target: 'TECHNICIAN', managerId: null, ...page.onRota };
    // A rota gap: nobody to page at the agency, so the regional manager takes over at once.
    await escalate(deps, page.id, 'rota-gap', null);
  } else if (!page.escalatedAt) {
    await escalate(deps, page.id, 'emergency', null);
  }
  const agency = await db.agency.findUniqueOrThrow({
    where: { id: page.agencyId },
    select: { regionId: true },
  });
  const rota = await db.managerRota.findFirst({
    where: {
      regionId: agency.regionId,
      startsAt: { lte: now },
      endsAt: { gt: now },
      manager: { active: true },
    },
    orderBy: { startsAt: 'desc' },
    include: { manager: true },
  });
  if (!rota) return null;
  return {
    target: 'MANAGER',
    technicianId: null,
    managerId: rota.managerId,
    rotaId: null,
    mobile: rota.manager.mobile,
    name: `${rota.manager.firstName} ${rota.manager.lastName}`,
  };
}

/**
 * An attempt ended without an acceptance (no answer, busy, failed, answering machine, refusal,
 * no acknowledgement in time). Only the first report ends it and says so: duplicated or late
 * callbacks find the attempt already ended. The next step (next attempt, escalation, giving up) is
 * idempotent, and taken again by a later report while the page has no later attempt: a worker
 * killed between ending the attempt and scheduling the next one would otherwise leave the page
 * waiting for ever (its acknowledgement timer's job, run again, resumes it).
 */
export async function attemptFailed(
  deps: PagingDeps,
  attemptId: string,
  outcome: Exclude<AttemptOutcome, 'PENDING' | 'ACCEPTED'>,
  /** The retry delay has passed already (the page sweep): the next attempt goes at once. */
  options: { retryWaited?: boolean } = {},
): Promise<boolean> {
  const { db } = deps;
  const now = deps.clock.now();
  const ended = await db.pageAttempt.updateMany({
    where: { id: attemptId, outcome: 'PENDING' },
    data: { outcome, endedAt: now },
  });
  deps.faults?.reach('paging.after-attempt-ended');
  const attempt = await db.pageAttempt.findUnique({
    where: { id: attemptId },
    include: { page: true, technician: { select: { poorCoverageUntil: true } } },
  });
  if (!attempt) return false;
  const { page } = attempt;
  const open = (OPEN_PAGE_STATUSES as readonly string[]).includes(page.status);
  if (ended.count === 0) {
    if (attempt.outcome === 'ACCEPTED' || !open) return false;
    const later = await db.pageAttempt.count({ where: { pageId: page.id, number: { gt: attempt.number } } });
    if (later === 0) await nextStep(deps, attempt, now, options);
    return false;
  }
  await cancelJob(deps, ackTimeoutJobId(page.id, attempt.number));
  await recordOnTimeline(db, deps.events, {
    caseId: page.caseId,
    agencyId: page.agencyId,
    type: 'page.attempt.ended',
    at: now,
    data: { attempt: attempt.number, target: attempt.target, outcome },
  });
  if (open) await nextStep(deps, attempt, now, options);
  return true;
}

/** After a failed attempt of an open page: the next attempt, the escalation, or giving up. Idempotent. */
async function nextStep(
  deps: PagingDeps,
  attempt: {
    number: number;
    target: PageTarget;
    rotaId: string | null;
    technicianId: string | null;
    page: { id: string };
    technician: { poorCoverageUntil: Date | null } | null;
  },
  now: Date,
  { retryWaited = false }: { retryWaited?: boolean },
): Promise<void> {
  const { db } = deps;
  const { page } = attempt;
  const next = attempt.number + 1;
  const retryMs = retryWaited ? 0 : deps.settings.retryDelaySeconds * 1000;
  if (attempt.target === 'MANAGER') {
    const managerAttempts = await db.pageAttempt.count({ where: { pageId: page.id, target: 'MANAGER' } });
    if (managerAttempts >= deps.settings.managerMaxAttempts) await giveUp(deps, page.id, 'manager-unreached');
    else await scheduleAttempt(deps, page.id, next, retryMs);
    return;
  }
  const failures = await consecutiveFailures(deps, attempt.rotaId, attempt.technicianId);
  const poorCoverage = (attempt.technician?.poorCoverageUntil ?? new Date(0)) > now;
  if (failures >= deps.settings.escalateAfterFailures && !poorCoverage) {
    await escalate(deps, page.id, 'failed-attempts', attempt.technicianId);
    await scheduleAttempt(deps, page.id, next, 0);
  } else {
    await scheduleAttempt(deps, page.id, next, retryMs);
  }
}

/** Failed attempts on this technician since their last acceptance, within the on-call period. */
async function consecutiveFailures(
  deps: PagingDeps,
  rotaId: string | null,
  technicianId: string | null,
): Promise<number> {
  if (!rotaId || !technicianId) return 0;
  const recent = await deps.db.pageAttempt.findMany({
    where: { rotaId, technicianId, outcome: { not: 'PENDING' } },
    orderBy: [{ endedAt: 'desc' }, { startedAt: 'desc' }],
    select: { outcome: true },
    take: 50,
  });
  const lastAccepted = recent.findIndex((a) => a.outcome === 'ACCEPTED');
  return lastAccepted < 0 ? recent.length : lastAccepted;
}

/** The regional manager takes over; the technician (when there is one) is told. Once per page. */
async function escalate(
  deps: PagingDeps,
  pageId: string,
  reason: 'failed-attempts' | 'rota-gap' | 'emergency',
  technicianId: string | null,
): Promise<void> {
  const { db } = deps;
  const now = deps.clock.now();
  const done = await db.page.updateMany({
    where: { id: pageId, escalatedAt: null },
    data: { escalatedAt: now, escalationReason: reason },
  });
  if (done.count === 0) return;
  const page = await db.page.findUniqueOrThrow({
    where: { id: pageId },
    include: { case: { select: { number: true } } },
  });
  await recordOnTimeline(db, deps.events, {
    caseId: page.caseId,
    agencyId: page.agencyId,
    type: 'page.escalated',
    at: now,
    data: { reason },
  });
  if (!technicianId) return;
  const technician = await db.technician.findUniqueOrThrow({ where: { id: technicianId } });
  await enqueueMessage(deps.outbox, {
    channel: 'SMS',
    to: technician.mobile,
    body: deps.templates.render('sms/oncall-escalated', 'fr', { caseNumber: String(page.case.number) }),
    purpose: 'oncall-escalated',
    essential: true,
    caseId: page.caseId,
    idempotencyKey: `page-${pageId}-escalated-${technicianId}`,
  });
}

/** Nobody could be reached: the page ends, the agency's recap says so, supervisors see it live. */
async function giveUp(deps: PagingDeps, pageId: string, reason: 'nobody-on-call' | 'manager-unreached') {
  const now = deps.clock.now();
  const done = await deps.db.page.updateMany({
    where: { id: pageId, status: { in: [...OPEN_PAGE_STATUSES] } },
    data: { status: 'UNREACHED' },
  });
  if (done.count === 0) return;
  const page = await deps.db.page.findUniqueOrThrow({ where: { id: pageId } });
  await recordOnTimeline(deps.db, deps.events, {
    caseId: page.caseId,
    agencyId: page.agencyId,
    type: 'page.unreached',
    at: now,
    data: { reason },
  });
  deps.logger.error({ caseId: page.caseId, pageId, reason }, 'on-call page reached nobody');
  await sendRecap(deps, page.caseId);
}

/** The routing decision of a call and its page, as `route-on-call` left them in the call's state. */
export interface CallRouting {
  kind: string;
  pageId: string | null;
}

/**
 * The out-of-hours call is over (its description recorded, or the caller hung up): page now
 * rather than wait for the backstop delay, or send the recap of a request paged later or never.
 * The call's state knows its routing (no query); a call routed before it did is read from the case.
 */
export async function afterOutOfHoursCall(
  deps: PagingDeps,
  caseId: string,
  known?: CallRouting,
): Promise<void> {
  const routing = known ?? (await routingOfCase(deps, caseId));
  if (routing?.kind === 'deferred' || routing?.kind === 'recap-only') {
    await sendRecap(deps, caseId);
    return;
  }
  if (routing?.kind !== 'page-now' || !routing.pageId) return;
  // Released once: by the recording or by the end of the call, whichever comes first (another api
  // may be releasing it at the same moment: a job no longer delayed is released already). A page
  // settled in between finds its attempt job with nothing to do.
  await runDelayedJobNow(deps, attemptJobId(routing.pageId, 1));
}

async function routingOfCase(deps: PagingDeps, caseId: string): Promise<CallRouting | undefined> {
  const found = await row<{ kind: string | null; pageId: string | null }>(
    deps.db,
    sql`
    SELECT (SELECT data->>'kind' FROM case_events
            WHERE case_id = ${caseId}::uuid AND type = 'oncall.decision' ORDER BY id DESC LIMIT 1) AS kind,
           (SELECT id FROM pages WHERE case_id = ${caseId}::uuid AND status = 'SCHEDULED') AS "pageId"`,
  );
  return found?.kind ? { kind: found.kind, pageId: found.pageId } : undefined;
}

/** A status callback of a page call: no answer, busy and failed end the attempt. */
export async function pageCallStatus(
  deps: PagingDeps,
  messageId: string,
  status: MessageStatus,
  answeredBy: string | undefined,
): Promise<void> {
  const outcome =
    status === 'NO_ANSWER'
      ? 'NO_ANSWER'
      : status === 'BUSY'
        ? 'BUSY'
        : status === 'FAILED' || status === 'CANCELED'
          ? 'FAILED'
          : status === 'COMPLETED' && /^(machine|fax)/.test(answeredBy ?? '')
            ? 'MACHINE'
            : null;
  if (!outcome) return;
  const attempt = await deps.db.pageAttempt.findFirst({
    where: { callMessageId: messageId },
    select: { id: true },
  });
  if (attempt) await attemptFailed(deps, attempt.id, outcome);
}
