import type { Locale } from '../generated/prisma/enums.js';
import { customerName, postalAddress } from '../identification/customer-identity.js';
import type { SentMessage } from '../messaging/outbox.service.js';
import { traceSentAsContact } from '../messaging/sent-contacts.js';
import { contractEndHandler, DEPARTURE_CONTRACT_END, DEPARTURE_LIABILITY } from './contract-end.js';
import { DEPARTURE_CALL, DEPARTURE_REMINDER, dateWords } from './departure-dates.js';
import { CUSTOMER_CONTACTS_SELECT, departureMessage, messageInTx } from './departure-messages.js';
import type { FollowUpDeps, Tx } from './follow-ups.deps.js';
import { timelineInTx } from './follow-ups.deps.js';
import type { TimerHandler } from './timers.js';

// [DP-2] What a departure's follow-ups do when they fire, in the transaction that claims them:
// the reminder is an outbox row (sent once committed) or, without e-mail nor mobile, a letter on
// the print list; the call is a task for agents (Departure.callDue).

async function departureOf(tx: Tx, caseId: string) {
  return tx.departure.findUniqueOrThrow({
    where: { caseId },
    include: {
      case: { select: { number: true, agencyId: true } },
      customer: {
        select: { ...CUSTOMER_CONTACTS_SELECT, addressLine: true, postcode: true, city: true },
      },
    },
  });
}

const reminder: TimerHandler = async (deps, tx, timer) => {
  const now = deps.clock.now();
  const departure = await departureOf(tx, timer.caseId);
  const { customer } = departure;
  const locale: Locale = customer.locale;
  const vars = {
    customerName: customerName(customer),
    address: postalAddress(customer),
    plannedDate: dateWords(departure.plannedDate, locale),
    caseNumber: departure.case.number,
  };
  const render = (name: string) => deps.templates.render(name, locale, vars);
  const input = departureMessage(render, 'departure-reminder', departure, customer, {
    purpose: DEPARTURE_REMINDER,
    locale,
    caseId: timer.caseId,
    customerId: departure.customerId,
    // Names the due time: a reminder re-armed by a moved date is a new message.
    idempotencyKey: `follow-up-${timer.id}-${timer.dueAt.getTime()}`,
  });
  const at = { caseId: timer.caseId, agencyId: departure.case.agencyId, at: now };
  if (!input) {
    // No e-mail nor mobile: the reminder is a letter, printed from the list of letters due.
    await tx.departure.update({ where: { caseId: timer.caseId }, data: { letterDue: true } });
    const letter = render('letters/departure-reminder');
    const after = await timelineInTx(tx, deps.events, { ...at, type: 'departure.letter-due', data: {} });
    return { data: { letter }, after };
  }
  const { messageId, send } = await messageInTx(deps, tx, input, now);
  const published = await timelineInTx(tx, deps.events, {
    ...at,
    type: 'departure.reminder',
    data: { channel: input.channel, ...(messageId ? { messageId } : {}) },
  });
  return {
    data: { channel: input.channel, messageId },
    async after() {
      await send();
      await published();
    },
  };
};

const call: TimerHandler = async (deps, tx, timer) => {
  const departure = await departureOf(tx, timer.caseId);
  await tx.departure.update({ where: { caseId: timer.caseId }, data: { callDue: true } });
  const after = await timelineInTx(tx, deps.events, {
    caseId: timer.caseId,
    agencyId: departure.case.agencyId,
    type: 'departure.call-due',
    at: deps.clock.now(),
    data: { mobile: departure.mobile ?? departure.customer.phones[0]?.e164 ?? null },
  });
  return { data: { callDue: true }, after };
};

export const DEPARTURE_HANDLERS: Readonly<Record<string, TimerHandler>> = {
  [DEPARTURE_REMINDER]: reminder,
  [DEPARTURE_CALL]: call,
  [DEPARTURE_CONTRACT_END]: contractEndHandler,
};

const SENT_SUMMARIES: Readonly<Record<string, string>> = {
  [DEPARTURE_REMINDER]: 'Relance après la date de départ prévue',
  [DEPARTURE_LIABILITY]: 'Départ confirmé : le client reste redevable jusqu’à la résiliation du contrat',
};

/** [DP-2] [DP-4] A reminder or a liability notice the provider took: an outbound contact on its case. */
export async function departureReminderSent(
  deps: Pick<FollowUpDeps, 'db' | 'clock'>,
  message: SentMessage,
): Promise<void> {
  const summary = SENT_SUMMARIES[message.purpose];
  if (!summary || !message.caseId) return;
  await traceSentAsContact(deps, { ...message, caseId: message.caseId }, summary);
}
