import type { FastifyInstance } from 'fastify';
import { STAFF } from '../platform/auth/principal.js';
import { ApiErrorBody } from '../platform/http/common.schemas.js';
import type { Services } from '../services.js';
import { AlertThresholdTable } from './alerts.schemas.js';

// The alert thresholds by meter diameter (alert_thresholds, seeded with DOMAIN.md section 5's
// table): staff read them, an administrator replaces the table as a whole. Each change is in the
// audit log with the table before and after. Detection reads them at every run.

const select = { diameterMm: true, thresholdLitres: true, consecutiveDays: true } as const;

export function alertThresholdsRoutes(app: FastifyInstance, services: Services): void {
  const { db } = services;
  const lookbackDays = services.settings.alerts.lookbackDays;

  app.get(
    '/api/alerts/thresholds',
    {
      config: { access: { users: STAFF } },
      schema: {
        tags: ['alerts'],
        summary: 'Alert thresholds by meter diameter',
        response: { 200: AlertThresholdTable },
      },
    },
    async () => ({
      thresholds: await db.alertThreshold.findMany({ select, orderBy: { diameterMm: 'asc' } }),
    }),
  );

  app.put(
    '/api/alerts/thresholds',
    {
      config: { access: { users: ['ADMIN'] } },
      schema: {
        tags: ['alerts'],
        summary: 'Replace the alert thresholds table (diameters left out are no longer watched)',
        body: AlertThresholdTable,
        response: { 200: AlertThresholdTable, 400: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const { thresholds } = request.body as AlertThresholdTable;
      const diameters = thresholds.map((t) => t.diameterMm);
      const twice = diameters.find((d, i) => diameters.indexOf(d) !== i);
      if (twice !== undefined)
        return reply
          .code(400)
          .send({ error: 'invalid_request', message: `diameter ${twice} mm is given twice` });
      const tooLong = thresholds.find((t) => t.consecutiveDays > lookbackDays);
      if (tooLong)
        return reply.code(400).send({
          error: 'invalid_request',
          message: `${tooLong.consecutiveDays} consecutive days for ${tooLong.diameterMm} mm can never alert: detection looks at ${lookbackDays} days (ALERT_LOOKBACK_DAYS)`,
        });
      const principal = request.principal!;
      const after = await db.$transaction(async (tx) => {
        const before = await tx.alertThreshold.findMany({ select, orderBy: { diameterMm: 'asc' } });
        await tx.alertThreshold.deleteMany({});
        await tx.alertThreshold.createMany({ data: thresholds });
        const after = await tx.alertThreshold.findMany({ select, orderBy: { diameterMm: 'asc' } });
        await tx.auditLog.create({
          data: {
            actorType: 'USER',
            actorId: principal.id,
            action: 'alert-thresholds.updated',
            entity: 'alert_thresholds',
            data: { before, after },
          },
        });
        return after;
      });
      return { thresholds: after };
    },
  );
}
