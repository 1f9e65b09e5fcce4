import type { FrenchCalendar } from '../calendar/french-calendar.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { ColumnSpec, CsvRow } from './csv-reader.js';
import type { EntityCounts, ImportKind, Issues } from './import-report.js';

// The shape every kind of import has: read the rows, compare them with what is stored (inside
// the import's transaction), say what would change, and apply it only when asked.

export type Tx = Prisma.TransactionClient;

export interface PlanContext {
  issues: Issues;
  now: Date;
  /** Default time zone (TZ_DEFAULT) for regions; agencies carry their own. */
  zone: string;
  calendar: FrenchCalendar;
  batch: string;
  /** Apply even what looks like a mistake (an eligibility file uncovering too many contracts). */
  force: boolean;
  maxUncoverPercent: number;
  /** READINGS_MAX_DAILY_LITRES: a larger daily volume in a readings file is an error of its line. */
  readingsMaxDailyLitres: number;
}

export interface ImportPlan {
  /** What applying would do, per kind of row, counting only the parts without errors. */
  entities: Record<string, EntityCounts>;
  /** Parts (lines, agencies, rota sets) free of errors, which `apply` writes. */
  applicable: number;
  apply(tx: Tx): Promise<AppliedChanges>;
}

export interface AppliedChanges {
  /** Numbers added to or removed from customers: the phone index re-reads them. */
  phones: string[];
  /** Technicians no longer available then (new absences, off the field roster): their appointments move. */
  unavailable?: TechnicianUnavailability[];
  /** Contracts ended or new at a supply point: the follow-ups act on them in the same transaction. */
  contracts?: ContractChanges;
}

/** What a contract import changed that the case follow-ups act on ([DP-4], [DP-5]). */
export interface ContractChanges {
  /** Contracts given an end day, or another one. */
  ended: string[];
  /** Contracts new at a supply point (created there, or moved there) and not ended: subscriptions. */
  subscribed: Array<{ contractId: string; reference: string; customerId: string; supplyPointId: string }>;
}

export interface TechnicianUnavailability {
  technicianId: string;
  startsAt: Date;
  endsAt: Date;
  reason?: string;
}

export interface Importer {
  kind: ImportKind;
  columns: readonly ColumnSpec[];
  /**
   * True when the file replaces the previous one as a whole (eligibility): any error refuses it.
   * Otherwise the parts with errors are left as they were and the others are applied.
   */
  wholeFile: boolean;
  plan(tx: Tx, rows: readonly CsvRow[], ctx: PlanContext): Promise<ImportPlan>;
}

/** `where: { field: { in: values } }` in slices, so a big file never hits PostgreSQL's parameter limit. */
export async function inChunks<T, R>(
  values: readonly T[],
  fetch: (chunk: T[]) => Promise<R[]>,
  size = 5000,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < values.length; i += size) results.push(...(await fetch(values.slice(i, i + size))));
  return results;
}

/** The fields of `desired` that are given (not undefined) and differ from `stored`. */
export function changedFields<T extends object>(stored: T, desired: Partial<T>): Partial<T> {
  const changes: Partial<T> = {};
  for (const [key, value] of Object.entries(desired) as Array<[keyof T, T[keyof T] | undefined]>)
    if (value !== undefined && value !== stored[key]) changes[key] = value;
  return changes;
}

export const isEmpty = (o: object) => Object.keys(o).length === 0;
