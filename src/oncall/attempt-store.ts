import type { PageTarget } from '../generated/prisma/enums.js';
import { insertMessagesFrom } from '../messaging/outbox.service.js';
import type { Db } from '../platform/db/client.js';
import { groupedPerDb } from '../platform/db/grouped.js';
import { composed, row, rows, sql } from '../platform/db/statements.js';
import { OPEN_PAGE_STATUSES } from './paging.deps.js';

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
  /** Chosen by the worker: its call's and SMS's idempotency keys and TwiML address name it. */
  id: string;
  pageId: string;
  caseId: string;
  number: number;
  startedAt: Date;
  target: PageTarget;
  technicianId: string | null;
  managerId: string | null;
  rotaId: string | null;
  mobile: string;
  /** Its call's and SMS's rows, named before they are written. */
  callMessageId: string;
  smsMessageId: string;
  /** The `page.attempt.started` event's data, written with the attempt. */
  timeline: Record<string, unknown>;
  /** The call's and the SMS's rows as `insertMessagesFrom` takes them (the call already claimed). */
  messages: unknown[];
}

/**
 * Creates the attempt with its call and SMS, marks the page PAGING and puts the attempt on the
 * case's timeline, in one statement, shared by the attempts a worker starts while the previous one
 * is in PostgreSQL (issue 24: a page's time was its round trips one after the other). Nothing is
 * written unless the page still wants this attempt (open, and not escalated past a technician);
 * `created` false when it does not, or when another worker created this attempt number first,
 * then with that attempt, if any.
 */
export async function startAttempt(
  db: Db,
  input: NewAttempt,
): Promise<{ attempt: AttemptRow; created: true } | { attempt: AttemptRow | null; created: false }> {
  const created = await startAttempts(db, input);
  if (created) return { attempt: created, created: true };
  // Another worker created it first; its insert may have committed while this statement waited
  // on it, after this statement's snapshot: read with a new one.
  const other = await row<AttemptRow>(
    db,
    sql`
    SELECT id, mobile, call_message_id AS "callMessageId", sms_message_id AS "smsMessageId"
    FROM page_attempts WHERE page_id = ${input.pageId}::uuid AND number = ${input.number}`,
  );
  return { attempt: other ?? null, created: false };
}

const startAttemptsStatement = composed(
  'start_page_attempts',
  `
  WITH asked AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS a(
      id uuid, page_id uuid, case_id uuid, number int, target text, technician_id uuid, manager_id uuid,
      rota_id uuid, mobile text, started_at timestamptz, call_message_id uuid, sms_message_id uuid,
      timeline jsonb)
  ), created AS (
    INSERT INTO page_attempts (id, page_id, number, target, technician_id, manager_id, rota_id, mobile,
                               started_at, call_message_id, sms_message_id)
    SELECT a.id, a.page_id, a.number, a.target::"PageTarget", a.technician_id, a.manager_id, a.rota_id,
           a.mobile, a.started_at, a.call_message_id, a.sms_message_id
    FROM asked a JOIN pages p ON p.id = a.page_id
    WHERE p.status IN (${OPEN_PAGE_STATUSES.map((s) => `'${s}'`).join(', ')})
      AND (a.target <> 'TECHNICIAN' OR p.escalated_at IS NULL)
    ON CONFLICT (page_id, number) DO NOTHING
    RETURNING id, mobile, call_message_id, sms_message_id
  ), paging AS (
    UPDATE pages p SET status = 'PAGING', updated_at = a.started_at
    FROM asked a JOIN created c ON c.id = a.id
    WHERE p.id = a.page_id
  ), started AS (
    INSERT INTO case_events (case_id, type, at, data)
    SELECT a.case_id, 'page.attempt.started', a.started_at, a.timeline
    FROM asked a JOIN created c ON c.id = a.id
  ), messages AS (${insertMessagesFrom(`(
    SELECT coalesce(jsonb_agg(m.value), '[]'::jsonb)
    FROM jsonb_array_elements($2::jsonb) m
    JOIN created c ON (m.value->>'id')::uuid IN (c.call_message_id, c.sms_message_id))`)})
  SELECT c.id, c.mobile, c.call_message_id AS "callMessageId", c.sms_message_id AS "smsMessageId"
  FROM created c`,
);

const startAttempts = groupedPerDb(
  async (db, asked: NewAttempt[]) => {
    const attempts = asked.map(({ timeline, messages: _messages, ...a }) => ({
      id: a.id,
      page_id: a.pageId,
      case_id: a.caseId,
      number: a.number,
      target: a.target,
      technician_id: a.technicianId,
      manager_id: a.managerId,
      rota_id: a.rotaId,
      mobile: a.mobile,
      started_at: a.startedAt,
      call_message_id: a.callMessageId,
      sms_message_id: a.smsMessageId,
      timeline,
    }));
    const created = await rows<AttemptRow>(
      db,
      startAttemptsStatement(JSON.stringify(attempts), JSON.stringify(asked.flatMap((a) => a.messages))),
    );
    return new Map(created.map((a) => [a.id, a]));
  },
  (attempt) => attempt.id,
);

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
