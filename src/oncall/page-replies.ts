import { DateTime } from 'luxon';
import { recordOnTimeline } from '../cases/timeline.js';
import { enqueueMessage } from '../messaging/outbox.service.js';
import { parseReply } from '../messaging/replies/reply-keywords.js';
import { acknowledge } from './acknowledgement.service.js';
import { type OutcomeReply, parseOutcomeReply } from './page-outcome.js';
import { recordPageOutcome } from './page-outcome.service.js';
import type { PagingDeps } from './paging.deps.js';
import { attemptFailed } from './paging.service.js';

// SMS replies from the people paged: accept ("OK", "1", "OUI"), refuse ("NON", "2"), or say they
// are in a poor-coverage area ("ZONE", "RESEAU") so that missed calls do not escalate for a
// while. A four-digit code (quoted in the page's SMS) picks one page among several; without it
// the reply is for the latest page sent to that number. Case and accents are ignored. After the
// call-back, the decision ("RDV 14h30", "RESOLU", "PAS NOUS") is recorded on the page [ON-11].

export type PageReplyIntent = 'accept' | 'refuse' | 'poor-coverage' | 'unknown';

const POOR_COVERAGE = {
  zone: 'poor-coverage',
  reseau: 'poor-coverage',
  couverture: 'poor-coverage',
  coverage: 'poor-coverage',
} as const;

/** A reply of on-call staff: the gateway's reading (yes/no, reference code), plus "zone". */
export function parsePageReply(body: string): { intent: PageReplyIntent; code: string | null } {
  const { intent, code } = parseReply(body, POOR_COVERAGE);
  const meaning = intent === 'yes' ? 'accept' : intent === 'no' ? 'refuse' : intent;
  // STOP and the like mean nothing to paging: pages are essential and keep coming.
  return { intent: meaning === 'opt-out' || meaning === 'opt-in' ? 'unknown' : meaning, code };
}

/**
 * Handles an inbound SMS if it comes from an on-call technician or manager; returns false for
 * anybody else (the message is then for the general reply router).
 */
export async function handlePageReply(deps: PagingDeps, from: string, body: string): Promise<boolean> {
  const { db } = deps;
  const [technician, manager] = await Promise.all([
    db.technician.findFirst({ where: { mobile: from, active: true } }),
    db.regionalManager.findFirst({ where: { mobile: from, active: true } }),
  ]);
  if (!technician && !manager) return false;
  const person = technician ?? manager!;
  const outcome = parseOutcomeReply(body, deps.clock.now(), deps.zone);
  if (outcome.kind !== 'none') {
    await outcomeReply(deps, from, `${person.firstName} ${person.lastName}`, outcome);
    return true;
  }
  const { intent, code } = parsePageReply(body);

  if (intent === 'poor-coverage' && technician) {
    await poorCoverage(deps, technician.id, from);
    return true;
  }
  const attempts = await db.pageAttempt.findMany({
    where: { mobile: from, ...(code ? { page: { replyCode: code } } : {}) },
    orderBy: { startedAt: 'desc' },
    take: 20,
    include: { page: { include: { case: { select: { number: true } } } } },
  });
  const open = attempts.find((a) => a.page.status === 'PAGING' || a.page.status === 'SCHEDULED');
  const attempt = open ?? attempts[0];
  if (!attempt) return true; // on-call staff with nothing paged to them: nothing to answer
  const caseNumber = String(attempt.page.case.number);
  const reply = (key: string, vars: Record<string, unknown>, idempotencyKey: string) =>
    enqueueMessage(deps.outbox, {
      channel: 'SMS',
      to: from,
      body: deps.templates.render(key, 'fr', { caseNumber, replyCode: attempt.page.replyCode, ...vars }),
      purpose: 'oncall-reply',
      essential: true,
      caseId: attempt.page.caseId,
      idempotencyKey,
    });

  if (!open && (intent === 'accept' || intent === 'refuse')) {
    // A reply to an old page changes nothing, and says so.
    await reply(
      'sms/oncall-old-page',
      { acknowledged: attempt.page.status === 'ACKNOWLEDGED' },
      `page-${attempt.pageId}-old-reply-${deps.clock.now().getTime()}`,
    );
    return true;
  }
  if (intent === 'accept') {
    const result = await acknowledge(deps, attempt.id, 'sms');
    if (result.outcome === 'accepted')
      await reply(
        'sms/oncall-accepted',
        { callbackNumber: result.details.callbackNumber },
        `page-${attempt.pageId}-accepted`,
      );
    return true;
  }
  if (intent === 'refuse') {
    await attemptFailed(deps, attempt.id, 'REFUSED');
    await reply('sms/oncall-refused', {}, `page-attempt-${attempt.id}-refused`);
    return true;
  }
  // Not understood: one short help per attempt, never a loop of replies.
  await reply('sms/oncall-reply-help', {}, `page-attempt-${attempt.id}-help`);
  return true;
}

/**
 * [ON-11] The decision texted after the call-back: recorded on the page the sender took (an open
 * page paging them is taken by the reply), confirmed by SMS; a reply that cannot be read gets the
 * formats once; a page that ended without them says so.
 */
async function outcomeReply(
  deps: PagingDeps,
  from: string,
  decidedBy: string,
  reply: Exclude<OutcomeReply, { kind: 'none' }>,
): Promise<void> {
  const { db } = deps;
  const byCode = reply.code ? { page: { replyCode: reply.code } } : {};
  const [taken, open] = await Promise.all([
    db.pageAttempt.findFirst({
      where: { mobile: from, outcome: 'ACCEPTED', page: { status: 'ACKNOWLEDGED' }, ...byCode },
      orderBy: { startedAt: 'desc' },
      include: { page: { include: { case: { select: { number: true } } } } },
    }),
    db.pageAttempt.findFirst({
      where: { mobile: from, page: { status: { in: ['SCHEDULED', 'PAGING'] }, ...byCode.page } },
      orderBy: { startedAt: 'desc' },
      include: { page: { include: { case: { select: { number: true } } } } },
    }),
  ]);
  const latest =
    taken ??
    open ??
    (await db.pageAttempt.findFirst({
      where: { mobile: from, ...byCode },
      orderBy: { startedAt: 'desc' },
      include: { page: { include: { case: { select: { number: true } } } } },
    }));
  if (!latest) return; // on-call staff with nothing paged to them: nothing to answer
  const sms = (key: string, vars: Record<string, unknown>, idempotencyKey: string) =>
    enqueueMessage(deps.outbox, {
      channel: 'SMS',
      to: from,
      body: deps.templates.render(key, 'fr', { caseNumber: String(latest.page.case.number), ...vars }),
      purpose: 'oncall-reply',
      essential: true,
      caseId: latest.page.caseId,
      idempotencyKey,
    });
  const now = deps.clock.now().getTime();
  if (reply.kind === 'unclear') {
    await sms('sms/oncall-outcome-help', {}, `page-attempt-${latest.id}-outcome-help`);
    return;
  }
  // Texting the decision about a page still ringing them means they took it.
  if (!taken && open) await acknowledge(deps, open.id, 'sms');
  const attempt = taken ?? open;
  const recorded = attempt
    ? await recordPageOutcome(deps, attempt.pageId, {
        outcome: reply.outcome,
        interventionAt: reply.interventionAt,
        via: 'sms',
        decidedBy,
      })
    : null;
  if (recorded?.result === 'recorded')
    await sms(
      'sms/oncall-outcome-recorded',
      { outcomeLabel: recorded.outcomeLabel, interventionAt: recorded.interventionAt },
      `page-${latest.pageId}-outcome-sms-${now}`,
    );
  else await sms('sms/oncall-outcome-closed', {}, `page-${latest.pageId}-outcome-closed-${now}`);
}

async function poorCoverage(deps: PagingDeps, technicianId: string, mobile: string): Promise<void> {
  const now = deps.clock.now();
  const until = new Date(now.getTime() + deps.settings.poorCoverageMinutes * 60_000);
  await deps.db.technician.update({ where: { id: technicianId }, data: { poorCoverageUntil: until } });
  const open = await deps.db.page.findMany({
    where: { status: { in: ['SCHEDULED', 'PAGING'] }, attempts: { some: { technicianId } } },
    select: { caseId: true, agencyId: true },
  });
  for (const page of open)
    await recordOnTimeline(deps.db, deps.events, {
      caseId: page.caseId,
      agencyId: page.agencyId,
      type: 'oncall.poor-coverage',
      at: now,
      data: { until: until.toISOString() },
    });
  await enqueueMessage(deps.outbox, {
    channel: 'SMS',
    to: mobile,
    body: deps.templates.render('sms/oncall-poor-coverage', 'fr', {
      until: DateTime.fromJSDate(until, { zone: deps.zone }).toFormat('HH:mm'),
    }),
    purpose: 'oncall-reply',
    essential: true,
    idempotencyKey: `poor-coverage-${technicianId}-${now.getTime()}`,
  });
}
