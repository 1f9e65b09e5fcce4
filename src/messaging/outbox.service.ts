import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { FrenchCalendar } from '../calendar/french-calendar.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Locale, MessageChannel, MessageStatus } from '../generated/prisma/enums.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import { grouped } from '../platform/db/grouped.js';
import { composed, rows as rowsOf, sql } from '../platform/db/statements.js';
import type { FaultPoints } from '../platform/fault-points.js';
import { type Logger, maskPhone } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { ChannelError, Channels, SendResult } from './channel.port.js';
import { markContactDetailFailing } from './contact-details.js';
import { type ProviderAcceptance, recordProviderAcceptances } from './delivery-status.js';
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
  /**
   * Asked just before a message goes out: the reason it is no longer worth sending (a page
   * already settled), or null. The message then ends CANCELLED with that reason, never sent late.
   */
  obsolete?(message: { id: string; purpose: string }): Promise<string | null>;
  /** Told once a message is with the provider (e.g. to trace it as an outbound contact on its case). */
  sent?(message: SentMessage): Promise<void>;
  /** Counts `deliverNow`'s sends (the send jobs count theirs in the worker). */
  metrics?: Pick<Metrics, 'messagesSent'>;
  /** Tests' crash points: outbox.after-claim, outbox.after-provider (src/platform/fault-points.ts). */
  faults?: FaultPoints;
}

/** A message the provider has taken. */
export interface SentMessage {
  id: string;
  channel: MessageChannel;
  to: string;
  purpose: string;
  caseId: string | null;
  customerId: string | null;
  providerId: string;
}

export interface NewMessage {
  /** Chosen by the sender when another row names the message before it is written (a page attempt). */
  id?: string;
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
  /** Its writer sends it itself right after (`deliverNow`): no send job unless it hands it over. */
  sentByWriter?: boolean;
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

/** A row still waiting after this long is sent again by the outbox sweep (a job lost with Redis). */
export const SWEEP_AFTER_MS = 60_000;
/**
 * A row claimed this recently and not recorded yet may still be on its way to the provider (its
 * request and answer, the SDK's own timeout included); an older one is stalled.
 */
const IN_FLIGHT_MS = 30_000;
/**
 * Twilio names a call's row in its 'initiated' callback within a second or two of creating it;
 * half a minute without one, the call does not exist (a page waiting longer risks its ack time).
 */
const CALLBACK_GRACE_MS = 30_000;
/** How young a row `deliverNow` claims: well inside the sweep's age, so the two never meet. */
const FRESH_FOR_MS = SWEEP_AFTER_MS / 2;

export function sendJobId(messageId: string): string {
  return `send-${messageId}`;
}

export async function enqueueMessage(
  deps: OutboxDeps,
  input: NewMessage,
): Promise<{ id: string; created: boolean }> {
  const select = { id: true, channel: true, essential: true, notBefore: true, status: true } as const;
  let row: Sendable & { status: MessageStatus };
  let created = true;
  try {
    row = await deps.db.message.create({ data: messageRow(deps, input, deps.clock.now()), select });
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

// Rows per INSERT: well under PostgreSQL's 65,535 bind parameters at 16 columns a row.
const BULK_CHUNK = 1000;

/**
 * Many messages at once (a capability that sends a batch: reminders, notices): one INSERT per
 * 1,000 rows and one Redis round trip per channel for their jobs, instead of two round trips per
 * message. The same rules as `enqueueMessage`, message by message: every row is written before
 * any job is added, an idempotency key already used (before, or earlier in the same batch) gives
 * the existing row with `created: false`. Results are in the order of `inputs`.
 */
export async function enqueueMessages(
  deps: OutboxDeps,
  inputs: NewMessage[],
): Promise<Array<{ id: string; created: boolean }>> {
  if (inputs.length === 0) return [];
  const now = deps.clock.now();
  // Ids chosen here (or by the sender), so that each input knows its row without relying on RETURNING's order.
  const rows = inputs.map((input) => ({ id: input.id ?? randomUUID(), ...messageRow(deps, input, now) }));
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += BULK_CHUNK) {
    const chunk = await insertMessages(deps.db, rows.slice(i, i + BULK_CHUNK));
    for (const { id } of chunk) inserted.add(id);
  }
  const keys = rows.flatMap((r) => (!inserted.has(r.id) && r.idempotencyKey ? [r.idempotencyKey] : []));
  const existing = new Map(
    (keys.length === 0
      ? []
      : await deps.db.message.findMany({
          where: { idempotencyKey: { in: keys } },
          select: {
            id: true,
            channel: true,
            essential: true,
            notBefore: true,
            status: true,
            idempotencyKey: true,
          },
        })
    ).map((row) => [row.idempotencyKey!, row]),
  );
  const results: Array<{ id: string; created: boolean }> = [];
  const toSchedule: Sendable[] = [];
  rows.forEach((row, i) => {
    const scheduled = !inputs[i]!.sentByWriter;
    if (inserted.has(row.id)) {
      results.push({ id: row.id, created: true });
      if (scheduled) toSchedule.push(row);
      return;
    }
    const found = row.idempotencyKey ? existing.get(row.idempotencyKey) : undefined;
    if (!found)
      throw new Error(`message to ${maskPhone(row.to)} neither inserted nor found by its idempotency key`);
    results.push({ id: found.id, created: false });
    if (scheduled && found.status === 'QUEUED') toSchedule.push(found);
  });
  await scheduleSends(deps, toSchedule);
  return results;
}

/**
 * The INSERT of new outbox rows given as a JSON array of `messageColumns` (`source`, an SQL
 * expression), those whose idempotency key is taken left out (only it can conflict: fresh ids, no
 * provider id yet); returns their ids. A fragment, so that a capability can write its messages in
 * its own statement (a page attempt, issue 24).
 */
export const insertMessagesFrom = (source: string) => `
    INSERT INTO messages (id, direction, channel, status, essential, purpose, "to", subject, body, html,
                          locale, case_id, customer_id, idempotency_key, not_before, twiml_url, attempts,
                          created_at, updated_at)
    SELECT id, direction::"Direction", channel::"MessageChannel", status::"MessageStatus", essential,
           purpose, "to", subject, body, html, locale::"Locale", case_id, customer_id, idempotency_key,
           not_before, twiml_url, coalesce(attempts, 0), created_at, updated_at
    FROM jsonb_to_recordset(${source}) AS r(
      id uuid, direction text, channel text, status text, essential boolean, purpose text, "to" text,
      subject text, body text, html text, locale text, case_id uuid, customer_id uuid,
      idempotency_key text, not_before timestamptz, twiml_url text, attempts int, created_at timestamptz,
      updated_at timestamptz)
    ON CONFLICT DO NOTHING
    RETURNING id`;

/**
 * New rows in one prepared statement. Every page wrote its call and SMS this way: Prisma's
 * `createManyAndReturn` cost the worker 3 ms of CPU and a transaction per page (issue 24).
 */
const insertMessagesStatement = composed('outbox_insert_messages', insertMessagesFrom('$1::jsonb'));

function insertMessages(db: Db, rows: Array<{ id: string } & ReturnType<typeof messageRow>>) {
  return rowsOf<{ id: string }>(db, insertMessagesStatement(JSON.stringify(rows.map(messageColumns))));
}

/** A row as `insertMessagesFrom` takes it. */
export const messageColumns = (row: { id: string } & ReturnType<typeof messageRow>) => ({
  id: row.id,
  direction: row.direction,
  channel: row.channel,
  status: row.status as MessageStatus,
  essential: row.essential,
  purpose: row.purpose,
  to: row.to,
  subject: row.subject,
  body: row.body,
  html: row.html,
  locale: row.locale,
  case_id: row.caseId,
  customer_id: row.customerId,
  idempotency_key: row.idempotencyKey,
  not_before: row.notBefore,
  twiml_url: row.twimlUrl,
  attempts: 0,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

/**
 * The row of a new message: QUEUED, held back by quiet hours when it is not essential. Exported for
 * a capability that writes it in its own transaction (then `scheduleSend` once committed; if that
 * never happens, the outbox sweep sends the row).
 */
export function messageRow(deps: OutboxDeps, input: NewMessage, now: Date) {
  const essential = input.essential ?? false;
  // Quiet hours hold non-essential messages back until the next allowed time.
  const wanted = input.notBefore && input.notBefore > now ? input.notBefore : now;
  const notBefore = essential
    ? wanted
    : nextSendingTime(wanted, deps.quietHours, input.quiet ?? 'nights-and-rest-days', deps.calendar);
  return {
    direction: 'OUTBOUND' as const,
    channel: input.channel,
    status: 'QUEUED' as const,
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
    // The service's time, not the process's: the sweep compares it with the clock.
    createdAt: now,
    updatedAt: now,
  };
}

export interface Sendable {
  id: string;
  channel: MessageChannel;
  essential: boolean;
  notBefore: Date | null;
}

type ScheduleDeps = Pick<OutboxDeps, 'queues' | 'clock' | 'maxAttempts' | 'backoffMs'>;

export async function scheduleSend(deps: ScheduleDeps, message: Sendable): Promise<void> {
  const { name, data, opts } = sendJob(deps, message);
  await deps.queues[message.channel].add(name, data, opts);
}

/** `scheduleSend` for many: one `addBulk` (one Redis round trip) per channel. */
export async function scheduleSends(deps: ScheduleDeps, messages: Sendable[]): Promise<void> {
  await Promise.all(
    (['VOICE', 'SMS', 'EMAIL'] as const).map(async (channel) => {
      const jobs = messages.filter((m) => m.channel === channel).map((m) => sendJob(deps, m));
      if (jobs.length > 0) await deps.queues[channel].addBulk(jobs);
    }),
  );
}

function sendJob(deps: ScheduleDeps, message: Sendable) {
  const delay = message.notBefore ? Math.max(0, message.notBefore.getTime() - deps.clock.now().getTime()) : 0;
  return {
    name: 'send',
    data: { messageId: message.id },
    opts: {
      jobId: sendJobId(message.id),
      delay,
      // Jobs without a priority go first: pages and safety messages overtake a bulk of reminders.
      ...(message.essential ? {} : { priority: 10 }),
      attempts: deps.maxAttempts,
      backoff: { type: 'exponential', delay: deps.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  };
}

/** The job handler's one call. Throws TemporaryDeliveryError to have BullMQ retry with backoff. */
export async function deliverMessage(
  deps: OutboxDeps,
  messageId: string,
  isLastAttempt: boolean,
): Promise<DeliveryOutcome> {
  // The claim reads the row and marks it SENDING in one statement; when it claims nothing, the
  // rare reasons (gone, already final, opted out) are looked for apart.
  let claim = await claimForSending(deps, messageId);
  if (!claim) {
    const skipped = await whyNotClaimed(deps, messageId);
    if (skipped) return skipped;
    // Claimable after all (e.g. opted back in between the two reads): once more, rather than drop it.
    claim = await claimForSending(deps, messageId);
    if (!claim)
      return (await whyNotClaimed(deps, messageId)) ?? { outcome: 'skipped', reason: 'claimed-elsewhere' };
  }
  return deliverClaimed(deps, claim, isLastAttempt);
}

/**
 * Sends at once a message its writer has just written with `sentByWriter` (a page's call: without
 * the wait of a send job in a queue busy with a burst, issue 24). It never races the message's send
 * job: it claims the row only while QUEUED and younger than half the sweep's age, and otherwise
 * (claimed by an earlier run of the writer that died, or old enough for the sweep) or after a
 * temporary failure hands it to its send job, which asks the provider before sending again. The
 * writer's job is what makes it durable: a writer that dies is run again and calls this again.
 */
export async function deliverNow(deps: OutboxDeps, message: Sendable): Promise<DeliveryOutcome> {
  const claim = await statementsOf(deps).claimFresh(message.id);
  return sendNowOrHandOver(deps, message, claim && (() => deliverClaimed(deps, claim, false)));
}

/** A message its writer inserts already claimed (`claimedAtWrite`) and sends with `deliverWritten`. */
export interface WrittenClaim {
  /** The row for `insertMessagesFrom`: SENDING, its first attempt. */
  columns: ReturnType<typeof messageColumns>;
  message: ClaimedMessage;
  sendable: Sendable;
}

/**
 * A message written claimed in its writer's own statement, which also checked that it is still
 * wanted (a page attempt's call: its attempt, the call's row and the claim are one statement, issue
 * 24). If the writer dies before sending, the row stays SENDING: its next run hands it to the send
 * job (`deliverNow` claims only QUEUED rows), which asks the provider before sending.
 */
export function claimedAtWrite(deps: OutboxDeps, input: NewMessage & { id: string }): WrittenClaim {
  const row = { id: input.id, ...messageRow(deps, input, deps.clock.now()) };
  const { channel, to, body, subject, html, twimlUrl, purpose, caseId, customerId } = row;
  return {
    columns: { ...messageColumns(row), status: 'SENDING', attempts: 1 },
    message: {
      id: row.id,
      channel,
      to,
      body,
      subject,
      html,
      twimlUrl,
      purpose,
      caseId,
      customerId,
      providerId: null,
      attempts: 1,
    },
    sendable: { id: row.id, channel, essential: row.essential, notBefore: row.notBefore },
  };
}

/** A message its writer inserts QUEUED in its own statement (`insertMessagesFrom`), then `scheduleSend`s. */
export function queuedAtWrite(
  deps: OutboxDeps,
  input: NewMessage & { id: string },
): Pick<WrittenClaim, 'columns' | 'sendable'> {
  const row = { id: input.id, ...messageRow(deps, input, deps.clock.now()) };
  return {
    columns: messageColumns(row),
    sendable: { id: row.id, channel: row.channel, essential: row.essential, notBefore: row.notBefore },
  };
}

/** Sends a message its writer's statement inserted claimed (`claimedAtWrite`); as `deliverNow` after its claim. */
export function deliverWritten(deps: OutboxDeps, written: WrittenClaim): Promise<DeliveryOutcome> {
  const claim = { message: written.message, writtenClaimed: true } as const;
  return sendNowOrHandOver(deps, written.sendable, () => deliverClaimed(deps, claim, false));
}

/** `send` if the message is claimed; its send job otherwise, or after a temporary failure. */
async function sendNowOrHandOver(
  deps: OutboxDeps,
  message: Sendable,
  send: (() => Promise<DeliveryOutcome>) | undefined,
): Promise<DeliveryOutcome> {
  if (send) {
    try {
      const result = await send();
      deps.metrics?.messagesSent.inc({ channel: message.channel, outcome: result.outcome });
      return result;
    } catch (err) {
      if (!(err instanceof TemporaryDeliveryError)) throw err;
      deps.metrics?.messagesSent.inc({ channel: message.channel, outcome: 'retry' });
    }
  }
  await scheduleSend(deps, message);
  return { outcome: 'skipped', reason: 'handed-to-send-job' };
}

async function deliverClaimed(
  deps: OutboxDeps,
  claim: Claim,
  isLastAttempt: boolean,
): Promise<DeliveryOutcome> {
  const { message } = claim;
  const messageId = message.id;
  // Claimed (SENDING), the provider not asked yet.
  deps.faults?.reach('outbox.after-claim');
  const log = () => deps.logger.child({ messageId, channel: message.channel, attempt: message.attempts });

  if ('previousStatus' in claim && claim.previousStatus === 'SENDING') {
    const providerId = await findOwnSend(deps, message, claim.previousUpdatedAt);
    if (providerId) {
      await recordSent(deps, messageId, providerId, 'SENT', message.caseId);
      await deps.sent?.({ ...message, providerId });
      log().info({ providerId }, 'previous attempt had reached the provider: recorded, not sent again');
      return { outcome: 'sent', providerId, reconciled: true };
    }
  }

  const obsolete = 'writtenClaimed' in claim ? null : await deps.obsolete?.(message);
  if (obsolete) {
    await deps.db.message.updateMany({
      where: { id: messageId, status: 'SENDING' },
      data: {
        status: 'CANCELED',
        errorCode: 'obsolete',
        errorMessage: obsolete,
        updatedAt: deps.clock.now(),
      },
    });
    log().info({ reason: obsolete }, 'not sent: no longer worth sending');
    return { outcome: 'skipped', reason: `obsolete: ${obsolete}` };
  }

  const result = await send(deps, message);
  if (result.outcome === 'sent') {
    // The provider took it; only the provider knows its sid yet.
    deps.faults?.reach('outbox.after-provider');
    await recordSent(deps, messageId, result.providerId, result.status, message.caseId);
    await deps.sent?.({ ...message, providerId: result.providerId });
    // Level checked first: a child logger per message costs more than the send's own logging.
    if (deps.logger.isLevelEnabled('info'))
      log().info({ providerId: result.providerId }, 'message handed to provider');
    return { outcome: 'sent', providerId: result.providerId, reconciled: false };
  }

  const { error } = result;
  if (error.permanent || isLastAttempt) {
    // The number is failing before the message reads FAILED: whoever sees the failure (a console,
    // the next message to this customer) finds the other channel to try.
    if (error.permanent) await markContactDetailFailing(deps.db, message.channel, message.to);
    await deps.db.message.update({
      where: { id: messageId },
      data: {
        status: 'FAILED',
        errorCode: error.code,
        errorMessage: error.message.slice(0, 500),
        updatedAt: deps.clock.now(),
      },
    });
    if (error.permanent) {
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
    log().warn(
      { code: error.code, permanent: error.permanent, recipient: maskPhone(message.to) },
      'message failed',
    );
    return { outcome: 'failed', error };
  }
  if (error.refused)
    // Not at the provider: the next attempt sends without a reconciliation (a list request per
    // retry would only add to the provider's load while it turns requests away).
    await deps.db.message.updateMany({
      where: { id: messageId, status: 'SENDING' },
      data: { status: 'QUEUED', updatedAt: deps.clock.now() },
    });
  log().warn({ code: error.code }, 'temporary failure, will retry');
  throw new TemporaryDeliveryError(error);
}

interface ClaimedMessage {
  id: string;
  channel: MessageChannel;
  to: string;
  body: string;
  subject: string | null;
  html: string | null;
  twimlUrl: string | null;
  purpose: string;
  caseId: string | null;
  customerId: string | null;
  /** Recorded by a status callback (its URL names the row) before the previous worker recorded the send. */
  providerId: string | null;
  /** Counting this one. */
  attempts: number;
}

type Claim =
  | { message: ClaimedMessage; previousStatus: MessageStatus; previousUpdatedAt: Date }
  /** Inserted claimed by its writer, whose statement checked that it is still wanted. */
  | { message: ClaimedMessage; writtenClaimed: true };

/**
 * Marks a waiting row SENDING (one more attempt) and returns it with the status it had: SENDING
 * means a previous attempt may have reached the provider. Claims nothing when the row is gone or
 * final, or when it is a non-essential SMS to a number that opted out.
 */
function claimForSending(deps: OutboxDeps, messageId: string): Promise<Claim | null> {
  return statementsOf(deps)
    .claim(messageId)
    .then((claim) => claim ?? null);
}

/**
 * The claims of many messages in one statement. Each row is locked before its previous status is
 * read (in id order, so two batches cannot deadlock), so two claims cannot both see it QUEUED,
 * and each row is claimed or not on its own conditions.
 */
async function claimAll(
  db: OutboxDeps['db'],
  ids: string[],
  now: Date,
  freshSince: Date | null = null,
): Promise<Map<string, Claim>> {
  const claimed = await rowsOf<ClaimedMessage & { previousStatus: MessageStatus; previousUpdatedAt: Date }>(
    db,
    sql`
    WITH previous AS (
      SELECT id, status, updated_at FROM messages WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE
    )
    UPDATE messages AS m
    SET status = 'SENDING', attempts = m.attempts + 1, updated_at = ${now}
    FROM previous
    WHERE m.id = previous.id
      AND previous.status IN ('QUEUED', 'SENDING')
      AND (${freshSince}::timestamptz IS NULL
           OR (previous.status = 'QUEUED' AND previous.updated_at >= ${freshSince}::timestamptz))
      AND NOT (m.channel = 'SMS' AND NOT m.essential
               AND EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.phone = m."to"))
    RETURNING m.id::text AS id, m.channel::text AS channel, m."to", m.body, m.subject, m.html,
              m.twiml_url AS "twimlUrl", m.purpose, m.case_id::text AS "caseId",
              m.customer_id::text AS "customerId", m.provider_id AS "providerId", m.attempts,
              previous.status::text AS "previousStatus", previous.updated_at AS "previousUpdatedAt"`,
  );
  return new Map(
    claimed.map(({ previousStatus, previousUpdatedAt, ...message }) => [
      message.id,
      { message, previousStatus, previousUpdatedAt },
    ]),
  );
}

// Group commit. Each claim and each record is a PostgreSQL statement and commit, and on these
// machines the round trip and the commit cost more CPU, in the worker and in PostgreSQL, than
// anything else a send does. The claims a worker process asks for while its previous claim is
// still in PostgreSQL wait for it, then go together as one statement (the same for records): a
// lone claim goes at once, and under load many messages share each statement. Every message still
// gets its own answer, and none is sent before the commit of its claim.
const statements = new WeakMap<
  OutboxDeps['db'],
  {
    claim(id: string): Promise<Claim | undefined>;
    claimFresh(id: string): Promise<Claim | undefined>;
    record(a: ProviderAcceptance): Promise<unknown>;
  }
>();

// One per database client, so per service: its clock is the service's one.
function statementsOf({ db, clock }: Pick<OutboxDeps, 'db' | 'clock'>) {
  let found = statements.get(db);
  if (!found) {
    found = {
      // The claim time is the service's time: a stalled send's check asks the provider from it.
      claim: grouped(
        (ids: string[]) => claimAll(db, ids, clock.now()),
        (id) => id,
      ),
      claimFresh: grouped(
        (ids: string[]) => {
          const now = clock.now();
          return claimAll(db, ids, now, new Date(now.getTime() - FRESH_FOR_MS));
        },
        (id) => id,
      ),
      record: grouped(
        (accepted: ProviderAcceptance[]) => recordProviderAcceptances(db, accepted).then(() => new Map()),
        (a) => a.messageId,
      ),
    };
    statements.set(db, found);
  }
  return found;
}

/** Why a claim took nothing (null: the row is claimable now). Cancels a message to an opted-out number. */
async function whyNotClaimed(deps: OutboxDeps, messageId: string): Promise<DeliveryOutcome | null> {
  const message = await deps.db.message.findUnique({
    where: { id: messageId },
    select: { status: true, channel: true, essential: true, to: true },
  });
  if (!message) return { outcome: 'skipped', reason: 'message-not-found' };
  if (message.status !== 'QUEUED' && message.status !== 'SENDING')
    return { outcome: 'skipped', reason: `already-${message.status.toLowerCase()}` };
  if (message.channel === 'SMS' && !message.essential && (await isOptedOut(deps.db, message.to))) {
    await deps.db.message.updateMany({
      where: { id: messageId, status: { in: ['QUEUED', 'SENDING'] } },
      data: { status: 'CANCELED', errorCode: 'opted-out', updatedAt: deps.clock.now() },
    });
    deps.logger.info({ messageId }, 'not sent: the number opted out of non-essential SMS');
    return { outcome: 'skipped', reason: 'opted-out' };
  }
  return null;
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

/**
 * What the previous attempt handed to the provider before its worker died, by identity, never by
 * resemblance: the sid a status callback already recorded on this very row (the callback URL names
 * it); else a message or call the provider lists to that number since the previous claim that no
 * other row has recorded as its own (a page's next attempt has the same body and number).
 */
async function findOwnSend(deps: OutboxDeps, message: ClaimedMessage, since: Date): Promise<string | null> {
  if (message.providerId) return message.providerId;
  let candidates: string[];
  try {
    if (message.channel === 'SMS')
      candidates = await deps.channels.sms.listSent({ to: message.to, body: message.body, since });
    else if (message.channel === 'VOICE')
      candidates = await deps.channels.voice.listPlaced({ to: message.to, since });
    else return null; // e-mail: the fixed Message-ID lets the receiving side de-duplicate
  } catch (err) {
    // Cannot tell whether it went out: better to wait than to page twice.
    throw new TemporaryDeliveryError({
      code: 'reconcile-failed',
      permanent: false,
      message: (err as Error).message,
    });
  }
  if (candidates.length === 0) return null;
  // A call is known by its number and time only. While another row to the same number is being
  // sent (claimed lately, its sid not recorded yet), its call looks like this row's: rather than
  // take it, wait for Twilio's status callbacks, which name the row they are about ('initiated' as
  // soon as the call exists; the claim reads the sid they recorded). None in half a minute: this
  // row's call was never created. (The night storm, issue 20: the regional manager's number, paged
  // for many cases at once, got one call twice and another never.)
  if (message.channel === 'VOICE') {
    const inFlight = await deps.db.message.count({
      where: {
        id: { not: message.id },
        channel: 'VOICE',
        to: message.to,
        status: 'SENDING',
        providerId: null,
        updatedAt: { gt: new Date(deps.clock.now().getTime() - IN_FLIGHT_MS) },
      },
    });
    if (inFlight > 0 && deps.clock.now().getTime() - since.getTime() >= CALLBACK_GRACE_MS) return null;
    if (inFlight > 0) {
      // The next try counts from the first claim, not from this one (the grace, the list's window).
      await deps.db.message.updateMany({
        where: { id: message.id, status: 'SENDING' },
        data: { updatedAt: since },
      });
      throw new TemporaryDeliveryError({
        code: 'reconcile-ambiguous',
        permanent: false,
        message: `${inFlight} other call(s) to this number being placed: waiting for Twilio's callbacks`,
      });
    }
  }
  const others = await deps.db.message.findMany({
    where: { providerId: { in: candidates }, id: { not: message.id } },
    select: { providerId: true },
  });
  const taken = new Set(others.map((o) => o.providerId));
  // Oldest first: of two sends of this row's, the first is the one the previous attempt made.
  return [...candidates].reverse().find((sid) => !taken.has(sid)) ?? null;
}

async function recordSent(
  deps: OutboxDeps,
  messageId: string,
  providerId: string,
  next: MessageStatus,
  caseId: string | null,
): Promise<void> {
  // Moves the status forward and records the provider's id; when a status callback arrived first
  // and moved the row further, keeps its status and only adds the id (one statement).
  await statementsOf(deps).record({ messageId, providerId, next, at: deps.clock.now() });
  await deps.events.publish({
    type: 'message.status',
    data: { messageId, caseId, status: next, providerId },
  });
}

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}
