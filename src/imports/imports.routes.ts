import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rehomeAll } from '../appointments/absences.service.js';
import { contractsChanged } from '../follow-ups/contract-end.js';
import type { Access } from '../platform/auth/principal.js';
import type { Services } from '../services.js';
import { NotCsvError } from './csv-reader.js';
import { IMPORT_KINDS, type ImportKind } from './import-report.js';
import { runImport } from './import-runner.js';

// POST /api/imports/<kind>, the body being the CSV file itself. Machine clients use an API token
// of role IMPORT; an administrator can send a file from the console. The CSV parser is scoped to
// these routes: elsewhere a CSV body is refused as before.

const ACCESS: Access = { users: ['ADMIN'], tokens: ['IMPORT'] };

// Spreadsheets and browsers label CSV files several ways (Windows: application/vnd.ms-excel).
const CSV_TYPES = new Set([
  'text/csv',
  'application/csv',
  'text/comma-separated-values',
  'text/plain',
  'application/vnd.ms-excel',
]);

const Query = Type.Object({
  dryRun: Type.Optional(
    Type.Boolean({ description: 'validate and report what would change; write nothing' }),
  ),
  force: Type.Optional(
    Type.Boolean({
      description: 'apply an eligibility file even if it removes cover from more contracts than allowed',
    }),
  ),
  batch: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      description:
        'name of this file (e.g. 2026-W48), recorded on contracts; a digest of the file by default',
    }),
  ),
});

const DESCRIPTIONS: Record<ImportKind, string> = {
  eligibility: 'Weekly eligibility file: replaces the previous one; refused as a whole on any error.',
  agencies: 'Agencies and their regional directions; lines with errors are skipped.',
  'on-call-hours':
    "Weekly on-call windows per agency and on-call type; replaces each agency and type's windows.",
  'technician-rotas': 'Technicians on call per agency, on-call type and period, with their mobiles.',
  'manager-rotas': 'Regional on-call managers per region and period, with their mobiles.',
  register:
    '[AL-1] The customer register, one line per meter: customer, contacts, consent to alerts, supply point, meter and diameter; lines with errors are skipped.',
  readings:
    "Daily meter readings (index and/or day's volume, m³); lines with errors are skipped. Files of all meters go through the command line (body limit).",
  'field-roster':
    "[AP-2] Technicians taking daytime appointments per agency: their field weekdays and absences. Replaces each agency's roster (technicians not listed leave it) and the listed technicians' absences still to come; an agency with an error on any line is left as it was.",
  'agency-closures':
    "[AP-2] Days each agency is closed (no appointments). Replaces each agency's closures from today on; an agency with an error on any line is left as it was.",
  'unpaid-interruptions':
    "[TR-1] Supplies interrupted for non-payment (and restored), with the customers' reminder category and employee and sensitive flags, for the termination run. Lines with errors are skipped.",
};

const badRequest = (reply: FastifyReply, error: string, message: string) =>
  reply.code(400).send({ error, message });

export function importRoutes(app: FastifyInstance, services: Services): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Any content type reaches the handler as bytes, which says clearly what it expected.
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: services.settings.bodyLimitBytes },
      (_request, body, done) => done(null, body),
    );

    for (const kind of IMPORT_KINDS) {
      scope.post(
        `/api/imports/${kind}`,
        {
          config: { access: ACCESS },
          schema: {
            tags: ['imports'],
            summary: `Import a ${kind} CSV file`,
            description: `${DESCRIPTIONS[kind]} Body: the CSV file (UTF-8, ";" or ","). 200 with the report; 422 when the file is refused.`,
            consumes: ['text/csv'],
            querystring: Query,
          },
        },
        (request, reply) => handle(kind, request, reply),
      );
    }
  });

  async function handle(kind: ImportKind, request: FastifyRequest, reply: FastifyReply) {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
    const body = request.body as Buffer | undefined;
    if (!body || body.length === 0)
      return badRequest(
        reply,
        'empty_body',
        'the body is empty: send the CSV file as the body (Content-Type: text/csv)',
      );
    if (!CSV_TYPES.has(contentType))
      return badRequest(
        reply,
        'not_csv',
        `expected a CSV file (Content-Type: text/csv), got ${contentType || 'no content type'}`,
      );
    if (charset && !/^utf-?8$/i.test(charset))
      return badRequest(
        reply,
        'not_utf8',
        `the file must be UTF-8 (got charset=${charset}): export it as "CSV UTF-8"`,
      );

    const {
      dryRun = false,
      force = false,
      batch,
    } = request.query as { dryRun?: boolean; force?: boolean; batch?: string };
    const principal = request.principal!;
    try {
      const report = await runImport(
        {
          db: services.db,
          phoneIndex: services.phoneIndex,
          technicianUnavailable: (periods) => rehomeAll(services.appointments, periods),
          contractsChanged: (tx, changes) => contractsChanged(services.followUps, tx, changes),
          routingChanged: () => services.paging.routingData.changed(),
          calendar: services.calendar,
          clock: services.clock,
          zone: services.settings.timeZone,
          maxUncoverPercent: services.settings.eligibilityMaxUncoverPercent,
          readingsMaxDailyLitres: services.settings.alerts.readingsMaxDailyLitres,
          logger: request.log,
        },
        {
          kind,
          content: body,
          dryRun,
          force,
          batch,
          actor: { type: principal.kind === 'user' ? 'USER' : 'API_TOKEN', id: principal.id },
          source: 'http',
        },
      );
      return reply.code(report.refused ? 422 : 200).send(report);
    } catch (err) {
      if (err instanceof NotCsvError) return badRequest(reply, 'not_csv', err.message);
      throw err;
    }
  }
}
