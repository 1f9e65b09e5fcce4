import { DateTime } from 'luxon';
import { recordOnTimeline } from '../cases/timeline.js';
import type { PageOutcome } from '../generated/prisma/enums.js';
import { enqueueMessage } from '../messaging/outbox.service.js';
import { loadRequestDetails } from './page-content.js';
import type { PagingDeps } from './paging.deps.js';

// [ON-11] The technician's decision after calling the customer back, recorded on the page and the
// case's timeline and sent to the agency (the recap's follow-up), whether the technician texted it
// or an agent entered it on the on-call board. The latest decision stands (a planned time moves).

export interface OutcomeInput {
  outcome: PageOutcome;
  interventionAt: Date | null;
  via: 'sms' | 'console';
  /** Who decided: the technician or manager who took the page (or the console's user). */
  decidedBy: string;
}

export type OutcomeResult =
  | { result: 'recorded'; caseNumber: string; outcomeLabel: string; interventionAt: string }
  /** Only a page someone took can have an outcome. */
  | { result: 'not-acknowledged'; caseNumber: string }
  | { result: 'not-found' };

export async function recordPageOutcome(
  deps: PagingDeps,
  pageId: string,
  input: OutcomeInput,
): Promise<OutcomeResult> {
  const { db, templates } = deps;
  const now = deps.clock.now();
  const page = await db.page.findUnique({
    where: { id: pageId },
    select: { id: true, caseId: true, agencyId: true, status: true, case: { select: { number: true } } },
  });
  if (!page) return { result: 'not-found' };
  const caseNumber = String(page.case.number);
  const recorded = await db.page.updateMany({
    where: { id: pageId, status: 'ACKNOWLEDGED' },
    data: {
      outcome: input.outcome,
      outcomeAt: now,
      interventionAt: input.interventionAt,
      outcomeVia: input.via,
    },
  });
  if (recorded.count === 0) return { result: 'not-acknowledged', caseNumber };

  const local = (at: Date) =>
    DateTime.fromJSDate(at, { zone: deps.zone }).setLocale('fr').toFormat('cccc d LLLL HH:mm');
  const outcomeLabel = templates.render(`labels/page-outcome/${input.outcome}`, 'fr');
  const interventionAt = input.interventionAt ? local(input.interventionAt) : '';
  await recordOnTimeline(db, deps.events, {
    caseId: page.caseId,
    agencyId: page.agencyId,
    type: 'page.outcome',
    at: now,
    data: {
      outcome: input.outcome,
      interventionAt: input.interventionAt?.toISOString() ?? null,
      via: input.via,
      decidedBy: input.decidedBy,
    },
  });
  const details = await loadRequestDetails(db, templates, page.caseId, deps.zone);
  if (details.agencyEmail) {
    const vars = {
      ...details,
      outcomeLabel,
      interventionAt,
      decidedBy: input.decidedBy,
      recordedAt: local(now),
      via: input.via === 'sms' ? 'réponse SMS du technicien' : 'saisie dans la console',
    };
    await enqueueMessage(deps.outbox, {
      channel: 'EMAIL',
      to: details.agencyEmail,
      subject: templates.render('email/oncall-outcome.subject', 'fr', vars),
      body: templates.render('email/oncall-outcome.text', 'fr', vars),
      html: templates.render('email/oncall-outcome.html', 'fr', vars),
      purpose: 'oncall-outcome',
      essential: true,
      caseId: page.caseId,
      // One e-mail per decision: a correction is a new one.
      idempotencyKey: `page-${pageId}-outcome-mail-${now.getTime()}`,
    });
  } else deps.logger.warn({ caseId: page.caseId }, 'no agency address: outcome not sent');
  return { result: 'recorded', caseNumber, outcomeLabel, interventionAt };
}
