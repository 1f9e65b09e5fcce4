import type { FastifyInstance, FastifyReply } from 'fastify';
import { actorOf } from '../cases/case-actions.service.js';
import { visibleTo } from '../cases/case-scope.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { isoDay } from './departure-dates.js';
import {
  cancelDeparture,
  confirmDeparture,
  type DepartureResult,
  moveDeparture,
  type NewDeparture,
  openDeparture,
} from './departures.service.js';
import {
  CancelDepartureBody,
  CaseIdParams,
  CaseTimers,
  ConfirmDepartureBody,
  Departure,
  DepartureCancelled,
  DepartureConfirmed,
  DepartureMoved,
  DepartureOpened,
  MoveDepartureBody,
  NewDepartureBody,
} from './follow-ups.schemas.js';

// The follow-ups' api: a case's timers for the agents, and the departures [DP-1]..[DP-3].

const STATUS_OF = {
  not_found: 404,
  invalid: 422,
  owner_required: 422,
  duplicate: 409,
  closed: 409,
  forbidden: 403,
  departed: 409,
  not_due: 409,
} as const;

/** A follow-up service's result as the api's answer: its value, or its error with its status. */
export function answer<T>(reply: FastifyReply, result: DepartureResult<T>, created = false) {
  if (result.ok) return reply.code(created ? 201 : 200).send(result.value);
  return reply.code(STATUS_OF[result.code]).send({ error: result.code, message: result.message });
}

const TIMER_SELECT = { id: true, kind: true, dueAt: true, state: true, firedAt: true, data: true } as const;
const CaseId = CaseIdParams;
const errors = { 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody, 422: ApiErrorBody };

export function followUpRoutes(app: FastifyInstance, services: Services): void {
  const deps = services.followUps;
  const db = services.db;
  const staff = { access: { users: STAFF } };
  const notFound = (reply: FastifyReply) =>
    reply.code(404).send({ error: 'not_found', message: 'no such case' });

  // Agents see what is due on a case and when.
  app.get(
    '/api/cases/:caseId/timers',
    {
      config: staff,
      schema: { tags: ['follow-ups'], params: CaseId, response: { 200: CaseTimers, 404: ApiErrorBody } },
    },
    async (request, reply) => {
      const { caseId } = request.params as { caseId: string };
      if (!isUuid(caseId)) return notFound(reply);
      const kase = await db.case.findFirst({
        where: { id: caseId, ...visibleTo(request.principal!) },
        select: { timers: { select: TIMER_SELECT, orderBy: { dueAt: 'asc' } } },
      });
      if (!kase) return notFound(reply);
      return { timers: kase.timers };
    },
  );

  app.post(
    '/api/departures',
    {
      config: staff,
      schema: { tags: ['follow-ups'], body: NewDepartureBody, response: { 201: DepartureOpened, ...errors } },
    },
    async (request, reply) =>
      answer(reply, await openDeparture(deps, request.body as NewDeparture, actorOf(request)), true),
  );

  app.get(
    '/api/departures/:caseId',
    {
      config: staff,
      schema: { tags: ['follow-ups'], params: CaseId, response: { 200: Departure, 404: ApiErrorBody } },
    },
    async (request, reply) => {
      const { caseId } = request.params as { caseId: string };
      if (!isUuid(caseId)) return notFound(reply);
      const kase = await db.case.findFirst({
        where: { id: caseId, ...visibleTo(request.principal!) },
        select: {
          number: true,
          status: true,
          departure: true,
          timers: { select: TIMER_SELECT, orderBy: { dueAt: 'asc' } },
        },
      });
      if (!kase?.departure) return notFound(reply);
      const { departure } = kase;
      return {
        ...departure,
        caseNumber: kase.number,
        status: kase.status,
        plannedDate: isoDay(departure.plannedDate),
        timers: kase.timers,
      };
    },
  );

  app.patch(
    '/api/departures/:caseId',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        params: CaseId,
        body: MoveDepartureBody,
        response: { 200: DepartureMoved, ...errors },
      },
    },
    async (request, reply) => {
      const { caseId } = request.params as { caseId: string };
      if (!isUuid(caseId)) return notFound(reply);
      const { plannedDate } = request.body as { plannedDate: string };
      return answer(reply, await moveDeparture(deps, caseId, plannedDate, actorOf(request)));
    },
  );

  app.post(
    '/api/departures/:caseId/cancel',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        params: CaseId,
        body: CancelDepartureBody,
        response: { 200: DepartureCancelled, ...errors },
      },
    },
    async (request, reply) => {
      const { caseId } = request.params as { caseId: string };
      if (!isUuid(caseId)) return notFound(reply);
      const { reason } = (request.body ?? {}) as { reason?: string };
      return answer(reply, await cancelDeparture(deps, caseId, reason, actorOf(request)));
    },
  );

  app.post(
    '/api/departures/:caseId/confirmed',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        params: CaseId,
        body: ConfirmDepartureBody,
        response: { 200: DepartureConfirmed, ...errors },
      },
    },
    async (request, reply) => {
      const { caseId } = request.params as { caseId: string };
      if (!isUuid(caseId)) return notFound(reply);
      const { departedAt } = request.body as { departedAt: string };
      return answer(reply, await confirmDeparture(deps, caseId, new Date(departedAt), actorOf(request)));
    },
  );
}
