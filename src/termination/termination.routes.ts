import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SUPERVISORS } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import { spreadsheetCsv } from '../platform/http/spreadsheet-csv.js';
import type { Services } from '../services.js';
import { TerminationLists } from './termination.schemas.js';
import { runTermination, terminationDeps } from './termination-run.js';

// [TR-4] The termination run's lists: a preview for any day (nothing sent), the run itself (the
// daily job does it; a supervisor may run it again, it sends each reminder once), and each list
// as a CSV file for the letters and field orders printed the next night.

const DayQuery = Type.Object({ day: Type.Optional(Type.String({ format: 'date' })) });
const LISTS = {
  'to-terminate': 'toTerminate',
  'to-remind': 'toRemind',
  'management-decision': 'managementDecision',
} as const;
const COLUMNS = [
  'customerReference',
  'name',
  'address',
  'category',
  'interruptedOn',
  'terminationDay',
  'fieldOrder',
  'reminder',
] as const;

export function terminationRoutes(app: FastifyInstance, services: Services): void {
  const supervisors = { access: { users: SUPERVISORS, tokens: ['INTEGRATION'] as const } };
  const deps = terminationDeps(services);

  app.get(
    '/api/termination/lists',
    {
      config: supervisors,
      schema: {
        tags: ['termination'],
        summary: "[TR-4] The day's lists (today by default), as the run would make them: nothing is sent",
        querystring: DayQuery,
        response: { 200: TerminationLists },
      },
    },
    async (request) => runTermination(deps, { ...(request.query as { day?: string }), apply: false }),
  );

  app.post(
    '/api/termination/run',
    {
      config: supervisors,
      schema: {
        tags: ['termination'],
        summary: "[TR-3] [TR-4] Today's run: the reminders go (each once) and the lists are answered",
        response: { 200: TerminationLists },
      },
    },
    async () => runTermination(deps, { apply: true }),
  );

  app.get(
    '/api/termination/:list.csv',
    {
      config: supervisors,
      schema: {
        tags: ['termination'],
        summary: 'One list of the day as a CSV file (semicolons, UTF-8 with a BOM)',
        params: Type.Object({ list: Type.Union(Object.keys(LISTS).map((name) => Type.Literal(name))) }),
        querystring: DayQuery,
        produces: ['text/csv'],
        response: { 200: { content: { 'text/csv': { schema: Type.String() } } }, 400: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { list } = request.params as { list: keyof typeof LISTS };
      const lists = await runTermination(deps, { ...(request.query as { day?: string }), apply: false });
      const rows = lists[LISTS[list]].map((line) => ({ ...line, reminder: line.reminder.join('+') }));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="resiliation-${list}-${lists.day}.csv"`)
        .send(spreadsheetCsv(rows, COLUMNS));
    },
  );
}
