import type { Db } from '../platform/db/client.js';
import { row, sql } from '../platform/db/statements.js';
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

/** The contract with its agency's calendar and on-call windows, or null. */
export async function routingContract(db: Db, contractId: string): Promise<RoutingContract | null> {
  const found = await row<Omit<RoutingContract, 'agency'> & { timeZone: string; holidayCalendar: string }>(
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
    WHERE c.id = ${contractId}::uuid`,
  );
  if (!found) return null;
  const { timeZone, holidayCalendar, ...contract } = found;
  return { ...contract, agency: { timeZone, holidayCalendar } };
}

export interface RoutingRecord {
  caseId: string;
  agencyId: string | null;
  at: Date;
  decision: Record<string, unknown>;
  /** Set when the agency handles the request itself: its next working day. */
  dueAt: Date | null;
  /** The page to create, if the decision pages someone. */
  page: { onCallType: string | null; decision: string; scheduledFor: Date; replyCode: string } | null;
}

/**
 * Records the decision on the case's timeline, sets the case's agency (and due date) and creates
 * its page, in one statement; nothing when the case has a decision already (the same call's
 * webhook ran the action before: its decision stands). Returns the case's page id, if any.
 */
export async function recordRouting(db: Db, record: RoutingRecord): Promise<{ pageId: string | null }> {
  const { caseId, at, page } = record;
  const recorded = await row<{ pageId: string | null }>(
    db,
    sql`
    WITH first AS (
      SELECT 1 WHERE NOT EXISTS (
        SELECT 1 FROM case_events WHERE case_id = ${caseId}::uuid AND type = 'oncall.decision')
    ), decision AS (
      INSERT INTO case_events (case_id, type, at, data)
      SELECT ${caseId}::uuid, 'oncall.decision', ${at}::timestamptz, ${JSON.stringify(record.decision)}::jsonb
      FROM first
    ), kase AS (
      UPDATE cases SET agency_id = ${record.agencyId}::uuid, updated_at = ${at}::timestamptz,
                       due_at = COALESCE(${record.dueAt}::timestamptz, due_at)
      WHERE id = ${caseId}::uuid AND EXISTS (SELECT 1 FROM first)
    ), created AS (
      INSERT INTO pages (case_id, agency_id, on_call_type, decision, scheduled_for, reply_code,
                         created_at, updated_at)
      SELECT ${caseId}::uuid, ${record.agencyId}::uuid, ${page?.onCallType ?? null}::text,
             ${page?.decision ?? ''}::text, ${page?.scheduledFor ?? at}::timestamptz,
             ${page?.replyCode ?? ''}::text, ${at}::timestamptz, ${at}::timestamptz
      FROM first WHERE ${page !== null}::boolean
      ON CONFLICT (case_id) DO NOTHING
      RETURNING id
    )
    SELECT COALESCE((SELECT id FROM created), (SELECT id FROM pages WHERE case_id = ${caseId}::uuid)) AS "pageId"`,
  );
  return { pageId: recorded?.pageId ?? null };
}
