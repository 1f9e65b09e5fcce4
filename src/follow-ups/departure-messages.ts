import { messageRow, type NewMessage, scheduleSend } from '../messaging/outbox.service.js';
import type { FollowUpDeps, Tx } from './follow-ups.deps.js';

// A departure's messages to the customer (the reminder [DP-2], the liability notice [DP-4]): by
// e-mail, else by SMS, to the details given when announcing the move first, then those on file;
// written in the caller's transaction, their send job added once it has committed.

/** What the departure's messages need of the customer: a name, the language and the contacts. */
export const CUSTOMER_CONTACTS_SELECT = {
  firstName: true,
  lastName: true,
  companyName: true,
  email: true,
  emailFailing: true,
  locale: true,
  phones: { where: { kind: 'MOBILE', failing: false }, orderBy: { e164: 'asc' }, take: 1 },
} as const;

interface DepartureContacts {
  email: string | null;
  mobile: string | null;
}

interface CustomerContacts {
  email: string | null;
  emailFailing: boolean;
  /** Working mobiles, the first one used. */
  phones: readonly { e164: string }[];
}

/**
 * The message from template `name` (email/<name>.subject|text|html, else sms/<name>), or null
 * when the customer has neither e-mail nor mobile.
 */
export function departureMessage(
  render: (template: string) => string,
  name: string,
  departure: DepartureContacts,
  customer: CustomerContacts,
  common: Omit<NewMessage, 'channel' | 'to' | 'body' | 'subject' | 'html'>,
): (NewMessage & { channel: 'EMAIL' | 'SMS' }) | null {
  const email = departure.email ?? (customer.emailFailing ? null : customer.email);
  const mobile = departure.mobile ?? customer.phones[0]?.e164 ?? null;
  if (email)
    return {
      ...common,
      channel: 'EMAIL',
      to: email,
      subject: render(`email/${name}.subject`),
      body: render(`email/${name}.text`),
      html: render(`email/${name}.html`),
    };
  if (mobile) return { ...common, channel: 'SMS', to: mobile, body: render(`sms/${name}`) };
  return null;
}

/**
 * Writes the message in `tx` (nothing if its idempotency key is already used): its id, and what
 * sends it once committed (Redis away: the row stays QUEUED and the outbox sweep sends it).
 */
export async function messageInTx(
  deps: Pick<FollowUpDeps, 'outbox' | 'logger'>,
  tx: Tx,
  input: NewMessage,
  now: Date,
): Promise<{ messageId: string | null; send: () => Promise<void> }> {
  const [row] = await tx.message.createManyAndReturn({
    data: [messageRow(deps.outbox, input, now)],
    select: { id: true, channel: true, essential: true, notBefore: true },
    skipDuplicates: true,
  });
  return {
    messageId: row?.id ?? null,
    async send() {
      if (row)
        await scheduleSend(deps.outbox, row).catch((err: unknown) =>
          deps.logger.warn({ err, purpose: input.purpose }, 'send job not added: the outbox sweep will'),
        );
    },
  };
}
