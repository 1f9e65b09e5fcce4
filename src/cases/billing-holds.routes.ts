import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SUPERVISORS } from '../platform/auth/principal.js';
import { spreadsheetCsv } from '../platform/http/spreadsheet-csv.js';
import type { Services } from '../services.js';
import { BillingHoldList } from './billing-holds.schemas.js';
import { billingHoldDeps, sweepBillingHolds } from './billing-holds.service.js';

// [CS-7] The accounts on hold, for the billing system (an integration token) and supervisors:
// JSON, or CSV for a file drop. Lifted holds are left out unless asked for since a date.

const Query = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});
const COLUMNS = ['customer_ref', 'hold', 'since', 'case_number', 'case_category'] as const;

export function billingHoldsRoutes(app: FastifyInstance, services: Services): void {
  app.get(
    '/api/billing/holds',
    {
      config: { access: { tokens: ['INTEGRATION'], users: SUPERVISORS } },
      schema: {
        tags: ['cases'],
        summary:
          '[CS-7] Accounts on hold: direct debit suspended (complaint open past its day), dunning blocked',
        querystring: Query,
        // Both forms documented; fastify serializes only the JSON one by its schema.
        response: {
          200: {
            content: {
              'application/json': { schema: BillingHoldList },
              'text/csv': { schema: Type.String({ description: 'semicolons, UTF-8 with a BOM' }) },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { format = 'json' } = request.query as { format?: 'json' | 'csv' };
      // Complaints whose day ended since the last sweep are on the list too.
      await sweepBillingHolds(billingHoldDeps(services));
      const holds = await services.db.billingHold.findMany({
        where: { liftedAt: null },
        orderBy: [{ since: 'asc' }, { id: 'asc' }],
        take: 50_000,
        select: {
          kind: true,
          since: true,
          customer: { select: { reference: true } },
          case: { select: { number: true, category: true } },
        },
      });
      const rows = holds.map((h) => ({
        customer_ref: h.customer.reference,
        hold: h.kind,
        since: h.since.toISOString(),
        case_number: h.case.number,
        case_category: h.case.category,
      }));
      if (format === 'json') return rows;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="suspensions-facturation.csv"')
        .send(spreadsheetCsv(rows, COLUMNS));
    },
  );
}
