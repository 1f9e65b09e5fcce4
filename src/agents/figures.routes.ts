import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { Gauge } from 'prom-client';
import { SUPERVISORS } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { spreadsheetCsv } from '../platform/http/spreadsheet-csv.js';
import type { Services } from '../services.js';
import { countByState } from './agent-state.store.js';
import { waitingByLine } from './call-queue.js';
import { QueueFigures } from './distribution.schemas.js';
import { type Figures, LAST_MINUTES, liveFigures } from './figures.js';

const COLUMNS = [
  'callSid',
  'line',
  'queuedAt',
  'urgent',
  'offers',
  'outcome',
  'agent',
  'answeredAt',
  'waitSeconds',
  'endedAt',
  'wrapUpEndedAt',
  'handleSeconds',
] as const;

const DayQuery = Type.Object({ day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) });

export function figuresRoutes(app: FastifyInstance, services: Services): void {
  const { db, redis, clock, settings } = services;
  const { serviceLevelSeconds } = settings.distribution;
  const supervisors = { access: { users: SUPERVISORS } };
  registerQueueMetrics(services);

  app.get(
    '/api/calls/figures',
    {
      config: supervisors,
      schema: {
        tags: ['calls'],
        summary: 'The queues now, agents per state, and the figures of today and the last 15 minutes',
        response: { 200: QueueFigures },
      },
    },
    async () => {
      const now = clock.now();
      const [queues, agents, figures] = await Promise.all([
        waitingByLine(redis, now),
        countByState(redis),
        liveFigures(db, now, settings.timeZone, serviceLevelSeconds),
      ]);
      const day = DateTime.fromJSDate(now).setZone(settings.timeZone).toISODate() ?? '';
      return { at: now.toISOString(), day, serviceLevelSeconds, queues, agents, ...figures };
    },
  );

  app.get(
    '/api/calls/day.csv',
    {
      config: supervisors,
      schema: {
        tags: ['calls'],
        summary: "A day's queued calls, one per row (semicolons, UTF-8 with a BOM)",
        querystring: DayQuery,
        produces: ['text/csv'],
        response: {
          200: {
            content: {
              'text/csv': { schema: Type.String({ description: 'semicolons, UTF-8 with a BOM' }) },
            },
          },
          400: ApiErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { day } = request.query as { day: string };
      const start = DateTime.fromISO(day, { zone: settings.timeZone });
      if (!start.isValid)
        return reply.code(400).send({ error: 'invalid_day', message: `no such day: ${day}` });
      const calls = await db.queuedCall.findMany({
        where: { queuedAt: { gte: start.toJSDate(), lt: start.plus({ days: 1 }).toJSDate() } },
        orderBy: { queuedAt: 'asc' },
        include: { agent: { select: { displayName: true } } },
      });
      const seconds = (from: Date | null, to: Date | null) =>
        from && to ? Math.round((to.getTime() - from.getTime()) / 1000) : '';
      const rows = calls.map((c) => ({
        callSid: c.callSid,
        line: c.line,
        queuedAt: c.queuedAt.toISOString(),
        urgent: c.urgent ? 'yes' : 'no',
        offers: c.offers,
        outcome: c.outcome ?? 'WAITING',
        agent: c.agent?.displayName ?? '',
        answeredAt: c.answeredAt?.toISOString() ?? '',
        waitSeconds: seconds(c.queuedAt, c.answeredAt ?? c.endedAt),
        endedAt: c.endedAt?.toISOString() ?? '',
        wrapUpEndedAt: c.wrapUpEndedAt?.toISOString() ?? '',
        handleSeconds: seconds(c.answeredAt, c.wrapUpEndedAt),
      }));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="appels-${day}.csv"`)
        .send(spreadsheetCsv(rows, COLUMNS));
    },
  );
}

type LineWaiting = Awaited<ReturnType<typeof waitingByLine>>[number];

/**
 * A read shared by the gauges of one scrape (prom-client collects them one after the other):
 * made once, kept a second; a failure (Redis or PostgreSQL away) gives no figure, not a failed
 * scrape.
 */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T | null> {
  let pending: Promise<T | null> | null = null;
  return () => {
    pending ??= read()
      .catch(() => null)
      .finally(() => setTimeout(() => (pending = null), 1000).unref());
    return pending;
  };
}

/** The queues and their figures for Prometheus, read at each scrape (any api process answers). */
function registerQueueMetrics(services: Services): void {
  const { db, redis, clock, settings, metrics } = services;
  const registers = [metrics.registry];
  // Each read is made once per scrape and shared by the gauges that use it.
  const queues = oncePerScrape(() => waitingByLine(redis, clock.now()));
  const figures = oncePerScrape(() =>
    liveFigures(db, clock.now(), settings.timeZone, settings.distribution.serviceLevelSeconds),
  );
  const perLine = (name: string, help: string, pick: (q: LineWaiting) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['line'],
      registers,
      async collect() {
        this.reset();
        for (const q of (await queues()) ?? []) this.set({ line: q.line }, pick(q));
      },
    });
  perLine(
    'contact_centre_calls_waiting',
    'Calls waiting for an agent (offered ones included), per service line',
    (q) => q.waiting,
  );
  perLine(
    'contact_centre_longest_wait_seconds',
    'The longest wait of the calls waiting now, per service line',
    (q) => q.longestWaitSeconds,
  );
  const perWindow = (name: string, help: string, pick: (f: Figures) => number | null) =>
    new Gauge({
      name,
      help: `${help}; window "today" (the service's day) or "${LAST_MINUTES}m"`,
      labelNames: ['window'],
      registers,
      async collect() {
        this.reset();
        const read = await figures();
        if (!read) return;
        for (const [window, f] of [
          ['today', read.today],
          [`${LAST_MINUTES}m`, read.lastMinutes],
        ] as const) {
          const value = pick(f);
          if (value !== null) this.set({ window }, value);
        }
      },
    });
  perWindow(
    'contact_centre_service_level_ratio',
    `Calls answered within SERVICE_LEVEL_SECONDS over the calls answered, abandoned or left`,
    (f) => f.serviceLevel,
  );
  perWindow(
    'contact_centre_abandonment_ratio',
    'Calls abandoned while waiting or offered',
    (f) => f.abandonment,
  );
  perWindow(
    'contact_centre_answer_speed_seconds',
    'Average speed of answer (queued to answered)',
    (f) => f.averageSpeedOfAnswerSeconds,
  );
  perWindow(
    'contact_centre_handle_time_seconds',
    'Average handle time (answered to the end of the wrap-up)',
    (f) => f.averageHandleSeconds,
  );
}
