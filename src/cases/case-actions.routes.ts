import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CallerRelation } from '../identification/identification.schemas.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody, OneOf } from '../platform/http/common.schemas.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import {
  CaseActionDone,
  CaseActionRefusal,
  CaseOpened,
  CaseQualified,
  WaitingStarted,
  WaitingStopped,
  WrittenAnswerSent,
} from './case-actions.schemas.js';
import {
  actorOf,
  addNote,
  attachContact,
  type CaseActionResult,
  cancelRequest,
  caseActionDeps,
  closeCase,
  createCase,
  type NewCase,
  type NewContact,
  type Qualification,
  qualifyCase,
} from './case-actions.service.js';
import { CaseKind, ContactChannel, Direction, SensitiveCategory, Urgency } from './cases.schemas.js';
import { startWaiting, stopWaiting } from './waiting.service.js';
import { sendWrittenAnswer, type WrittenAnswer } from './written-answer.service.js';

// The agent's actions on cases (src/cases/case-actions.service.ts); the console calls them.

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Id = Type.Object({ id: Type.String() });

const ContactBody = Type.Object(
  {
    channel: ContactChannel,
    direction: Direction,
    summary: Text(2000),
    callerName: Type.Optional(Type.String({ maxLength: 200 })),
    callerRelation: Type.Optional(CallerRelation),
    callSid: Type.Optional(Type.String({ pattern: '^CA[0-9a-zA-Z]{10,62}$' })),
  },
  { additionalProperties: false },
);

const QualifyBody = Type.Object(
  {
    kind: Type.Optional(CaseKind),
    sensitive: Type.Optional(
      Type.Union([SensitiveCategory, Type.Null()], {
        description: "[CS-6] a sensitive letter's category: the case goes to the dedicated team's queue",
      }),
    ),
    urgency: Type.Optional(Urgency),
    needsIntervention: Type.Optional(Type.Boolean()),
    mobile: Type.Optional(
      Type.String({
        maxLength: 40,
        description: '[ID-8] the mobile to reach the customer for a field intervention',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

const CreateBody = Type.Object(
  {
    customerId: Type.Optional(Type.String({ format: 'uuid' })),
    agencyId: Type.Optional(Type.String({ format: 'uuid' })),
    kind: CaseKind,
    urgency: Urgency,
    category: Text(80),
    subject: Text(200),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    needsIntervention: Type.Boolean({ default: false }),
    mobile: Type.Optional(
      Type.String({
        maxLength: 40,
        description: '[ID-8] the mobile to reach the customer for a field intervention',
      }),
    ),
    contact: ContactBody,
  },
  { additionalProperties: false },
);

const STATUS_OF = {
  not_found: 404,
  closed: 409,
  comment_rule: 422,
  forbidden: 403,
  mobile_required: 422,
  no_recipient: 422,
  answer_required: 409,
  waiting: 409,
} as const;

function answer<T>(reply: FastifyReply, result: CaseActionResult<T>, created = false) {
  if (result.ok) return reply.code(created ? 201 : 200).send(result.value);
  const { code, message, found } = result;
  return reply.code(STATUS_OF[code]).send({ error: code, message, ...(found ? { found } : {}) });
}

export function caseActionRoutes(app: FastifyInstance, services: Services): void {
  const deps = caseActionDeps(services);
  const staff = { access: { users: STAFF } };
  const notFound = (reply: FastifyReply) =>
    reply.code(404).send({ error: 'not_found', message: 'no such case' });

  app.post(
    '/api/cases',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        body: CreateBody,
        response: { 201: CaseOpened, 403: ApiErrorBody, 404: ApiErrorBody, 422: CaseActionRefusal },
      },
    },
    async (request, reply) =>
      answer(reply, await createCase(deps, request.body as NewCase, actorOf(request)), true),
  );

  app.patch(
    '/api/cases/:id',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        params: Id,
        body: QualifyBody,
        response: { 200: CaseQualified, 404: ApiErrorBody, 409: ApiErrorBody, 422: CaseActionRefusal },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return notFound(reply);
      return answer(reply, await qualifyCase(deps, id, request.body as Qualification, actorOf(request)));
    },
  );

  app.post(
    '/api/cases/:id/notes',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        params: Id,
        body: Type.Object({ text: Text(2000) }, { additionalProperties: false }),
        response: { 201: CaseActionDone, 404: ApiErrorBody, 422: CaseActionRefusal },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return notFound(reply);
      const { text } = request.body as { text: string };
      return answer(reply, await addNote(deps, id, text, actorOf(request)), true);
    },
  );

  app.post(
    '/api/cases/:id/contacts',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        params: Id,
        body: ContactBody,
        response: { 201: CaseActionDone, 404: ApiErrorBody, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return notFound(reply);
      return answer(reply, await attachContact(deps, id, request.body as NewContact, actorOf(request)), true);
    },
  );

  app.post(
    '/api/cases/:id/answer',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        summary:
          '[CS-5] Answers the customer in writing (e-mail through the outbox, or letter), from a template, as an outbound contact',
        params: Id,
        body: Type.Object(
          { channel: OneOf(['EMAIL', 'LETTER']), text: Text(4000) },
          { additionalProperties: false },
        ),
        response: { 201: WrittenAnswerSent, 404: ApiErrorBody, 409: ApiErrorBody, 422: CaseActionRefusal },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return notFound(reply);
      const answerDeps = { ...deps, outbox: services.outbox, templates: services.templates };
      return answer(
        reply,
        await sendWrittenAnswer(answerDeps, id, request.body as WrittenAnswer, actorOf(request)),
        true,
      );
    },
  );

  app.post(
    '/api/cases/:id/waiting',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        summary: "[CS-3] The case waits for a third party's agreement or authorisation: its deadline pauses",
        params: Id,
        body: Type.Object({ reason: Text(300) }, { additionalProperties: false }),
        response: { 200: WaitingStarted, 404: ApiErrorBody, 409: ApiErrorBody, 422: CaseActionRefusal },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return notFound(reply);
      const { reason } = request.body as { reason: string };
      return answer(reply, await startWaiting(deps, id, reason, actorOf(request)));
    },
  );

  app.delete(
    '/api/cases/:id/waiting',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        summary: '[CS-3] The third party answered: the deadline resumes, moved on by the time waited',
        params: Id,
        response: { 200: WaitingStopped, 404: ApiErrorBody, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return notFound(reply);
      return answer(reply, await stopWaiting(deps, id, actorOf(request)));
    },
  );

  app.post(
    '/api/cases/:id/cancel',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        summary: '[AP-6] The customer withdraws the request: the case and its appointments are cancelled',
        params: Id,
        body: Type.Object({ reason: Text(2000) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ id: Type.String(), appointmentsCancelled: Type.Integer() }),
          404: ApiErrorBody,
          409: ApiErrorBody,
          422: CaseActionRefusal,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return notFound(reply);
      const { reason } = request.body as { reason: string };
      return answer(reply, await cancelRequest(deps, id, reason, actorOf(request)));
    },
  );

  app.post(
    '/api/cases/:id/close',
    {
      config: staff,
      schema: {
        tags: ['cases'],
        params: Id,
        body: Type.Object({ resolution: Text(2000) }, { additionalProperties: false }),
        response: { 200: CaseActionDone, 404: ApiErrorBody, 409: ApiErrorBody, 422: CaseActionRefusal },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!isUuid(id)) return notFound(reply);
      const { resolution } = request.body as { resolution: string };
      return answer(reply, await closeCase(deps, id, resolution, actorOf(request)));
    },
  );
}
