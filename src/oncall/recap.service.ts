import { DateTime } from 'luxon';
import { recordOnTimeline } from '../cases/timeline.js';
import { enqueueMessage } from '../messaging/outbox.service.js';
import { loadRequestDetails, type RequestDetails } from './page-content.js';
import type { PagingDeps } from './paging.deps.js';

// The recap of an out-of-hours request (seed 003, 5.2: the "fiche récapitulative", by e-mail
// where the seed faxed it): what the caller gave and whether and when the on-call staff were
// reached. It goes to the agency, and to the regional direction for a life-safety emergency.
// Once per case and recipient: the outbox's idempotency key makes a second call a no-op.

/** Sends the recap; returns the request's details it was written from (callers reuse them). */
export async function sendRecap(deps: PagingDeps, caseId: string): Promise<RequestDetails> {
  const { db, templates } = deps;
  const now = deps.clock.now();
  const details = await loadRequestDetails(db, templates, caseId, deps.zone);
  const [page, decision] = await Promise.all([
    db.page.findUnique({
      where: { caseId },
      include: {
        attempts: {
          orderBy: { number: 'asc' },
          include: {
            technician: { select: { firstName: true, lastName: true } },
            manager: { select: { firstName: true, lastName: true } },
          },
        },
      },
    }),
    db.caseEvent.findFirst({
      where: { caseId, type: 'oncall.decision' },
      orderBy: { id: 'desc' },
      select: { data: true },
    }),
  ]);
  const local = (at: Date | null | undefined) =>
    at ? DateTime.fromJSDate(at, { zone: deps.zone }).setLocale('fr').toFormat('cccc d LLLL HH:mm') : '';
  const decided = (decision?.data ?? {}) as { kind?: string; pageAt?: string };
  const accepted = page?.attempts.find((a) => a.outcome === 'ACCEPTED');
  const person = (a: NonNullable<typeof accepted>) => {
    const who = a.technician ?? a.manager;
    return who ? `${who.firstName} ${who.lastName}` : '';
  };
  const vars = {
    ...details,
    reached: Boolean(accepted),
    reachedBy: accepted ? person(accepted) : '',
    reachedAt: local(page?.acknowledgedAt),
    reachedManager: accepted?.target === 'MANAGER',
    deferred: decided.kind === 'deferred',
    pageAt: local(decided.pageAt ? new Date(decided.pageAt) : null),
    notPaged: decided.kind === 'recap-only',
    escalated: Boolean(page?.escalatedAt),
    escalatedAt: local(page?.escalatedAt),
    rotaGap: page?.escalationReason === 'rota-gap',
    unreached: page?.status === 'UNREACHED',
    attempts: (page?.attempts ?? []).map((a) => ({
      number: a.number,
      name: person(a),
      manager: a.target === 'MANAGER',
      at: local(a.startedAt),
      outcome: templates.render(`labels/attempt/${a.outcome}`, 'fr'),
    })),
  };
  const to = [details.agencyEmail, details.emergency ? details.directionEmail : '']
    .filter((address) => address !== '')
    .filter((address, i, all) => all.indexOf(address) === i);
  if (to.length === 0) {
    deps.logger.warn({ caseId }, 'no recap address for this agency: recap not sent');
    return details;
  }
  for (const address of to)
    await enqueueMessage(deps.outbox, {
      channel: 'EMAIL',
      to: address,
      subject: templates.render('email/oncall-recap.subject', 'fr', vars),
      body: templates.render('email/oncall-recap.text', 'fr', vars),
      html: templates.render('email/oncall-recap.html', 'fr', vars),
      purpose: 'oncall-recap',
      essential: true,
      caseId,
      idempotencyKey: `recap-${caseId}-${address}`,
    });
  // On the timeline once, though the recap may be asked for twice (recording, then hang-up).
  const first = page
    ? (await db.page.updateMany({ where: { caseId, recapSentAt: null }, data: { recapSentAt: now } })).count >
      0
    : !(await db.caseEvent.findFirst({ where: { caseId, type: 'recap.sent' }, select: { id: true } }));
  if (first)
    await recordOnTimeline(db, deps.events, {
      caseId,
      agencyId: details.agencyId,
      type: 'recap.sent',
      at: now,
      data: { to: to.length, reached: vars.reached, direction: details.emergency },
    });
  return details;
}
