import type { Locale } from '../../generated/prisma/enums.js';
import type { Redis } from '../../platform/redis.js';
import { optIn, optOut } from '../opt-outs.js';
import { enqueueMessage, type OutboxDeps } from '../outbox.service.js';
import type { Templates } from '../templates.js';
import { parseReply } from './reply-keywords.js';

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
}

export interface ReplyTarget {
  kind: string;
  /** The items waiting for an answer from this number. */
  openItems(phone: string): Promise<OpenItem[]>;
  /** Applies the answer; returns the confirmation to send (template key and variables), or null. */
  answer(
    item: OpenItem,
    intent: 'yes' | 'no',
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
  const { intent, code } = parseReply(sms.body);
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

  const items = (await Promise.all(deps.targets.map((t) => t.openItems(sms.from)))).flat();
  if (items.length === 0) return 'nothing-open';
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

  if (chosen.length === 0 || (intent !== 'yes' && intent !== 'no'))
    return helpOnce('sms/reply-help', { choices, replyCode: items[0]!.replyCode }, 'helped');
  const customers = new Set(chosen.map((i) => i.customerId));
  // A household number shared by several customers: which one is answering?
  if (!code && customers.size > 1) return helpOnce('sms/reply-which', { choices }, 'asked-which');

  const item = chosen[0]!;
  const target = deps.targets.find((t) => t.kind === item.kind)!;
  const confirmation = await target.answer(item, intent);
  if (confirmation) await send(confirmation.template, item.locale, confirmation.vars ?? {});
  return 'answered';
}
