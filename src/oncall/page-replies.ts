import { DateTime } from 'luxon';
import { recordOnTimeline } from '../cases/timeline.js';
import { enqueueMessage } from '../messaging/outbox.service.js';
import { acknowledge } from './acknowledgement.service.js';
import type { PagingDeps } from './paging.deps.js';
import { attemptFailed } from './paging.service.js';

// SMS replies from the people paged: accept ("OK", "1", "OUI"), refuse ("NON", "2"), or say they
// are in a poor-coverage area ("ZONE", "RESEAU") so that missed calls do not escalate for a
// while. A four-digit code (quoted in the page's SMS) picks one page among several; without it
// the reply is for the latest page sent to that number. Case and accents are ignored.

export type PageReplyIntent = 'accept' | 'refuse' | 'poor-coverage' | 'unknown';

const WORDS: Record<string, Exclude<PageReplyIntent, 'unknown'>> = {
  ok: 'accept',
  oui: 'accept',
  '1': 'accept',
  accepte: 'accept',
  accepter: 'accept',
  yes: 'accept',
  accept: 'accept',
  non: 'refuse',
  '2': 'refuse',
  refus: 'refuse',
  refuse: 'refuse',
  no: 'refuse',
  zone: 'poor-coverage',
  reseau: 'poor-coverage',
  couverture: 'poor-coverage',
  coverage: 'poor-coverage',
};

export function parsePageReply(body: string): { intent: PageReplyIntent; code: string | null } {
  const words = body
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const code = words.find((w) => /^\d{4}$/.test(w)) ?? null;
  const intents = new Set(words.map((w) => WORDS[w]).filter(Boolean));
  return { intent: intents.size === 1 ? [...intents][0]! : 'unknown', code };
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
