import type { Db } from '../platform/db/client.js';
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
  const existing = await db.contact.findUnique({
    where: { providerId: voicemail.callSid },
    select: { caseId: true },
  });
  if (existing?.caseId) {
    await attachRecording(db, events, existing.caseId, voicemail);
    return { caseId: existing.caseId, created: false };
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

async function attachRecording(db: Db, events: EventBus, caseId: string, voicemail: Voicemail) {
  const data = { recordingUrl: voicemail.recordingUrl, durationSeconds: voicemail.durationSeconds };
  const already = await db.caseEvent.findFirst({
    where: {
      caseId,
      type: 'voicemail.recorded',
      data: { path: ['recordingUrl'], equals: voicemail.recordingUrl },
    },
    select: { id: true },
  });
  if (already) return;
  await db.caseEvent.create({ data: { caseId, type: 'voicemail.recorded', at: voicemail.at, data } });
  await events.publish({ type: 'case.updated', data: { caseId, event: 'voicemail.recorded' } });
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
  await db.contact.upsert({
    where: { providerId: callSid },
    create: {
      providerId: callSid,
      direction: 'INBOUND',
      channel: 'PHONE',
      at: state ? new Date(state.startedAt) : at,
      customerId,
      details,
    },
    update: { details },
  });
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
