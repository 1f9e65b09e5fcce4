import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { actorOf } from '../cases/case-actions.service.js';
import { visibleTo } from '../cases/case-scope.js';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { spreadsheetCsv } from '../platform/http/spreadsheet-csv.js';
import { isUuid } from '../platform/ids.js';
import type { Services } from '../services.js';
import { answer } from './follow-ups.routes.js';
import {
  CallOutcomeBody,
  CallOutcomeRecorded,
  CaseIdParams,
  FieldTaskDoneBody,
  FieldTaskRecorded,
  LettersPrinted,
  LettersPrintedBody,
  WorkListsAnswer,
} from './follow-ups.schemas.js';
import {
  type CallOutcome,
  type FieldTaskDone,
  recordCallOutcome,
  recordFieldTaskDone,
  recordLettersPrinted,
} from './work-list-tasks.service.js';
import { type LetterKind, type WorkLists, workLists } from './work-lists.js';

// The work lists over the api, and each as a CSV file for those who print or plan from a sheet
// (semicolons, UTF-8 with a BOM, as the other exports); and what agents record from them: a call
// made, a field task done, letters printed.

const taskErrors = { 400: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody };

const AgencyQuery = Type.Object({ agencyId: Type.Optional(Type.String({ format: 'uuid' })) });

const CSV_LISTS = {
  calls: { file: 'appels', columns: ['kind', 'caseNumber', 'subject', 'phone', 'since'] },
  'field-tasks': {
    file: 'interventions',
    columns: ['kind', 'caseNumber', 'supplyPoint', 'address', 'since'],
  },
  letters: { file: 'courriers', columns: ['kind', 'caseNumber', 'addressee', 'address', 'since'] },
  overdue: { file: 'retards', columns: ['caseNumber', 'subject', 'dueAt'] },
} as const satisfies Record<string, { file: string; columns: readonly string[] }>;

const LIST_OF = {
  calls: 'calls',
  'field-tasks': 'fieldTasks',
  letters: 'letters',
  overdue: 'overdue',
} as const;

export function workListRoutes(app: FastifyInstance, services: Services): void {
  const staff = { access: { users: STAFF } };
  const listsFor = async (principal: Parameters<typeof visibleTo>[0], agencyId?: string) => {
    const scope = agencyId ? { AND: [visibleTo(principal), { agencyId }] } : visibleTo(principal);
    return workLists(services.db, scope, services.clock.now());
  };

  app.get(
    '/api/work-lists',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        summary: 'Calls to make, field tasks, letters to print and overdue cases, of the user’s agency',
        querystring: AgencyQuery,
        response: { 200: WorkListsAnswer },
      },
    },
    async (request) => {
      const { agencyId } = request.query as { agencyId?: string };
      return { at: services.clock.now().toISOString(), ...(await listsFor(request.principal!, agencyId)) };
    },
  );

  app.get(
    '/api/work-lists/:list.csv',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        summary: 'One work list as a CSV file (semicolons, UTF-8 with a BOM)',
        params: Type.Object({
          list: Type.Union(Object.keys(CSV_LISTS).map((name) => Type.Literal(name))),
        }),
        querystring: AgencyQuery,
        produces: ['text/csv'],
        response: {
          200: { content: { 'text/csv': { schema: Type.String() } } },
          400: ApiErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { list } = request.params as { list: keyof typeof CSV_LISTS };
      const { agencyId } = request.query as { agencyId?: string };
      const lists: WorkLists = await listsFor(request.principal!, agencyId);
      const items: readonly object[] = lists[LIST_OF[list]];
      const rows = items.map((item) =>
        Object.fromEntries(
          Object.entries(item).map(([key, value]) => [
            key,
            value instanceof Date ? value.toISOString() : value,
          ]),
        ),
      );
      const day = services.clock.now().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${CSV_LISTS[list].file}-${day}.csv"`)
        .send(spreadsheetCsv(rows, CSV_LISTS[list].columns));
    },
  );

  const notFound = (reply: FastifyReply) =>
    reply.code(404).send({ error: 'not_found', message: 'no such case' });

  app.post(
    '/api/work-lists/calls/:caseId/outcome',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        summary:
          '[DP-2] A departure call made: reached, or no answer (a meter survey goes on the field tasks)',
        params: CaseIdParams,
        body: CallOutcomeBody,
        response: { 200: CallOutcomeRecorded, ...taskErrors },
      },
    },
    async (request, reply) => {
      const { caseId } = request.params as { caseId: string };
      if (!isUuid(caseId)) return notFound(reply);
      const body = request.body as { outcome: CallOutcome; note?: string };
      return answer(reply, await recordCallOutcome(services.followUps, caseId, body, actorOf(request)));
    },
  );

  app.post(
    '/api/work-lists/field-tasks/:caseId/done',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        summary:
          '[DP-2] [DP-5] A field task done: a departure’s meter survey or a vacant home’s connection to close',
        params: CaseIdParams,
        body: FieldTaskDoneBody,
        response: { 200: FieldTaskRecorded, ...taskErrors },
      },
    },
    async (request, reply) => {
      const { caseId } = request.params as { caseId: string };
      if (!isUuid(caseId)) return notFound(reply);
      const body = request.body as FieldTaskDone;
      return answer(reply, await recordFieldTaskDone(services.followUps, caseId, body, actorOf(request)));
    },
  );

  app.post(
    '/api/work-lists/letters/printed',
    {
      config: staff,
      schema: {
        tags: ['follow-ups'],
        summary: 'Letters printed: they leave the list; those not on it are reported, the others recorded',
        body: LettersPrintedBody,
        response: { 200: LettersPrinted, 400: ApiErrorBody },
      },
    },
    async (request) => {
      const { items } = request.body as { items: Array<{ caseId: string; kind: LetterKind }> };
      return recordLettersPrinted(services.followUps, items, actorOf(request));
    },
  );
}
