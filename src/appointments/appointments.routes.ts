import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import { visibleTo } from '../cases/case-scope.js';
import type { Prisma } from '../generated/prisma/client.js';
import { confinedAgency, type Principal, STAFF } from '../platform/auth/principal.js';
import type { Db } from '../platform/db/client.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import {
  APPOINTMENT_SELECT,
  type AppointmentRow,
  offeredSlotsOf,
  recordAppointmentEvent,
} from './appointment-store.js';
import {
  Appointment,
  AppointmentList,
  AppointmentParty,
  type AppointmentReply,
  AppointmentStatus,
  InterventionTypeName,
} from './appointments.schemas.js';
import { type BookingRequest, bookAppointment } from './booking.service.js';
import {
  type ChangeResult,
  cancelByCompany,
  cancelByCustomer,
  confirmAppointment,
  markMissed,
  moveAppointment,
} from './changes.service.js';

// The appointments' api: free slots, booking, the changes agents make, and the lists of the
// Appointments screen. Agents of an agency see its appointments only.

const Id = Type.Object({ id: Type.String() });
const Reason = Type.String({ minLength: 1, maxLength: 500 });

const BookBody = Type.Object(
  {
    caseId: Type.String({ format: 'uuid' }),
    startsAt: Type.String({ format: 'date-time' }),
    technicianId: Type.Optional(Type.String({ format: 'uuid' })),
    interventionType: InterventionTypeName,
    presenceRequired: Type.Optional(Type.Boolean()),
    meterLocation: Type.String({
      minLength: 1,
      maxLength: 200,
      description: '[AP-1] where the meter is, never empty: "N/A" when the customer does not know',
    }),
    meterAccessible: Type.Boolean(),
    accessibilityConfirmed: Type.Optional(
      Type.Boolean({ description: 'the customer confirmed a garage, cellar or landing meter is accessible' }),
    ),
    confirmBy: Type.Optional(Type.Union([Type.Literal('SMS'), Type.Literal('EMAIL')])),
    mobile: Type.Optional(Type.String({ maxLength: 40 })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
    locale: Type.Optional(Type.Union([Type.Literal('fr'), Type.Literal('en')])),
  },
  { additionalProperties: false },
);

const STATUS_OF = {
  not_found: 404,
  closed: 409,
  no_agency: 422,
  already_booked: 409,
  contact_required: 422,
  slot_unavailable: 409,
  slot_taken: 409,
  not_held: 409,
  not_over: 409,
} as const;

export function appointmentsRoutes(app: FastifyInstance, services: Services): void {
  const deps = services.appointments;
  const staff = { access: { users: STAFF } };
  const notFound = (reply: FastifyReply) =>
    reply.code(404).send({ error: 'not_found', message: 'no such appointment' });
  const refused = (reply: FastifyReply, result: { code: keyof typeof STATUS_OF; message: string }) =>
    reply.code(STATUS_OF[result.code]).send({ error: result.code, message: result.message });
  const scope = (principal: Principal | null): Prisma.AppointmentWhereInput => {
    const agencyId = principal ? confinedAgency(principal) : null;
    return agencyId ? { agencyId } : {};
  };
  /** The appointment when this user may act on it. */
  const visible = async (principal: Principal | null, id: string) =>
    isUuid(id)
      ? deps.db.appointment.findFirst({ where: { id, ...scope(principal) }, select: { id: true } })
      : null;
  const answer = (reply: FastifyReply, result: ChangeResult) =>
    result.ok ? reply.send(view(result.appointment)) : refused(reply, result);

  app.post(
    '/api/appointments',
    {
      config: staff,
      schema: {
        tags: ['appointments'],
        summary: '[AP-1..3] Book a free slot on a case; the customer is told at once',
        body: BookBody,
        response: { 201: Appointment, 404: ApiErrorBody, 409: ApiErrorBody, 422: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const result = await bookAppointment(deps, request.body as BookingRequest, {
        userId: principal.kind === 'user' ? principal.id : null,
        sees: visibleTo(principal),
      });
      if (!result.ok) return refused(reply, result);
      return reply.code(201).send(view(result.appointment));
    },
  );

  app.get(
    '/api/appointments',
    {
      config: staff,
      schema: {
        tags: ['appointments'],
        summary: 'Appointments by day (from, to: local dates), status, case or calls to make',
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date' })),
          to: Type.Optional(Type.String({ format: 'date' })),
          agencyId: Type.Optional(Type.String({ format: 'uuid' })),
          caseId: Type.Optional(Type.String({ format: 'uuid' })),
          status: Type.Optional(AppointmentStatus),
          callDue: Type.Optional(Type.Boolean()),
        }),
        response: { 200: AppointmentList },
      },
    },
    async (request) => {
      const q = request.query as {
        from?: string;
        to?: string;
        agencyId?: string;
        caseId?: string;
        status?: AppointmentStatus;
        callDue?: boolean;
      };
      const zone = services.settings.timeZone;
      const where: Prisma.AppointmentWhereInput = {
        ...scope(request.principal),
        ...(q.agencyId ? { agencyId: q.agencyId } : {}),
        ...(q.caseId ? { caseId: q.caseId } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.callDue !== undefined ? { callDue: q.callDue } : {}),
        ...(q.from || q.to
          ? {
              startsAt: {
                ...(q.from ? { gte: localDay(q.from, zone) } : {}),
                ...(q.to ? { lt: nextLocalDay(q.to, zone) } : {}),
              },
            }
          : {}),
      };
      const rows = await deps.db.appointment.findMany({
        where,
        select: APPOINTMENT_SELECT,
        orderBy: { startsAt: 'asc' },
        take: 500,
      });
      const replies = await lastReplies(deps.db, rows);
      return { appointments: rows.map((row) => ({ ...view(row), lastReply: replies.get(row.id) ?? null })) };
    },
  );

  app.get(
    '/api/appointments/:id',
    {
      config: staff,
      schema: { tags: ['appointments'], params: Id, response: { 200: Appointment, 404: ApiErrorBody } },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const row = isUuid(id)
        ? await deps.db.appointment.findFirst({
            where: { id, ...scope(request.principal) },
            select: APPOINTMENT_SELECT,
          })
        : null;
      return row ? view(row) : notFound(reply);
    },
  );

  const change = (
    path: string,
    summary: string,
    body: ReturnType<typeof Type.Object>,
    act: (id: string, body: Record<string, unknown>) => Promise<ChangeResult>,
  ) =>
    app.post(
      `/api/appointments/:id/${path}`,
      {
        config: staff,
        schema: {
          tags: ['appointments'],
          summary,
          params: Id,
          body,
          response: { 200: Appointment, 404: ApiErrorBody, 409: ApiErrorBody },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        if (!(await visible(request.principal, id))) return notFound(reply);
        return answer(reply, await act(id, (request.body ?? {}) as Record<string, unknown>));
      },
    );

  change(
    'confirm',
    'The customer confirmed (on the phone)',
    Type.Object({}, { additionalProperties: false }),
    (id) => confirmAppointment(deps, id, 'agent'),
  );
  change(
    'cancel',
    '[AP-4] Cancel: by the customer (slot freed), or by the company (apologies and new slots by SMS, a call to make)',
    Type.Object({ by: AppointmentParty, reason: Type.Optional(Reason) }, { additionalProperties: false }),
    (id, body) =>
      body.by === 'COMPANY'
        ? cancelByCompany(deps, id, (body.reason as string | undefined) ?? 'annulé par l’entreprise')
        : cancelByCustomer(deps, id, 'agent', body.reason as string | undefined),
  );
  change(
    'move',
    '[AP-4] The company moves it to another free slot: the customer is told at once, with apologies',
    Type.Object(
      { startsAt: Type.String({ format: 'date-time' }), reason: Type.Optional(Reason) },
      { additionalProperties: false },
    ),
    (id, body) =>
      moveAppointment(
        deps,
        id,
        new Date(body.startsAt as string),
        'COMPANY',
        body.reason as string | undefined,
      ),
  );
  change(
    'missed',
    '[AP-4] [AP-5] Missed: by the customer (the trip may be charged) or by the company (apologies and new slots)',
    Type.Object({ by: AppointmentParty, reason: Type.Optional(Reason) }, { additionalProperties: false }),
    (id, body) => markMissed(deps, id, body.by as AppointmentParty, body.reason as string | undefined),
  );

  app.post(
    '/api/appointments/:id/call-done',
    {
      config: staff,
      schema: {
        tags: ['appointments'],
        summary: '[AP-4] The agent phoned the customer about the change (an outbound contact on the case)',
        params: Id,
        body: Type.Object(
          { summary: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        response: { 200: Appointment, 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!(await visible(request.principal, id))) return notFound(reply);
      const { summary } = (request.body ?? {}) as { summary?: string };
      const now = services.clock.now();
      const row = await deps.db.appointment.update({
        where: { id },
        data: { callDue: false, updatedAt: now },
        select: APPOINTMENT_SELECT,
      });
      await deps.db.contact.create({
        data: {
          caseId: row.caseId,
          customerId: row.customerId,
          direction: 'OUTBOUND',
          channel: 'PHONE',
          at: now,
          address: row.mobile,
          summary: summary?.trim() || 'Appel au client : changement de rendez-vous',
          details: { appointmentId: row.id },
        },
      });
      await recordAppointmentEvent(deps, row, 'appointment.call-done', {});
      return view(row);
    },
  );
}

/** The instant a local day starts, and the next one's (the list's bounds). */
const localDay = (day: string, zone: string) => DateTime.fromISO(day, { zone }).startOf('day').toJSDate();
const nextLocalDay = (day: string, zone: string) =>
  DateTime.fromISO(day, { zone }).startOf('day').plus({ days: 1 }).toJSDate();

/** The customer's last SMS reply per appointment: the "appointment.reply" events of their cases. */
async function lastReplies(
  db: Db,
  rows: ReadonlyArray<{ caseId: string }>,
): Promise<Map<string, AppointmentReply>> {
  const last = new Map<string, AppointmentReply>();
  if (rows.length === 0) return last;
  const events = await db.caseEvent.findMany({
    where: { caseId: { in: [...new Set(rows.map((r) => r.caseId))] }, type: 'appointment.reply' },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    select: { at: true, data: true },
  });
  for (const event of events) {
    const data = event.data as { appointmentId?: unknown; body?: unknown; intent?: unknown } | null;
    const id = typeof data?.appointmentId === 'string' ? data.appointmentId : null;
    if (!id || last.has(id)) continue;
    last.set(id, {
      at: event.at.toISOString(),
      body: String(data?.body ?? ''),
      intent: typeof data?.intent === 'string' ? data.intent : null,
    });
  }
  return last;
}

function view(row: AppointmentRow) {
  return {
    ...row,
    caseNumber: row.case.number,
    caseSubject: row.case.subject,
    agencyName: row.agency.name,
    technicianName: row.technician ? `${row.technician.firstName} ${row.technician.lastName}` : null,
    offeredSlots: offeredSlotsOf(row),
  };
}
