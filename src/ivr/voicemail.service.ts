import type { Db } from '../platform/db/client.js';
import { groupedPerDb } from '../platform/db/grouped.js';
import { rows, sql } from '../platform/db/statements.js';
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
 * The recording on the case of the call's contact, once (a retried webhook finds it there). No
 * case: the call has none yet. The caller waits for it: the recordings of a burst's callers go
 * together, one statement for all those that come while the previous one is in PostgreSQL.
 */
function attachRecording(db: Db, voicemail: Voicemail): Promise<{ caseId: string | null; added: boolean }> {
  return attachAll(db, voicemail).then((attached) => attached ?? { caseId: null, added: false });
}

type Attached = { caseId: string | null; added: boolean };

const attachAll = groupedPerDb(
  async (db, voicemails: Voicemail[]) => {
    const input = voicemails.map((v) => ({
      call_sid: v.callSid,
      recording_url: v.recordingUrl,
      at: v.at,
      data: { recordingUrl: v.recordingUrl, durationSeconds: v.durationSeconds },
    }));
    const found = await rows<Attached & { callSid: string }>(
      db,
      sql`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
                        AS r(call_sid text, recording_url text, at timestamptz, data jsonb)
        ), target AS (
          SELECT i.call_sid, c.case_id, i.recording_url, i.at, i.data
          FROM input i JOIN contacts c ON c.provider_id = i.call_sid AND c.case_id IS NOT NULL
        ), added AS (
          INSERT INTO case_events (case_id, type, at, data)
          SELECT t.case_id, 'voicemail.recorded', t.at, t.data
          FROM target t
          WHERE NOT EXISTS (SELECT 1 FROM case_events e
                            WHERE e.case_id = t.case_id AND e.type = 'voicemail.recorded'
                              AND e.data->>'recordingUrl' = t.recording_url)
          RETURNING case_id
        )
        SELECT i.call_sid AS "callSid", t.case_id AS "caseId",
               EXISTS (SELECT 1 FROM added a WHERE a.case_id = t.case_id) AS added
        FROM input i LEFT JOIN target t ON t.call_sid = i.call_sid`,
    );
    return new Map(found.map(({ callSid, ...attached }) => [callSid, attached]));
  },
  (voicemail) => voicemail.callSid,
);

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
  // Every caller's last webhook, a burst's included: the ends that come while the previous
  // statement is in PostgreSQL go together in the next one.
  await recordCallEnds(db, {
    provider_id: callSid,
    at: startedAt,
    customer_id: customerId,
    details,
    created_at: at,
  });
}

type CallEndRow = {
  provider_id: string;
  at: Date;
  customer_id: string | null;
  details: object;
  created_at: Date;
};

const recordCallEnds = groupedPerDb(
  async (db, ends: CallEndRow[]) => {
    await rows(
      db,
      sql`
        INSERT INTO contacts (provider_id, direction, channel, at, customer_id, details, created_at)
        SELECT provider_id, 'INBOUND', 'PHONE', at, customer_id, details, created_at
        FROM jsonb_to_recordset(${JSON.stringify(ends)}::jsonb)
             AS r(provider_id text, at timestamptz, customer_id uuid, details jsonb, created_at timestamptz)
        ON CONFLICT (provider_id) DO UPDATE SET details = EXCLUDED.details`,
    );
    return new Map();
  },
  (end) => end.provider_id,
);

// What PostgreSQL could not take when it came (a message recorded, a call's end) is parked in
// Redis and filed by the maintenance worker once the database is back: the caller was told their
// message was recorded, and a call's trace is the contact centre's record of it.
const PARKED = 'voicemail:pending';
const PARKED_ENDS = 'call-end:pending';

export async function parkVoicemail(redis: Redis, voicemail: Voicemail): Promise<void> {
  await redis.lPush(PARKED, JSON.stringify(voicemail));
}

/** A call's end as `recordCallEnded` takes it. */
export interface CallEnd {
  state: CallState | null;
  callSid: string;
  status: string;
  durationSeconds: number;
  at: Date;
}

/** Records the call's end, or parks it when PostgreSQL cannot take it (false). */
export async function recordOrParkCallEnd(db: Db, redis: Redis, end: CallEnd): Promise<boolean> {
  try {
    await recordCallEnded(db, end.state, end.callSid, end.status, end.durationSeconds, end.at);
    return true;
  } catch {
    await redis.lPush(PARKED_ENDS, JSON.stringify(end));
    return false;
  }
}

/** Files what was parked, oldest first; stops at the first failure, leaving it for the next run. */
async function fileParked(redis: Redis, key: string, file: (raw: string) => Promise<void>): Promise<number> {
  let filed = 0;
  for (;;) {
    const raw = await redis.rPop(key);
    if (!raw) return filed;
    try {
      await file(raw);
      filed += 1;
    } catch (err) {
      await redis.rPush(key, raw); // back where it was, for the next run
      throw err;
    }
  }
}

export function fileParkedVoicemails(db: Db, redis: Redis, events: EventBus): Promise<number> {
  return fileParked(redis, PARKED, async (raw) => {
    const parked = JSON.parse(raw) as Voicemail & { at: string };
    await recordVoicemail(db, events, { ...parked, at: new Date(parked.at) });
  });
}

export function fileParkedCallEnds(db: Db, redis: Redis): Promise<number> {
  return fileParked(redis, PARKED_ENDS, async (raw) => {
    const end = JSON.parse(raw) as CallEnd & { at: string };
    await recordCallEnded(db, end.state, end.callSid, end.status, end.durationSeconds, new Date(end.at));
  });
}
