import type { Db } from '../platform/db/client.js';
import { groupedPerDb } from '../platform/db/grouped.js';
import { rows, sql } from '../platform/db/statements.js';
import type { WeeklyWindow } from './on-call-windows.js';

// What `route-on-call` reads and writes, each in one statement: the caller waits for it, and a
// burst of night calls is when callers come (issue 24: a Prisma query costs about 0.5-1 ms of
// CPU where this costs 0.3, and the routing was 7 queries and a transaction).

export interface RoutingContract {
  id: string;
  agencyId: string;
  onCallType: string | null;
  outOfHoursCoverage: boolean;
  individual77: boolean;
  agency: { timeZone: string; holidayCalendar: string };
  /** The agency's on-call windows of the contract's on-call type (all of them without one). */
  windows: WeeklyWindow[];
}

/**
 * The contract with its agency's calendar and on-call windows, or null. The callers routed while
 * the previous read is in PostgreSQL are read together in the next one.
 */
export async function routingContract(db: Db, contractId: string): Promise<RoutingContract | null> {
  return (await readContracts(db, contractId)) ?? null;
}

type ContractRow = Omit<RoutingContract, 'agency'> & { timeZone: string; holidayCalendar: string };

const readContracts = groupedPerDb(
  async (db, ids: string[]) => {
    const found = await rows<ContractRow>(
      db,
      sql`
    SELECT c.id, c.agency_id AS "agencyId", c.on_call_type AS "onCallType",
           c.out_of_hours_coverage AS "outOfHoursCoverage", c.individual_7_7 AS "individual77",
           a.time_zone AS "timeZone", a.holiday_calendar AS "holidayCalendar",
           COALESCE((SELECT json_agg(json_build_object('day', w.day, 'startMinute', w.start_minute,
                                                       'endMinute', w.end_minute))
                     FROM on_call_windows w
                     WHERE w.agency_id = a.id AND (c.on_call_type IS NULL OR w.on_call_type = c.on_call_type)),
                    '[]'::json) AS windows
    FROM contracts c JOIN agencies a ON a.id = c.agency_id
    WHERE c.id = ANY(${ids}::uuid[])`,
    );
    return new Map(
      found.map(({ timeZone, holidayCalendar, ...contract }) => [
        contract.id,
        { ...contract, agency: { timeZone, holidayCalendar } },
      ]),
    );
  },
  // PostgreSQL answers uuids in lower case.
  (id) => id.toLowerCase(),
);

export interface RoutingRecord {
  caseId: string;
  agencyId: string | null;
  at: Date;
  decision: Record<string, unknown>;
  /** Set when the agency handles the request itself: its next working day. */
  dueAt: Date | null;
  /** The page to create, if the decision pages someone. */
  page: {
    /** Chosen by the caller, who schedules the page's job meanwhile (a case's first decision creates it). */
    id: string;
    onCallType: string | null;
    decision: string;
    scheduledFor: Date;
    replyCode: string;
  } | null;
}

/**
 * Records the decision on the case's timeline, sets the case's agency (and due date) and creates
 * its page, in one statement; nothing when the case has a decision already (the same call's
 * webhook ran the action before: its decision stands). Returns the case's page id, if any. The
 * calls routed while the previous statement is in PostgreSQL are recorded together in the next.
 */
export async function recordRouting(db: Db, record: RoutingRecord): Promise<{ pageId: string | null }> {
  return { pageId: (await recordAll(db, record)) ?? null };
}

const recordAll = groupedPerDb(
  async (db, records: RoutingRecord[]) => {
    const input = records.map((r) => ({
      case_id: r.caseId,
      agency_id: r.agencyId,
      at: r.at,
      decision: r.decision,
      due_at: r.dueAt,
      page: r.page !== null,
      page_id: r.page?.id ?? null,
      on_call_type: r.page?.onCallType ?? null,
      page_decision: r.page?.decision ?? '',
      scheduled_for: r.page?.scheduledFor ?? r.at,
      reply_code: r.page?.replyCode ?? '',
    }));
    const found = await rows<{ caseId: string; pageId: string | null }>(
      db,
      sql`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS r(
            case_id uuid, agency_id uuid, at timestamptz, decision jsonb, due_at timestamptz,
            page boolean, page_id uuid, on_call_type text, page_decision text, scheduled_for timestamptz,
            reply_code text)
        ), first AS (
          SELECT i.* FROM input i
          WHERE NOT EXISTS (SELECT 1 FROM case_events e
                            WHERE e.case_id = i.case_id AND e.type = 'oncall.decision')
        ), decision AS (
          INSERT INTO case_events (case_id, type, at, data)
          SELECT case_id, 'oncall.decision', at, decision FROM first
        ), kase AS (
          UPDATE cases AS c SET agency_id = f.agency_id, updated_at = f.at, due_at = COALESCE(f.due_at, c.due_at)
          FROM first f WHERE c.id = f.case_id
        ), created AS (
          INSERT INTO pages (id, case_id, agency_id, on_call_type, decision, scheduled_for, reply_code,
                             created_at, updated_at)
          SELECT page_id, case_id, agency_id, on_call_type, page_decision, scheduled_for, reply_code, at, at
          FROM first WHERE page
          ON CONFLICT (case_id) DO NOTHING
          RETURNING id, case_id
        )
        SELECT i.case_id AS "caseId",
               COALESCE((SELECT id FROM created c WHERE c.case_id = i.case_id),
                        (SELECT id FROM pages p WHERE p.case_id = i.case_id)) AS "pageId"
        FROM input i`,
    );
    return new Map(found.map((f) => [f.caseId, f.pageId]));
  },
  // PostgreSQL answers uuids in lower case.
  (record) => record.caseId.toLowerCase(),
);
