import type { Queue } from 'bullmq';
import type { FrenchCalendar } from '../calendar/french-calendar.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Locale, MessageChannel, MessageStatus } from '../generated/prisma/enums.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import { type Logger, maskPhone } from '../platform/logger.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { ChannelError, Channels, SendResult } from './channel.port.js';
import { markContactDetailFailing } from './contact-details.js';
import { attachProviderId } from './delivery-status.js';
import { statusesBefore } from './message-status.js';
import { isOptedOut } from './opt-outs.js';
import { nextSendingTime, type QuietHours, type QuietScope } from './quiet-hours.js';

// Every outbound SMS, call and e-mail is a row first, then a job. The row is the truth: a job
// that finds its row already sent does nothing, and a job whose previous attempt died after
// reaching the provider asks the provider before sending again.

export type OutboxQueues = Record<MessageChannel, Queue>;

/** A message the provider refused for good (landline, invalid, blocked): its sender may fall back. */
export interface FailedMessage {
  id: string;
  channel: MessageChannel;
  to: string;
  purpose: string;
  caseId: string | null;
  customerId: string | null;
  code: string;
}

export interface OutboxDeps {
  db: Db;
  queues: OutboxQueues;
  channels: Channels;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  publicBaseUrl: string;
  maxAttempts: number;
  backoffMs: number;
  quietHours: QuietHours;
  calendar: FrenchCalendar;
  /** Called once per message that failed for good, after the contact detail is marked failing. */
  onPermanentFailure?(message: FailedMessage): Promise<void>;
}

export interface NewMessage {
  channel: MessageChannel;
  to: string;
  body: string;
  purpose: string;
  essential?: boolean;
  subject?: string;
  html?: string;
  locale?: Locale;
  caseId?: string;
  customerId?: string;
  idempotencyKey?: string;
  notBefore?: Date;
  /** Voice: path (under PUBLIC_BASE_URL) of the TwiML the call plays. */
  twimlPath?: string;
  /**
   * When a non-essential message may not go: `nights-and-rest-days` by default (reminders),
   * `nights` for what must still go the same day. Essential messages ignore quiet hours.
   */
  quiet?: QuietScope;
}

export type DeliveryOutcome =
  | { outcome: 'sent'; providerId: string; reconciled: boolean }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'failed'; error: ChannelError };

export class TemporaryDeliveryError extends Error {
  constructor(readonly error: ChannelError) {
    super(`temporary delivery failure ${error.code}: ${error.message}`);
    this.name = 'TemporaryDeliveryError';
  }
}

export function sendJobId(messageId: string): string {
  return `send-${messageId}`;
}

export async function enqueueMessage(
  deps: OutboxDeps,
  input: NewMessage,
): Promise<{ id: string; created: boolean }> {
  const now = deps.clock.now();
  const essential = input.essential ?? false;
  // Quiet hours hold non-essential messages back until the next allowed time.
  const wanted = input.notBefore && input.notBefore > now ? input.notBefore : now;
  const notBefore = essential
    ? wanted
    : nextSendingTime(wanted, deps.quietHours, input.quiet ?? 'nights-and-rest-days', deps.calendar);
  const select = { id: true, channel: true, essential: true, notBefore: true, status: true } as const;
  let row: Sendable & { status: MessageStatus };
  let created = true;
  try {
    row = await deps.db.message.create({
      data: {
        direction: 'OUTBOUND',
        channel: input.channel,
        status: 'QUEUED',
        essential,
        purpose: input.purpose,
        to: input.to,
        body: input.body,
        subject: input.subject ?? null,
        html: input.html ?? null,
        locale: input.locale ?? 'fr',
        caseId: input.caseId ?? null,
        customerId: input.customerId ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        notBefore: notBefore > now ? notBefore : null,
        twimlUrl: input.twimlPath ? `${deps.publicBaseUrl}${input.twimlPath}` : null,
      },
      select,
    });
  } catch (err) {
    if (!(input.idempotencyKey && isUniqueViolation(err))) throw err;
    row = await deps.db.message.findUniqueOrThrow({
      where: { idempotencyKey: input.idempotencyKey },
      select,
    });
    created = false;
  }
  // Scheduling again a row still waiting is harmless (same job id). If Redis is away here the
  // row stays QUEUED and the outbox sweep enqueues it later.
  if (row.status === 'QUEUED') await scheduleSend(deps, row);
  return { id: row.id, created };
}

export interface Sendable {
  id: string;
  channel: MessageChannel;
  essential: boolean;
  notBefore: Date | null;
}

export async function scheduleSend(
  deps: Pick<OutboxDeps, 'queues' | 'clock' | 'maxAttempts' | 'backoffMs'>,
  message: Sendable,
): Promise<void> {
  const delay = message.notBefore ? Math.max(0, message.notBefore.getTime() - deps.clock.now().getTime()) : 0;
  await deps.queues[message.channel].add(
    'send',
    { messageId: message.id },
    {
      jobId: sendJobId(message.id),
      delay,
      // Jobs without a priority go first: pages and safety messages overtake a bulk of reminders.
      ...(message.essential ? {} : { priority: 10 }),
      attempts: deps.maxAttempts,
      backoff: { type: 'exponential', delay: deps.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  );
}

/** The job handler's one call. Throws TemporaryDeliveryError to have BullMQ retry with backoff. */
export async function deliverMessage(
  deps: OutboxDeps,
  messageId: string,
  isLastAttempt: boolean,
): Promise<DeliveryOutcome> {
  const message = await deps.db.message.findUnique({ where: { id: messageId } });
  if (!message) return { outcome: 'skipped', reason: 'message-not-found' };
  if (message.status !== 'QUEUED' && message.status !== 'SENDING')
    return { outcome: 'skipped', reason: `already-${message.status.toLowerCase()}` };

  if (message.channel === 'SMS' && !message.essential && (await isOptedOut(deps.db, message.to))) {
    await deps.db.message.updateMany({
      where: { id: messageId, status: { in: ['QUEUED', 'SENDING'] } },
      data: { status: 'CANCELED', errorCode: 'opted-out' },
    });
    deps.logger.info({ messageId }, 'not sent: the number opted out of non-essential SMS');
    return { outcome: 'skipped', reason: 'opted-out' };
  }

  const previousAttemptMayHaveSent = message.status === 'SENDING';
  const claimed = await deps.db.message.updateMany({
    where: { id: messageId, status: { in: ['QUEUED', 'SENDING'] } },
    data: { status: 'SENDING', attempts: { increment: 1 } },
  });
  if (claimed.count === 0) return { outcome: 'skipped', reason: 'claimed-elsewhere' };
  const log = deps.logger.child({ messageId, channel: message.channel, attempt: message.attempts + 1 });

  if (previousAttemptMayHaveSent) {
    const providerId = await findAtProvider(
      deps,
      message.channel,
      message.to,
      message.body,
      message.updatedAt,
    );
    if (providerId) {
      await recordSent(deps, messageId, providerId, 'SENT', message.caseId);
      log.info({ providerId }, 'previous attempt had reached the provider: recorded, not sent again');
      return { outcome: 'sent', providerId, reconciled: true };
    }
  }

  const result = await send(deps, message);
  if (result.outcome === 'sent') {
    await recordSent(deps, messageId, result.providerId, result.status, message.caseId);
    log.info({ providerId: result.providerId }, 'message handed to provider');
    return { outcome: 'sent', providerId: result.providerId, reconciled: false };
  }

  const { error } = result;
  if (error.permanent || isLastAttempt) {
    await deps.db.message.update({
      where: { id: messageId },
      data: { status: 'FAILED', errorCode: error.code, errorMessage: error.message.slice(0, 500) },
    });
    if (error.permanent) {
      await markContactDetailFailing(deps.db, message.channel, message.to);
      await deps.onPermanentFailure?.({
        id: messageId,
        channel: message.channel,
        to: message.to,
        purpose: message.purpose,
        caseId: message.caseId,
        customerId: message.customerId,
        code: error.code,
      });
    }
    await deps.events.publish({
      type: 'message.failed',
      data: {
        messageId,
        caseId: message.caseId,
        channel: message.channel,
        code: error.code,
        permanent: error.permanent,
      },
    });
    log.warn(
      { code: error.code, permanent: error.permanent, recipient: maskPhone(message.to) },
      'message failed',
    );
    return { outcome: 'failed', error };
  }
  log.warn({ code: error.code }, 'temporary failure, will retry');
  throw new TemporaryDeliveryError(error);
}

function send(
  deps: OutboxDeps,
  message: {
    id: string;
    channel: MessageChannel;
    to: string;
    body: string;
    subject: string | null;
    html: string | null;
    twimlUrl: string | null;
  },
): Promise<SendResult> {
  const base = deps.publicBaseUrl;
  switch (message.channel) {
    case 'SMS':
      return deps.channels.sms.send({
        messageId: message.id,
        to: message.to,
        body: message.body,
        statusCallbackUrl: `${base}/twilio/sms/status?messageId=${message.id}`,
      });
    case 'VOICE':
      return deps.channels.voice.call({
        messageId: message.id,
        to: message.to,
        body: message.body,
        twimlUrl: message.twimlUrl ?? `${base}/twilio/voice/outbound?messageId=${message.id}`,
        statusCallbackUrl: `${base}/twilio/voice/status?messageId=${message.id}`,
      });
    case 'EMAIL':
      return deps.channels.email.send({
        messageId: message.id,
        to: message.to,
        subject: message.subject ?? '',
        text: message.body,
        html: message.html ?? undefined,
      });
  }
}

async function findAtProvider(
  deps: OutboxDeps,
  channel: MessageChannel,
  to: string,
  body: string,
  since: Date,
): Promise<string | null> {
  try {
    if (channel === 'SMS') return await deps.channels.sms.findSent({ to, body, since });
    if (channel === 'VOICE') return await deps.channels.voice.findPlaced({ to, since });
    return null; // e-mail: the fixed Message-ID lets the receiving side de-duplicate
  } catch (err) {
    // Cannot tell whether it went out: better to wait than to page twice.
    throw new TemporaryDeliveryError({
      code: 'reconcile-failed',
      permanent: false,
      message: (err as Error).message,
    });
  }
}

async function recordSent(
  deps: OutboxDeps,
  messageId: string,
  providerId: string,
  next: MessageStatus,
  caseId: string | null,
): Promise<void> {
  await deps.db.message.updateMany({
    where: { id: messageId, status: { in: statusesBefore(next) } },
    data: { status: next, providerId, sentAt: deps.clock.now() },
  });
  // A status callback may have arrived first and moved the row further: keep its status, add the id.
  await attachProviderId(deps.db, messageId, providerId, { sentAt: deps.clock.now() });
  await deps.events.publish({
    type: 'message.status',
    data: { messageId, caseId, status: next, providerId },
  });
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}
