import { randomUUID } from 'node:crypto';
import type { Db } from '../platform/db/client.js';
import { groupedPerDb } from '../platform/db/grouped.js';
import { rows, sql } from '../platform/db/statements.js';

// The case a call opens, written while the caller waits for their next prompt: one statement
// (issue 24: the case, its first timeline event and the call's contact were six queries and a
// transaction, and their Prisma cost held up every caller of a burst), shared by the callers of a
// burst who come at the same moment.

export interface CallCase {
  callSid: string;
  /** The call's start (the contact's time). */
  startedAt: Date;
  at: Date;
  category: string;
  urgent: boolean;
  subject: string;
  description: string;
  detailsToCheck: boolean;
  customerId: string | null;
  agencyId: string | null;
  /** The `call.received` event's data, with the checklist for a customer with and without a service contract. */
  received: { withServiceContract: object; withoutServiceContract: object };
  contactDetails: object;
}

/**
 * Opens the call's case, unless the call has one (its contact's provider id is the CallSid: one
 * case per call however many times the step runs). Returns it, and whether it is new. The calls
 * that open their case while the previous statement is in PostgreSQL open theirs together in the
 * next one.
 */
export async function openCallCase(
  db: Db,
  input: CallCase,
): Promise<{ id: string; number: number; created: boolean }> {
  const opened = await openAll(db, input);
  if (!opened) throw new Error(`no case opened for call ${input.callSid}`);
  return opened;
}

type Opened = { id: string; number: number; created: boolean };

const openAll = groupedPerDb(
  async (db, inputs: CallCase[]) => {
    // The new cases' ids are chosen here, so that each call knows its row.
    const rowsIn = inputs.map((i) => ({
      call_sid: i.callSid,
      case_id: randomUUID(),
      started_at: i.startedAt,
      at: i.at,
      category: i.category,
      urgent: i.urgent,
      subject: i.subject,
      description: i.description,
      details_to_check: i.detailsToCheck,
      customer_id: i.customerId,
      agency_id: i.agencyId,
      received_with: i.received.withServiceContract,
      received_without: i.received.withoutServiceContract,
      contact_details: i.contactDetails,
    }));
    const found = await rows<Opened & { callSid: string }>(
      db,
      sql`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(rowsIn)}::jsonb) AS r(
            call_sid text, case_id uuid, started_at timestamptz, at timestamptz, category text,
            urgent boolean, subject text, description text, details_to_check boolean,
            customer_id uuid, agency_id uuid, received_with jsonb, received_without jsonb,
            contact_details jsonb)
        ), existing AS (
          SELECT i.call_sid, c.id, c.number
          FROM input i JOIN contacts ct ON ct.provider_id = i.call_sid JOIN cases c ON c.id = ct.case_id
        ), fresh AS (
          SELECT i.* FROM input i WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.call_sid = i.call_sid)
        ), opened AS (
          INSERT INTO cases (id, category, urgency, subject, description, details_to_check, customer_id,
                             agency_id, opened_at, updated_at)
          SELECT case_id, category, (CASE WHEN urgent THEN 'URGENT' ELSE 'NORMAL' END)::"Urgency", subject,
                 description, details_to_check, customer_id, agency_id, at, at
          FROM fresh
          RETURNING id, number
        ), received AS (
          INSERT INTO case_events (case_id, type, at, data)
          SELECT f.case_id, 'call.received', f.at,
                 CASE WHEN EXISTS (SELECT 1 FROM contracts
                                   WHERE customer_id = f.customer_id AND service_contract)
                      THEN f.received_with ELSE f.received_without END
          FROM fresh f
        ), contact AS (
          INSERT INTO contacts (provider_id, direction, channel, at, case_id, customer_id, details, created_at)
          SELECT f.call_sid, 'INBOUND', 'PHONE', f.started_at, f.case_id, f.customer_id, f.contact_details, f.at
          FROM fresh f
          ON CONFLICT (provider_id) DO UPDATE SET case_id = EXCLUDED.case_id
        )
        SELECT f.call_sid AS "callSid", o.id, o.number, true AS created
        FROM fresh f JOIN opened o ON o.id = f.case_id
        UNION ALL SELECT call_sid, id, number, false FROM existing`,
    );
    return new Map(found.map(({ callSid, ...opened }) => [callSid, opened]));
  },
  (input) => input.callSid,
);
