import { randomInt, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Locale } from '../generated/prisma/enums.js';
import { addWorkingDays, type WindowCalendar } from './on-call-windows.js';
import type { PagingDeps } from './paging.deps.js';
import { scheduleAttempt } from './paging.deps.js';
import { decideRouting, type Routing } from './routing.rules.js';
import { recordRouting } from './routing-store.js';

// The IVR's `route-on-call` action: decides what happens to an out-of-hours request once its
// case is open, records the decision on the case and schedules the page. The caller is told
// the outcome by the flow (prompts keyed by the outcome), with the time of a deferred call-back.

export interface RouteRequest {
  caseId: string;
  contractId: string | null;
  emergency: boolean;
  locale: Locale;
}

export interface RouteResult {
  outcome: Routing['kind'];
  vars: Record<string, string>;
}

export async function routeOnCall(deps: PagingDeps, request: RouteRequest): Promise<RouteResult> {
  const now = deps.clock.now();
  const contract = request.contractId ? await deps.routingData.contract(request.contractId) : null;
  const calendar = contract?.calendar ?? { zone: deps.zone, isPublicHoliday: () => false };
  const routing = decideRouting({
    now,
    emergency: request.emergency,
    contract,
    windows: contract?.windows ?? [],
    calendar,
    settings: deps.settings,
  });
  const agencyId = contract?.agencyId ?? null;
  const pageAt = routing.kind === 'deferred' ? routing.pageAt : now;
  const paged = routing.kind === 'page-now' || routing.kind === 'emergency' || routing.kind === 'deferred';
  // The page's job is scheduled while the decision is written (one round trip less for the
  // caller, issue 24). A job whose page was not written (the case had its decision already, or the
  // write failed) finds no page and does nothing.
  const page = paged
    ? {
        id: randomUUID(),
        onCallType: contract?.onCallType ?? null,
        decision: routing.kind,
        scheduledFor: pageAt,
        replyCode: String(randomInt(1000, 10000)),
      }
    : null;
  // Inside the window the page waits for the end of the call (the fault's description), at most
  // `pageAfterCallSeconds`; an emergency goes at once; a deferred page the next morning.
  const delayMs =
    routing.kind === 'page-now'
      ? deps.settings.pageAfterCallSeconds * 1000
      : Math.max(0, pageAt.getTime() - now.getTime());
  const [{ pageId }] = await Promise.all([
    recordRouting(deps.db, {
      caseId: request.caseId,
      agencyId,
      at: now,
      decision: decisionData(routing),
      // A request the agency handles itself is due its next working day (DOMAIN.md section 1).
      dueAt:
        routing.kind === 'not-eligible' || routing.kind === 'recap-only'
          ? nextWorkingDay(now, calendar, deps.settings.agencyDueMinute)
          : null,
      page,
    }),
    page && scheduleAttempt(deps, page.id, 1, delayMs),
  ]);
  // The case's page from an earlier run of this step: scheduled again, in case that run's job was
  // lost (the same job id: harmless when it exists).
  if (pageId && pageId !== page?.id) await scheduleAttempt(deps, pageId, 1, delayMs);
  // The console hears of it after the caller has their answer; the timeline has it already.
  void deps.events
    .publish({
      type: 'oncall.decision',
      agencyId,
      data: { caseId: request.caseId, ...decisionData(routing) },
    })
    .catch((err: unknown) =>
      deps.logger.warn({ err, caseId: request.caseId }, 'oncall.decision not published'),
    );
  // Only the deferred prompt says when (and luxon's localised formats cost more than the rest).
  const spoken = routing.kind === 'deferred' ? spokenTime(pageAt, calendar.zone, request.locale, now) : {};
  // The call's state keeps the decision and the page: the end of the call releases the page
  // without reading them back.
  return { outcome: routing.kind, vars: { ...spoken, routing: routing.kind, ...(pageId ? { pageId } : {}) } };
}

function decisionData(routing: Routing): Record<string, unknown> {
  switch (routing.kind) {
    case 'page-now':
      return { kind: routing.kind, periodEnds: routing.period.end.toISOString() };
    case 'deferred':
      return { kind: routing.kind, pageAt: routing.pageAt.toISOString(), reason: routing.reason };
    case 'recap-only':
      return { kind: routing.kind, nextPeriodStart: routing.nextPeriodStart?.toISOString() ?? null };
    default:
      return { kind: routing.kind };
  }
}

/** "demain" / "aujourd'hui" / "samedi 28 novembre" and "8 h 00", for the deferred prompt. */
function spokenTime(at: Date, zone: string, locale: Locale, now: Date): Record<string, string> {
  const local = DateTime.fromJSDate(at, { zone }).setLocale(locale);
  const days = Math.round(
    local.startOf('day').diff(DateTime.fromJSDate(now, { zone }).startOf('day'), 'days').days,
  );
  const relative = local.toRelativeCalendar({ base: DateTime.fromJSDate(now, { zone }), unit: 'days' }) ?? '';
  return {
    pageDay: days <= 1 ? relative : local.toFormat('cccc d LLLL'),
    pageTime: locale === 'fr' ? local.toFormat("H 'h' mm") : local.toFormat('h:mm a'),
  };
}

/** The next Monday-to-Friday that is not a public holiday for the agency, at `minute`. */
export function nextWorkingDay(now: Date, calendar: WindowCalendar, minute: number): Date {
  const today = DateTime.fromJSDate(now, { zone: calendar.zone }).startOf('day');
  return addWorkingDays(today, 1, calendar)
    .set({ hour: Math.floor(minute / 60), minute: minute % 60 })
    .toJSDate();
}
