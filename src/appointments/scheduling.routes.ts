import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { visibleTo } from '../cases/case-scope.js';
import { recordOnTimeline } from '../cases/timeline.js';
import { isMobile, toE164 } from '../identification/phone-number.js';
import { confinedAgency, STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { recordAbsence } from './absences.service.js';
import { FreeSlots, SchedulingCallbacks } from './appointments.schemas.js';
import { type AgencySlots, findFreeSlots } from './slot-finder.js';

// The scheduling side of appointments: free slots, technicians' absences, and the cases the
// scheduling team is to call back when no slot was free.

const Id = Type.Object({ id: Type.String() });
const Reason = Type.String({ minLength: 1, maxLength: 500 });

export function schedulingRoutes(app: FastifyInstance, services: Services): void {
  const deps = services.appointments;
  const staff = { access: { users: STAFF } };

  app.get(
    '/api/agencies/:id/slots',
    {
      config: staff,
      schema: {
        tags: ['appointments'],
        summary: '[AP-2] Free 2-hour slots of an agency, J+2 to J+10 working days',
        params: Id,
        querystring: Type.Object({ technicianId: Type.Optional(Type.String({ format: 'uuid' })) }),
        response: { 200: FreeSlots, 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { technicianId } = request.query as { technicianId?: string };
      const found = isUuid(id) ? await findFreeSlots(deps, id, technicianId ? { technicianId } : {}) : null;
      if (!found) return reply.code(404).send({ error: 'not_found', message: 'no such agency' });
      return slotsView(found);
    },
  );

  app.get(
    '/api/cases/:id/slots',
    {
      config: staff,
      schema: {
        tags: ['appointments'],
        summary: "[AP-2] Free slots of the case's agency",
        params: Id,
        response: { 200: FreeSlots, 404: ApiErrorBody, 422: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const kase = isUuid(id)
        ? await deps.db.case.findFirst({
            where: { AND: [{ id }, visibleTo(request.principal!)] },
            select: { agencyId: true },
          })
        : null;
      if (!kase) return reply.code(404).send({ error: 'not_found', message: 'no such case' });
      if (!kase.agencyId)
        return reply
          .code(422)
          .send({ error: 'no_agency', message: 'the case has no agency: give it one first' });
      return slotsView((await findFreeSlots(deps, kase.agencyId))!);
    },
  );

  app.post(
    '/api/technicians/:id/absences',
    {
      config: staff,
      schema: {
        tags: ['appointments'],
        summary:
          '[AP-4] A technician is away: their appointments then go to a colleague free at the same time, else are cancelled with apologies and new slots',
        params: Id,
        body: Type.Object(
          {
            startsAt: Type.String({ format: 'date-time' }),
            endsAt: Type.String({ format: 'date-time' }),
            reason: Type.Optional(Reason),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            absenceId: Type.String(),
            reassigned: Type.Integer(),
            cancelled: Type.Integer(),
          }),
          404: ApiErrorBody,
          422: ApiErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as { startsAt: string; endsAt: string; reason?: string };
      const agencyId = confinedAgency(request.principal!);
      const technician = isUuid(id)
        ? await deps.db.technician.findFirst({
            where: { id, ...(agencyId ? { agencyId } : {}) },
            select: { id: true },
          })
        : null;
      if (!technician) return reply.code(404).send({ error: 'not_found', message: 'no such technician' });
      const startsAt = new Date(body.startsAt);
      const endsAt = new Date(body.endsAt);
      if (!(endsAt > startsAt))
        return reply.code(422).send({ error: 'bad_period', message: 'the absence must end after it starts' });
      const outcome = await recordAbsence(deps, id, {
        startsAt,
        endsAt,
        ...(body.reason ? { reason: body.reason } : {}),
      });
      return reply.code(201).send(outcome);
    },
  );

  app.post(
    '/api/cases/:id/scheduling-callback',
    {
      config: staff,
      schema: {
        tags: ['appointments'],
        summary: '[AP-2] No slot within the horizon: the scheduling team is to call the customer back',
        params: Id,
        body: Type.Object(
          { mobile: Type.Optional(Type.String({ maxLength: 40 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ since: Type.String() }), 404: ApiErrorBody, 422: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { mobile } = (request.body ?? {}) as { mobile?: string };
      const kase = isUuid(id)
        ? await deps.db.case.findFirst({
            where: { AND: [{ id }, visibleTo(request.principal!)] },
            select: { id: true, agencyId: true, interventionMobile: true },
          })
        : null;
      if (!kase) return reply.code(404).send({ error: 'not_found', message: 'no such case' });
      // [AP-2] The scheduling team needs a validated phone number to call back.
      const e164 = mobile !== undefined ? toE164(mobile) : kase.interventionMobile;
      if (!e164 || (mobile !== undefined && !isMobile(e164)))
        return reply.code(422).send({
          error: 'mobile_required',
          message: 'a validated mobile number is needed for the scheduling team to call back',
        });
      const now = services.clock.now();
      await deps.db.case.update({
        where: { id },
        data: { schedulingCallbackSince: now, interventionMobile: e164 },
      });
      await recordOnTimeline(deps.db, deps.events, {
        caseId: id,
        agencyId: kase.agencyId,
        type: 'appointment.callback-requested',
        at: now,
        data: { mobile: e164 },
      });
      return { since: now.toISOString() };
    },
  );

  app.get(
    '/api/scheduling-callbacks',
    {
      config: staff,
      schema: {
        tags: ['appointments'],
        summary: '[AP-2] Open cases the scheduling team is to call back to book',
        response: { 200: SchedulingCallbacks },
      },
    },
    async (request) => {
      const cases = await deps.db.case.findMany({
        where: {
          AND: [
            visibleTo(request.principal!),
            { schedulingCallbackSince: { not: null } },
            { status: { in: ['OPEN', 'IN_PROGRESS', 'WAITING'] } },
          ],
        },
        select: {
          id: true,
          number: true,
          subject: true,
          agencyId: true,
          interventionMobile: true,
          schedulingCallbackSince: true,
        },
        orderBy: { schedulingCallbackSince: 'asc' },
        take: 200,
      });
      return {
        cases: cases.map((c) => ({
          id: c.id,
          number: c.number,
          subject: c.subject,
          agencyId: c.agencyId,
          mobile: c.interventionMobile,
          since: c.schedulingCallbackSince!,
        })),
      };
    },
  );
}

function slotsView(found: AgencySlots) {
  return {
    agencyId: found.agencyId,
    zone: found.zone,
    first: found.first,
    last: found.last,
    slots: found.slots.map((s) => ({
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      day: s.day,
      technicians: s.technicianIds.length,
    })),
  };
}
