import type { Locale } from '../../generated/prisma/enums.js';
import type { Redis } from '../../platform/redis.js';
import { optIn, optOut } from '../opt-outs.js';
import { enqueueMessage, type OutboxDeps } from '../outbox.service.js';
import type { Templates } from '../templates.js';
import { parseReply, replyWords } from './reply-keywords.js';

// The inbound SMS router: a reply is matched to the open item it answers for that number (an
// alert, an appointment, a follow-up: each capability registers a ReplyTarget). A reference in
// the message ("OK 4821") picks one item; a bare reply answers the most recent. STOP and its
// kin opt the number out of non-essential messages, START (or ARRET NON) back in, both
// confirmed. A reply that cannot be understood, or a number shared by several customers that
// did not say which, gets one short help reply a day, never a loop.

export interface OpenItem {
  kind: string;
  id: string;
  customerId: string | null;
  replyCode: string;
  /** What the help reply names it by (meter serial, appointment date...). */
  label: string;
  openedAt: Date;
  locale: Locale;
  /** Numbered choices were offered ("reply 1, 2 or 3"): a bare number picks one. */
  choices?: number;
  /** Over (an appointment past or cancelled): answered only when nothing open is, to say so. */
  closed?: boolean;
}

/** What a reply asks of one item. */
export interface ItemReply {
  intent: 'yes' | 'no' | 'other' | 'pick' | 'unknown';
  /** The number picked, for `pick`. */
  choice?: number;
}

export interface ReplyTarget {
  kind: string;
  /** The items waiting for an answer from this number. */
  openItems(phone: string): Promise<OpenItem[]>;
  /** Words of this kind's replies beyond yes and no ("3" or "autre": another slot). */
  words?: Readonly<Record<string, 'other'>>;
  /** A bare reply is not guessed when several items of this kind are open: the code must say which. */
  codeWhenSeveral?: boolean;
  /**
   * Applies the answer; returns the confirmation to send (template key and variables), or null.
   * `sms` is the reply itself (its inbound contact is recorded under `messageSid`).
   */
  answer(
    item: OpenItem,
    reply: ItemReply,
    sms: { messageSid: string; body: string },
  ): Promise<{ template: string; vars?: Record<string, unknown> } | null>;
}

export interface ReplyRouterDeps {
  outbox: OutboxDeps;
  templates: Templates;
  redis: Redis;
  targets: readonly ReplyTarget[];
  clock: { now(): Date };
}

export type RouteOutcome =
  | 'opted-out'
  | 'opted-in'
  | 'answered'
  | 'helped'
  | 'asked-which'
  | 'nothing-open'
  | 'quiet';

const HELP_ONCE_SECONDS = 24 * 3600;

export async function routeReply(
  deps: ReplyRouterDeps,
  sms: { from: string; body: string; messageSid: string },
): Promise<RouteOutcome> {
  const extra = Object.assign({}, ...deps.targets.map((t) => t.words ?? {})) as Record<string, 'other'>;
  const { intent, code } = parseReply(sms.body, extra);
  const send = (template: string, locale: Locale, vars: Record<string, unknown> = {}, suffix = '') =>
    enqueueMessage(deps.outbox, {
      channel: 'SMS',
      to: sms.from,
      body: deps.templates.render(template, locale, vars),
      purpose: 'reply',
      // An answer to what the person just wrote: no reason to wait for the morning. The opt-out
      // confirmation must reach a number that has just opted out.
      essential: true,
      idempotencyKey: `reply-${sms.messageSid}${suffix}`,
    });

  if (intent === 'opt-out') {
    await optOut(deps.outbox.db, sms.from, sms.body.trim().slice(0, 40).toUpperCase(), deps.clock.now());
    await send('sms/opted-out', 'fr');
    return 'opted-out';
  }
  if (intent === 'opt-in') {
    await optIn(deps.outbox.db, sms.from);
    await send('sms/opted-in', 'fr');
    return 'opted-in';
  }

  const found = (await Promise.all(deps.targets.map((t) => t.openItems(sms.from)))).flat();
  if (found.length === 0) return 'nothing-open';
  // Items still open come first; a reply about one that is over gets told so only when nothing else is open.
  const open = found.filter((i) => !i.closed);
  const items = open.length > 0 ? open : found;
  items.sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime());
  const chosen = code ? items.filter((i) => i.replyCode === code) : items;
  const locale = items[0]!.locale;

  const helpOnce = async (template: string, vars: Record<string, unknown>, outcome: RouteOutcome) => {
    const first = await deps.redis.set(`reply-help:${sms.from}`, '1', { NX: true, EX: HELP_ONCE_SECONDS });
    if (first !== 'OK') return 'quiet';
    await send(template, locale, vars);
    return outcome;
  };
  const choices = items.map((i) => ({ code: i.replyCode, label: i.label }));
  if (chosen.length === 0)
    return helpOnce('sms/reply-help', { choices, replyCode: items[0]!.replyCode }, 'helped');

  const item = chosen[0]!;
  const target = deps.targets.find((t) => t.kind === item.kind)!;
  // A household number shared by several customers, or several items of a kind that needs the
  // code: which one is answering?
  const customers = new Set(chosen.map((i) => i.customerId));
  const sameKind = chosen.filter((i) => i.kind === item.kind && !i.closed).length;
  if (!code && (customers.size > 1 || (target.codeWhenSeveral && sameKind > 1)))
    return helpOnce('sms/reply-which', { choices }, 'asked-which');

  const choice = item.choices ? pickedNumber(sms.body) : null;
  const reply: ItemReply =
    choice !== null
      ? { intent: 'pick', choice }
      : { intent: intent === 'yes' || intent === 'no' || intent === 'other' ? intent : 'unknown' };
  if (reply.intent === 'unknown' && !item.closed)
    return helpOnce('sms/reply-help', { choices, replyCode: item.replyCode }, 'helped');
  const confirmation = await target.answer(item, reply, { messageSid: sms.messageSid, body: sms.body });
  if (confirmation) await send(confirmation.template, item.locale, confirmation.vars ?? {});
  return 'answered';
}

/** The one small number (1 to 9) a reply to numbered choices holds, the reference aside. */
function pickedNumber(body: string): number | null {
  const numbers = replyWords(body).filter((w) => /^\d$/.test(w));
  return numbers.length === 1 ? Number(numbers[0]) : null;
}
