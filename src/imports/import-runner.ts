import { createHash } from 'node:crypto';
import { readingsImporter } from '../alerts/readings.import.js';
import { registerImporter } from '../alerts/register.import.js';
import { agencyClosuresImporter } from '../appointments/imports/agency-closures.import.js';
import { fieldRosterImporter } from '../appointments/imports/field-roster.import.js';
import type { FrenchCalendar } from '../calendar/french-calendar.js';
import type { ActorType } from '../generated/prisma/enums.js';
import type { PhoneIndex } from '../identification/phone-index.js';
import { agenciesImporter } from '../oncall/imports/agencies.import.js';
import { eligibilityImporter } from '../oncall/imports/eligibility.import.js';
import { managerRotasImporter } from '../oncall/imports/manager-rotas.import.js';
import { onCallHoursImporter } from '../oncall/imports/on-call-hours.import.js';
import { technicianRotasImporter } from '../oncall/imports/technician-rotas.import.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import { interruptionsImporter } from '../termination/imports/interruptions.import.js';
import { readCsv } from './csv-reader.js';
import { buildReport, type ImportKind, type ImportReport, Issues } from './import-report.js';
import type { ContractChanges, Importer, TechnicianUnavailability, Tx } from './importer.js';

// One path for the CLI and the endpoint: read the CSV, plan inside a transaction that holds the
// imports' lock (two imports never interleave, and rotas see the agencies a concurrent import
// is writing only once it has committed), apply unless it is a dry run or refused, log it in the
// audit trail in the same transaction, then refresh the phone index for the numbers that moved.

const IMPORTERS: Record<ImportKind, Importer> = {
  eligibility: eligibilityImporter,
  agencies: agenciesImporter,
  'on-call-hours': onCallHoursImporter,
  'technician-rotas': technicianRotasImporter,
  'manager-rotas': managerRotasImporter,
  readings: readingsImporter,
  register: registerImporter,
  'field-roster': fieldRosterImporter,
  'agency-closures': agencyClosuresImporter,
  'unpaid-interruptions': interruptionsImporter,
};

// The imports that change what `route-on-call` reads (oncall/routing-cache.ts).
const ROUTING_KINDS = new Set<ImportKind>(['eligibility', 'agencies', 'on-call-hours']);

/** Advisory lock key shared by every import (pg_advisory_xact_lock). */
const IMPORT_LOCK = 72_616_101;
// A weekly eligibility file of a large utility is tens of thousands of lines.
const TRANSACTION_TIMEOUT_MS = 15 * 60_000;

export interface ImportDeps {
  db: Db;
  phoneIndex: PhoneIndex;
  calendar: FrenchCalendar;
  clock: Clock;
  /** TZ_DEFAULT. */
  zone: string;
  /** ELIGIBILITY_MAX_UNCOVER_PERCENT. */
  maxUncoverPercent: number;
  /** READINGS_MAX_DAILY_LITRES. */
  readingsMaxDailyLitres: number;
  /**
   * [DP-4] [DP-5] The case follow-ups' part of a contract import, in its transaction: what it
   * returns runs once committed (the live events). Without it, the follow-ups see the contracts
   * only when their timers fire.
   */
  contractsChanged?(tx: Tx, changes: ContractChanges): Promise<() => Promise<void>>;
  /** After an applied import of contracts, agencies or on-call hours: the routing caches read again. */
  routingChanged?(): Promise<void>;
  /** [AP-4] Moves the appointments of technicians the import made unavailable (after the commit). */
  technicianUnavailable?(periods: TechnicianUnavailability[]): Promise<void>;
  /** pino (the request's logger on the endpoint): counts only, never the file's content. */
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface ImportRequest {
  kind: ImportKind;
  content: Buffer | string;
  dryRun: boolean;
  /** Name of this file (recorded on contracts by the eligibility import); a digest of it by default. */
  batch?: string;
  /** Apply an eligibility file even if it uncovers more contracts than the guard allows. */
  force?: boolean;
  actor: { type: ActorType; id: string | null };
  source: 'http' | 'cli';
}

/** The same bytes give the same batch name: importing a file twice changes nothing. */
export function defaultBatchName(content: Buffer | string): string {
  return `sha256-${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
}

/** Throws NotCsvError when the content is not CSV at all; every other problem is in the report. */
export async function runImport(deps: ImportDeps, request: ImportRequest): Promise<ImportReport> {
  const importer = IMPORTERS[request.kind];
  const issues = new Issues();
  const batch = request.batch ?? defaultBatchName(request.content);
  const base = { kind: request.kind, batch, dryRun: request.dryRun };

  const file = readCsv(request.content, importer.columns, issues);
  if (file && file.rows.length === 0) issues.error(1, null, 'the file has no data lines, only a header');
  if (!file || file.rows.length === 0)
    return buildReport({ ...base, applied: false, refused: true, lines: file?.rows.length ?? 0 }, {}, issues);
  const lines = file.rows.length;

  const outcome = await deps.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${IMPORT_LOCK})`;
      const plan = await importer.plan(tx, file.rows, {
        issues,
        now: deps.clock.now(),
        zone: deps.zone,
        calendar: deps.calendar,
        batch,
        force: request.force ?? false,
        maxUncoverPercent: deps.maxUncoverPercent,
        readingsMaxDailyLitres: deps.readingsMaxDailyLitres,
      });
      const refused = issues.errorCount > 0 && (importer.wholeFile || plan.applicable === 0);
      const none: TechnicianUnavailability[] = [];
      const nothing = async () => undefined;
      if (refused)
        return { refused, entities: {}, phones: [] as string[], unavailable: none, after: nothing };
      if (request.dryRun)
        return {
          refused,
          entities: plan.entities,
          phones: [] as string[],
          unavailable: none,
          after: nothing,
        };
      const { phones, unavailable = none, contracts } = await plan.apply(tx);
      const after = contracts && deps.contractsChanged ? await deps.contractsChanged(tx, contracts) : nothing;
      const report = buildReport({ ...base, applied: true, refused, lines }, plan.entities, issues);
      await tx.auditLog.create({
        data: {
          actorType: request.actor.type,
          actorId: request.actor.id,
          action: `import.${request.kind}`,
          entity: 'import',
          entityId: batch,
          data: {
            source: request.source,
            lines,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            removed: report.removed,
            uncovered: report.uncovered,
            entities: JSON.parse(JSON.stringify(plan.entities)),
            errors: issues.errors.length,
            warnings: issues.warnings.length,
          },
        },
      });
      return { refused, entities: plan.entities, phones, unavailable, after };
    },
    { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 },
  );

  if (!outcome.refused && !request.dryRun && ROUTING_KINDS.has(request.kind) && deps.routingChanged) {
    try {
      await deps.routingChanged();
    } catch (err) {
      // Committed; the routing caches read it again within minutes all the same.
      deps.logger?.warn({ err }, 'telling the routing caches of the import failed');
    }
  }

  try {
    await outcome.after();
  } catch (err) {
    // Committed; the consoles refresh their work lists on their next read.
    deps.logger?.warn({ err }, 'publishing the follow-ups’ events after import failed');
  }

  if (outcome.unavailable.length > 0 && deps.technicianUnavailable) {
    try {
      await deps.technicianUnavailable(outcome.unavailable);
    } catch (err) {
      // The roster is stored; what could not be moved is still the technician's, seen on the screen.
      deps.logger?.warn({ err }, 'moving the appointments of unavailable technicians failed');
    }
  }

  if (outcome.phones.length > 0) {
    try {
      await deps.phoneIndex.refresh(outcome.phones);
    } catch (err) {
      // PostgreSQL has the truth; the maintenance worker rebuilds the index every six hours.
      deps.logger?.warn({ err }, 'phone index refresh after import failed');
      issues.warn(
        1,
        null,
        'the caller phone index could not be refreshed; it will be rebuilt within six hours',
      );
    }
  }
  const applied = !request.dryRun && !outcome.refused;
  const report = buildReport({ ...base, applied, refused: outcome.refused, lines }, outcome.entities, issues);
  deps.logger?.info(
    {
      kind: report.kind,
      batch,
      dryRun: report.dryRun,
      applied,
      created: report.created,
      updated: report.updated,
      removed: report.removed,
      uncovered: report.uncovered,
      errors: issues.errors.length,
    },
    'import finished',
  );
  return report;
}
