import type { FrenchCalendar } from '../calendar/french-calendar.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import { maskPhone } from '../platform/logger.js';
import {
  currentOrNextPeriod,
  gapHorizon,
  managerGaps,
  SETTLED_PAGES_HOURS,
  technicianGaps,
} from './board-schedule.js';
import type { Interval } from './imports/rota-periods.js';
import { agencyCalendar, type WeeklyWindow } from './on-call-windows.js';
import type {
  BoardAttempt,
  BoardOnCallType,
  BoardPage,
  BoardPerson,
  OnCallBoard,
  PageStatus,
  RotaSlot,
  TimeSpan,
} from './oncall.schemas.js';
import { OPEN_PAGE_STATUSES } from './paging.deps.js';

// The on-call board (GET /api/oncall/board): per agency, who is on call now and in its current
// or next on-call period, its out-of-hours pages with every attempt, and the rota gaps ahead.
// Four reads (agencies, technician rotas, manager rotas, pages with their attempts) however many
// agencies, pages and attempts there are; the rest is computed here. The board is built as it is
// sent (its shape is the response schema's, src/oncall/oncall.schemas.ts): instants as ISO strings.

export interface BoardDeps {
  db: Db;
  clock: Clock;
  calendar: FrenchCalendar;
}

interface PersonRow {
  id: string;
  firstName: string;
  lastName: string;
  mobile: string;
  active: boolean;
}

const PERSON = { select: { id: true, firstName: true, lastName: true, mobile: true, active: true } } as const;
const fullName = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;
const person = (p: PersonRow): BoardPerson => ({ id: p.id, name: fullName(p), mobile: maskPhone(p.mobile) });
const slot = (r: { startsAt: Date; endsAt: Date }, p: PersonRow): RotaSlot => ({
  ...person(p),
  startsAt: r.startsAt.toISOString(),
  endsAt: r.endsAt.toISOString(),
});
const timeSpan = (interval: Interval): TimeSpan => ({
  start: interval.start.toISOString(),
  end: interval.end.toISOString(),
});
const isoOrNull = (at: Date | null) => at?.toISOString() ?? null;
const overlaps = (r: { startsAt: Date; endsAt: Date }, span: Interval) =>
  r.startsAt < span.end && span.start < r.endsAt;
const byStart = (a: { startsAt: Date }, b: { startsAt: Date }) => a.startsAt.getTime() - b.startsAt.getTime();

// The page columns the board shows, with its case and its attempts.
const PAGE_COLUMNS = {
  id: true,
  caseId: true,
  agencyId: true,
  status: true,
  decision: true,
  onCallType: true,
  scheduledFor: true,
  escalatedAt: true,
  escalationReason: true,
  acknowledgedAt: true,
  outcome: true,
  interventionAt: true,
  outcomeAt: true,
  case: { select: { number: true, subject: true, urgency: true } },
  attempts: {
    orderBy: { number: 'asc' },
    select: {
      number: true,
      target: true,
      mobile: true,
      outcome: true,
      startedAt: true,
      endedAt: true,
      technician: { select: { firstName: true, lastName: true } },
      manager: { select: { firstName: true, lastName: true } },
    },
  },
} as const satisfies Prisma.PageSelect;
type PageRow = Prisma.PageGetPayload<{ select: typeof PAGE_COLUMNS }>;

/** Whom the paging would choose now among rota periods: an active person, the latest period to start. */
function onCallAt<T extends { startsAt: Date; endsAt: Date }>(
  rotas: readonly T[],
  now: Date,
  personOf: (r: T) => PersonRow,
): BoardPerson | null {
  const covering = rotas.filter((r) => r.startsAt <= now && now < r.endsAt && personOf(r).active);
  const latest = covering.sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime())[0];
  return latest ? person(personOf(latest)) : null;
}

/** The board for every agency, or for one (an agent attached to an agency sees only theirs). */
export async function loadOnCallBoard(
  deps: BoardDeps,
  scope: { agencyId: string | null },
): Promise<OnCallBoard> {
  const { db } = deps;
  const now = deps.clock.now();
  const horizon = gapHorizon(now);

  const agencies = await db.agency.findMany({
    where: scope.agencyId ? { id: scope.agencyId } : {},
    orderBy: { code: 'asc' },
    select: {
      id: true,
      code: true,
      name: true,
      timeZone: true,
      holidayCalendar: true,
      region: { select: { id: true, code: true, name: true } },
      onCallWindows: { select: { onCallType: true, day: true, startMinute: true, endMinute: true } },
    },
  });

  // Each agency's on-call periods now or next, per on-call type, before reading the rotas: the
  // rotas read must reach back to a period that began earlier tonight and forward past the horizon.
  const planned = agencies.map((agency) => {
    const calendar = agencyCalendar(deps.calendar, agency);
    const windowsByType = new Map<string, WeeklyWindow[]>();
    for (const { onCallType, ...window } of agency.onCallWindows)
      windowsByType.set(onCallType, [...(windowsByType.get(onCallType) ?? []), window]);
    const periods = new Map(
      [...windowsByType].map(([type, windows]) => [type, currentOrNextPeriod(windows, now, calendar)]),
    );
    return { agency, calendar, windowsByType, periods };
  });
  const periodSpans = planned.flatMap((p) => [...p.periods.values()].filter((x) => x !== null));
  const from = new Date(Math.min(now.getTime(), ...periodSpans.map((p) => p.start.getTime())));
  const until = new Date(Math.max(horizon.end.getTime(), ...periodSpans.map((p) => p.end.getTime())));
  const agencyIds = agencies.map((a) => a.id);
  const regionIds = [...new Set(agencies.map((a) => a.region.id))];
  const settledSince = new Date(now.getTime() - SETTLED_PAGES_HOURS * 3600 * 1000);

  const [technicianRotas, managerRotas, pages] = await Promise.all([
    db.technicianRota.findMany({
      where: { agencyId: { in: agencyIds }, startsAt: { lt: until }, endsAt: { gt: from } },
      select: { agencyId: true, onCallType: true, startsAt: true, endsAt: true, technician: PERSON },
    }),
    db.managerRota.findMany({
      where: { regionId: { in: regionIds }, startsAt: { lt: until }, endsAt: { gt: from } },
      select: { regionId: true, startsAt: true, endsAt: true, manager: PERSON },
    }),
    db.page.findMany({
      select: PAGE_COLUMNS,
      where: {
        agencyId: { in: agencyIds },
        OR: [
          { status: { in: [...OPEN_PAGE_STATUSES] } },
          { status: 'ACKNOWLEDGED', acknowledgedAt: { gte: settledSince } },
          // Unreached: when its last attempt ended, or when it was due if nobody was on call at all.
          {
            status: 'UNREACHED',
            OR: [
              { scheduledFor: { gte: settledSince } },
              { attempts: { some: { endedAt: { gte: settledSince } } } },
            ],
          },
        ],
      },
      orderBy: { scheduledFor: 'desc' },
    }),
  ]);

  return {
    generatedAt: now.toISOString(),
    horizon: timeSpan(horizon),
    agencies: planned.map(({ agency, calendar, windowsByType, periods }) => {
      const rotas = technicianRotas.filter((r) => r.agencyId === agency.id);
      const regionRotas = managerRotas.filter((r) => r.regionId === agency.region.id);
      // A rota of a type the agency has no hours for still counts (as in the import: every minute).
      const types = [...new Set([...windowsByType.keys(), ...rotas.map((r) => r.onCallType)])].sort();
      const onCall = types.map((onCallType): BoardOnCallType => {
        const period = periods.get(onCallType) ?? null;
        const ofType = rotas.filter((r) => r.onCallType === onCallType);
        return {
          onCallType,
          period: period && { ...timeSpan(period), current: period.current },
          technicianNow: onCallAt(ofType, now, (r) => r.technician),
          technicians: period
            ? ofType
                .filter((r) => overlaps(r, period))
                .sort(byStart)
                .map((r) => slot(r, r.technician))
            : [],
        };
      });
      const agencyPeriods = [...periods.values()].filter((p) => p !== null);
      return {
        id: agency.id,
        code: agency.code,
        name: agency.name,
        timeZone: agency.timeZone,
        region: {
          ...agency.region,
          managerNow: onCallAt(regionRotas, now, (r) => r.manager),
          managers: regionRotas
            .filter((r) => agencyPeriods.some((p) => overlaps(r, p)))
            .sort(byStart)
            .map((r) => slot(r, r.manager)),
          // Paging passes over inactive people: their periods are gaps in practice.
          managerGaps: managerGaps(
            regionRotas.filter((r) => r.manager.active).map((r) => ({ start: r.startsAt, end: r.endsAt })),
            horizon,
          ).map(timeSpan),
        },
        onCall,
        pages: pages
          .filter((p) => p.agencyId === agency.id)
          .map(boardPage)
          .sort((a, b) => Number(isOpen(b)) - Number(isOpen(a))),
        rotaGaps: types.flatMap((onCallType) =>
          technicianGaps(
            windowsByType.get(onCallType) ?? [],
            rotas
              .filter((r) => r.onCallType === onCallType && r.technician.active)
              .map((r) => ({ start: r.startsAt, end: r.endsAt })),
            horizon,
            calendar,
          ).map((gap) => ({ onCallType, ...timeSpan(gap) })),
        ),
      };
    }),
  };
}

const isOpen = (page: { status: PageStatus }) =>
  (OPEN_PAGE_STATUSES as readonly string[]).includes(page.status);

function boardPage({ case: kase, attempts, ...page }: PageRow): BoardPage {
  const shown = attempts.map(
    ({ technician, manager, ...attempt }): BoardAttempt => ({
      number: attempt.number,
      target: attempt.target,
      name: technician ? fullName(technician) : manager ? fullName(manager) : '',
      mobile: maskPhone(attempt.mobile),
      outcome: attempt.outcome,
      startedAt: attempt.startedAt.toISOString(),
      endedAt: isoOrNull(attempt.endedAt),
    }),
  );
  const accepted = shown.find((a) => a.outcome === 'ACCEPTED');
  return {
    id: page.id,
    caseId: page.caseId,
    caseNumber: kase.number,
    subject: kase.subject,
    urgency: kase.urgency,
    status: page.status,
    decision: page.decision,
    onCallType: page.onCallType,
    scheduledFor: page.scheduledFor.toISOString(),
    escalatedAt: isoOrNull(page.escalatedAt),
    escalationReason: page.escalationReason,
    acknowledgedAt: isoOrNull(page.acknowledgedAt),
    acknowledgedBy: accepted ? { target: accepted.target, name: accepted.name } : null,
    outcome: page.outcome,
    interventionAt: isoOrNull(page.interventionAt),
    outcomeAt: isoOrNull(page.outcomeAt),
    attempts: shown,
  };
}
