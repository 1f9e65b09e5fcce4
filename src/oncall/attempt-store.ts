import type { PageTarget } from '../generated/prisma/enums.js';
import type { Db } from '../platform/db/client.js';
import { groupedPerDb } from '../platform/db/grouped.js';
import { row, rows, sql } from '../platform/db/statements.js';

// What a page attempt reads and writes on its way to the technician's phone, a statement each:
// a burst of night calls ends in a burst of pages (issue 24: this path was about twenty Prisma
// queries and two transactions per page).

export interface AttemptRow {
  id: string;
  mobile: string;
  callMessageId: string | null;
  smsMessageId: string | null;
}

export interface PageForAttempt {
  id: string;
  caseId: string;
  agencyId: string | null;
  onCallType: string | null;
  decision: string;
  status: string;
  replyCode: string;
  escalatedAt: Date | null;
  /** This attempt, if a worker created it already. */
  attempt: AttemptRow | null;
  /** The active technician on the agency's rota at that instant (of the page's on-call type, if any). */
  onRota: RotaTechnician | null;
}

export interface RotaTechnician {
  rotaId: string;
  technicianId: string;
  mobile: string;
  name: string;
}

/**
 * The page, this attempt if it exists, and who is on the agency's rota at `now`: one statement,
 * shared by the attempts a worker starts while the previous read is in PostgreSQL (a burst's pages).
 */
export async function pageForAttempt(
  db: Db,
  pageId: string,
  number: number,
  now: Date,
): Promise<PageForAttempt | null> {
  return (await readPagesForAttempts(db, { pageId, number, now })) ?? null;
}

type PageForAttemptRow = Omit<PageForAttempt, 'attempt' | 'onRota'> & {
  number: number;
  attemptId: string | null;
} & Omit<AttemptRow, 'id'> & {
    rotaId: string | null;
    technicianId: string | null;
    technicianMobile: string | null;
    technicianName: string | null;
  };

const attemptKey = (pageId: string, number: number) => `${pageId}/${number}`;

const readPagesForAttempts = groupedPerDb(
  async (db, asked: Array<{ pageId: string; number: number; now: Date }>) => {
    const found = await rows<PageForAttemptRow>(
      db,
      sql`
      SELECT p.id, q.number, p.case_id AS "caseId", p.agency_id AS "agencyId", p.on_call_type AS "onCallType",
             p.decision, p.status::text AS status, p.reply_code AS "replyCode", p.escalated_at AS "escalatedAt",
             a.id AS "attemptId", a.mobile, a.call_message_id AS "callMessageId",
             a.sms_message_id AS "smsMessageId", rota.id AS "rotaId", rota.technician_id AS "technicianId",
             rota.mobile AS "technicianMobile", rota.name AS "technicianName"
      FROM unnest(${asked.map((a) => a.pageId)}::uuid[], ${asked.map((a) => a.number)}::int[],
                  ${asked.map((a) => a.now)}::timestamptz[]) AS q(page_id, number, at)
      JOIN pages p ON p.id = q.page_id
      LEFT JOIN page_attempts a ON a.page_id = p.id AND a.number = q.number
      LEFT JOIN LATERAL (
        SELECT r.id, t.id AS technician_id, t.mobile, t.first_name || ' ' || t.last_name AS name
        FROM technician_rotas r JOIN technicians t ON t.id = r.technician_id
        WHERE r.agency_id = p.agency_id AND r.starts_at <= q.at AND r.ends_at > q.at AND t.active
          AND (p.on_call_type IS NULL OR r.on_call_type = p.on_call_type)
        ORDER BY r.starts_at DESC
        LIMIT 1) rota ON true`,
    );
    return new Map(found.map((r) => [attemptKey(r.id, r.number), toPageForAttempt(r)]));
  },
  (asked) => attemptKey(asked.pageId, asked.number),
);

function toPageForAttempt(found: PageForAttemptRow): PageForAttempt {
  const {
    number: _number,
    attemptId,
    mobile,
    callMessageId,
    smsMessageId,
    rotaId,
    technicianId,
    technicianMobile,
    technicianName,
    ...page
  } = found;
  return {
    ...page,
    attempt: attemptId ? { id: attemptId, mobile, callMessageId, smsMessageId } : null,
    onRota:
      rotaId && technicianId
        ? { rotaId, technicianId, mobile: technicianMobile ?? '', name: technicianName ?? '' }
        : null,
  };
}

export interface NewAttempt {
  pageId: string;
  caseId: string;
  number: number;
  startedAt: Date;
  target: PageTarget;
  technicianId: string | null;
  managerId: string | null;
  rotaId: string | null;
  mobile: string;
  /** Its call's and SMS's rows, named before they are written (the outbox writes them next). */
  callMessageId: string;
  smsMessageId: string;
  /** The `page.attempt.started` event's data, written with the attempt. */
  timeline: Record<string, unknown>;
}

/**
 * Creates the attempt (naming its call and SMS), marks the page PAGING and puts the attempt on the
 * case's timeline, in one statement; `created` false when another worker created this attempt number first (it records
 * it), with that attempt.
 */
export async function startAttempt(
  db: Db,
  input: NewAttempt,
): Promise<{ attempt: AttemptRow; created: boolean }> {
  const created = await row<AttemptRow>(
    db,
    sql`
    WITH created AS (
      INSERT INTO page_attempts (page_id, number, target, technician_id, manager_id, rota_id, mobile, started_at,
                                 call_message_id, sms_message_id)
      VALUES (${input.pageId}::uuid, ${input.number}, ${input.target}::"PageTarget", ${input.technicianId}::uuid,
              ${input.managerId}::uuid, ${input.rotaId}::uuid, ${input.mobile}, ${input.startedAt}::timestamptz,
              ${input.callMessageId}::uuid, ${input.smsMessageId}::uuid)
      ON CONFLICT (page_id, number) DO NOTHING
      RETURNING id, mobile, call_message_id AS "callMessageId", sms_message_id AS "smsMessageId"
    ), paging AS (
      UPDATE pages SET status = 'PAGING', updated_at = ${input.startedAt}::timestamptz
      WHERE id = ${input.pageId}::uuid AND EXISTS (SELECT 1 FROM created)
    ), started AS (
      INSERT INTO case_events (case_id, type, at, data)
      SELECT ${input.caseId}::uuid, 'page.attempt.started', ${input.startedAt}::timestamptz,
             ${JSON.stringify(input.timeline)}::jsonb
      FROM created
    )
    SELECT * FROM created`,
  );
  if (created) return { attempt: created, created: true };
  // Another worker created it first; its insert may have committed while this statement waited
  // on it, after this statement's snapshot: read with a new one.
  const other = await row<AttemptRow>(
    db,
    sql`
    SELECT id, mobile, call_message_id AS "callMessageId", sms_message_id AS "smsMessageId"
    FROM page_attempts WHERE page_id = ${input.pageId}::uuid AND number = ${input.number}`,
  );
  if (!other) throw new Error(`attempt ${input.number} of page ${input.pageId} neither created nor found`);
  return { attempt: other, created: false };
}

export async function attachAttemptMessages(
  db: Db,
  attemptId: string,
  callMessageId: string,
  smsMessageId: string,
): Promise<void> {
  await rows(
    db,
    sql`
    UPDATE page_attempts SET call_message_id = ${callMessageId}::uuid, sms_message_id = ${smsMessageId}::uuid
    WHERE id = ${attemptId}::uuid`,
  );
}
