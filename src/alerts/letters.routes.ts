import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { STAFF } from '../platform/auth/principal.js';
import { spreadsheetCsv } from '../platform/http/spreadsheet-csv.js';
import type { Services } from '../services.js';
import { LetterList, type LetterRow } from './alerts.schemas.js';

// The "letter with the next bill" list (DOMAIN.md section 5): alerts of customers with neither
// a mobile nor an e-mail that works, for the billing run to print. JSON for the console, CSV
// (semicolons, UTF-8 with a BOM so that spreadsheet software reads the accents) for billing.

const Query = Type.Object({
  since: Type.Optional(Type.String({ format: 'date', description: 'detected on or after this day' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});

const COLUMNS = [
  'customer_ref',
  'last_name',
  'first_name',
  'address',
  'postcode',
  'city',
  'meter',
  'detected_on',
  'episode_start',
  'threshold_m3',
  'status',
] as const;

export function lettersRoutes(app: FastifyInstance, services: Services): void {
  app.get(
    '/api/alerts/letters',
    {
      config: { access: { users: STAFF } },
      schema: {
        tags: ['alerts'],
        querystring: Query,
        // By media type: fastify serializes the JSON answer by its schema; the CSV, a string
        // sent with its own text/csv type, goes out as it is.
        response: {
          200: {
            content: {
              'application/json': { schema: LetterList },
              'text/csv': { schema: Type.String({ description: 'semicolons, UTF-8 with a BOM' }) },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { since, format = 'json' } = request.query as { since?: string; format?: 'json' | 'csv' };
      const alerts = await services.db.consumptionAlert.findMany({
        where: {
          byLetter: true,
          status: { in: ['OPEN', 'UNANSWERED'] },
          ...(since ? { detectedOn: { gte: new Date(`${since}T00:00:00Z`) } } : {}),
        },
        orderBy: [{ detectedOn: 'asc' }, { id: 'asc' }],
        take: 50_000,
        select: {
          id: true,
          detectedOn: true,
          episodeStart: true,
          thresholdLitres: true,
          status: true,
          meter: { select: { serial: true } },
          supplyPoint: { select: { addressLine: true, postcode: true, city: true } },
          customer: { select: { reference: true, lastName: true, firstName: true } },
        },
      });
      const rows = alerts.map(
        (a): LetterRow => ({
          alertId: a.id,
          customer_ref: a.customer?.reference ?? '',
          last_name: a.customer?.lastName ?? '',
          first_name: a.customer?.firstName ?? '',
          address: a.supplyPoint.addressLine,
          postcode: a.supplyPoint.postcode,
          city: a.supplyPoint.city,
          meter: a.meter.serial,
          detected_on: a.detectedOn.toISOString().slice(0, 10),
          episode_start: a.episodeStart.toISOString().slice(0, 10),
          threshold_m3: (a.thresholdLitres / 1000).toString().replace('.', ','),
          status: a.status,
        }),
      );
      if (format === 'json') return rows;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="alertes-courrier.csv"')
        .send(spreadsheetCsv(rows, COLUMNS));
    },
  );
}
