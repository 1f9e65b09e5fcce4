import type { Db } from '../platform/db/client.js';
import { row, sql } from '../platform/db/statements.js';

// The case a call opens, written while the caller waits for their next prompt: one statement
// (issue 24: the case, its first timeline event and the call's contact were six queries and a
// transaction, and their Prisma cost held up every caller of a burst).

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
 * case per call however many times the step runs). Returns it, and whether it is new.
 */
export async function openCallCase(
  db: Db,
  input: CallCase,
): Promise<{ id: string; number: number; created: boolean }> {
  const opened = await row<{ id: string; number: number; created: boolean }>(
    db,
    sql`
    WITH existing AS (
      SELECT c.id, c.number FROM contacts ct JOIN cases c ON c.id = ct.case_id
      WHERE ct.provider_id = ${input.callSid}
    ), opened AS (
      INSERT INTO cases (category, urgency, subject, description, details_to_check, customer_id,
                         agency_id, opened_at, updated_at)
      SELECT ${input.category}, ${input.urgent ? 'URGENT' : 'NORMAL'}::"Urgency", ${input.subject},
             ${input.description}, ${input.detailsToCheck}, ${input.customerId}::uuid,
             ${input.agencyId}::uuid, ${input.at}::timestamptz, ${input.at}::timestamptz
      WHERE NOT EXISTS (SELECT 1 FROM existing)
      RETURNING id, number
    ), received AS (
      INSERT INTO case_events (case_id, type, at, data)
      SELECT id, 'call.received', ${input.at}::timestamptz,
             CASE WHEN EXISTS (SELECT 1 FROM contracts
                               WHERE customer_id = ${input.customerId}::uuid AND service_contract)
                  THEN ${JSON.stringify(input.received.withServiceContract)}::jsonb
                  ELSE ${JSON.stringify(input.received.withoutServiceContract)}::jsonb END
      FROM opened
    ), contact AS (
      INSERT INTO contacts (provider_id, direction, channel, at, case_id, customer_id, details, created_at)
      SELECT ${input.callSid}, 'INBOUND', 'PHONE', ${input.startedAt}::timestamptz, id,
             ${input.customerId}::uuid, ${JSON.stringify(input.contactDetails)}::jsonb, ${input.at}::timestamptz
      FROM opened
      ON CONFLICT (provider_id) DO UPDATE SET case_id = EXCLUDED.case_id
    )
    SELECT id, number, true AS created FROM opened
    UNION ALL SELECT id, number, false FROM existing`,
  );
  if (!opened) throw new Error(`no case opened for call ${input.callSid}`);
  return opened;
}
