import type { Db } from '../platform/db/client.js';
import { row, rows, sql } from '../platform/db/statements.js';
import type { Redis } from '../platform/redis.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { CallState } from './call-state.js';

export interface Voicemail {
  callSid: string;
  recordingUrl: string;
  durationSeconds: number;
  from: string | null;
  lineName: string;
  customerIds: string[];
  at: Date;
}

/**
 * A recorded message goes on the call's case: the one the flow opened, or a new voicemail case.
 * One per call and recording: the contact's provider id is the CallSid, so a retried webhook
 * finds them and does nothing more.
 */
export async function recordVoicemail(
  db: Db,
  events: EventBus,
  voicemail: Voicemail,
): Promise<{ caseId: string; created: boolean }> {
  const attached = await attachRecording(db, voicemail);
  if (attached.caseId) {
    if (attached.added)
      await events.publish({
        type: 'case.updated',
        data: { caseId: attached.caseId, event: 'voicemail.recorded' },
      });
    return { caseId: attached.caseId, created: false };
  }

  const customerId = voicemail.customerIds.length === 1 ? voicemail.customerIds[0]! : null;
  const opened = await db.$transaction(async (tx) => {
    const kase = await tx.case.create({
      data: {
        category: 'voicemail',
        subject: 'Message vocal',
        description: `Message laissé sur la ligne ${voicemail.lineName} (${voicemail.durationSeconds} s).`,
        customerId,
        events: {
          create: {
            type: 'voicemail.recorded',
            at: voicemail.at,
            data: { recordingUrl: voicemail.recordingUrl, durationSeconds: voicemail.durationSeconds },
          },
        },
      },
      select: { id: true, number: true },
    });
    await tx.contact.upsert({
      where: { providerId: voicemail.callSid },
      create: {
        providerId: voicemail.callSid,
        direction: 'INBOUND',
        channel: 'PHONE',
        at: voicemail.at,
        caseId: kase.id,
        customerId,
        details: {
          line: voicemail.lineName,
          from: voicemail.from,
          recordingUrl: voicemail.recordingUrl,
          candidates: voicemail.customerIds,
        },
      },
      update: { caseId: kase.id },
    });
    return kase;
  });
  await events.publish({
    type: 'case.opened',
    data: { caseId: opened.id, number: opened.number, category: 'voicemail', customerId },
  });
  return { caseId: opened.id, created: true };
}

/**
 * The recording on the case of the call's contact, once (a retried webhook finds it there), in
 * one statement: the caller waits for it. No case: the call has none yet.
 */
async function attachRecording(
  db: Db,
  voicemail: Voicemail,
): Promise<{ caseId: string | null; added: boolean }> {
  const data = { recordingUrl: voicemail.recordingUrl, durationSeconds: voicemail.durationSeconds };
  const attached = await row<{ caseId: string | null; added: boolean }>(
    db,
    sql`
    WITH target AS (
      SELECT case_id FROM contacts WHERE provider_id = ${voicemail.callSid} AND case_id IS NOT NULL
    ), added AS (
      INSERT INTO case_events (case_id, type, at, data)
      SELECT case_id, 'voicemail.recorded', ${voicemail.at}::timestamptz, ${JSON.stringify(data)}::jsonb
      FROM target
      WHERE NOT EXISTS (SELECT 1 FROM case_events e
                        WHERE e.case_id = target.case_id AND e.type = 'voicemail.recorded'
                          AND e.data->>'recordingUrl' = ${voicemail.recordingUrl})
      RETURNING case_id
    )
    SELECT (SELECT case_id FROM target) AS "caseId", EXISTS (SELECT 1 FROM added) AS added`,
  );
  return { caseId: attached?.caseId ?? null, added: attached?.added ?? false };
}

/** The trace every inbound call leaves, written when Twilio reports the call ended. */
export async function recordCallEnded(
  db: Db,
  state: CallState | null,
  callSid: string,
  status: string,
  durationSeconds: number,
  at: Date,
): Promise<void> {
  const details = {
    line: state?.line ?? null,
    from: state?.from ?? null,
    path: state?.path ?? [],
    inputs: state?.inputs ?? [],
    outcome: state?.outcome ?? null,
    endedAtStep: state?.step ?? null,
    status,
    durationSeconds,
    candidates: state?.customerIds ?? [],
  };
  const customerId = state?.customerIds.length === 1 ? state.customerIds[0]! : null;
  const startedAt = state ? new Date(state.startedAt) : at;
  // One statement: every caller's last webhook, a burst's included.
  await rows(
    db,
    sql`
    INSERT INTO contacts (provider_id, direction, channel, at, customer_id, details, created_at)
    VALUES (${callSid}, 'INBOUND', 'PHONE', ${startedAt}::timestamptz, ${customerId}::uuid,
            ${JSON.stringify(details)}::jsonb, ${at}::timestamptz)
    ON CONFLICT (provider_id) DO UPDATE SET details = EXCLUDED.details`,
  );
}

// A message recorded while PostgreSQL is away is parked in Redis and filed by the maintenance
// worker once the database is back: the caller was told it was recorded, so it must not be lost.
const PARKED = 'voicemail:pending';

export async function parkVoicemail(redis: Redis, voicemail: Voicemail): Promise<void> {
  await redis.lPush(PARKED, JSON.stringify(voicemail));
}

export async function fileParkedVoicemails(db: Db, redis: Redis, events: EventBus): Promise<number> {
  let filed = 0;
  for (;;) {
    const raw = await redis.rPop(PARKED);
    if (!raw) return filed;
    const parked = JSON.parse(raw) as Voicemail & { at: string };
    try {
      await recordVoicemail(db, events, { ...parked, at: new Date(parked.at) });
      filed += 1;
    } catch (err) {
      await redis.rPush(PARKED, raw); // back where it was, for the next run
      throw err;
    }
  }
}
