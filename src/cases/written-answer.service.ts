import type { Locale } from '../generated/prisma/enums.js';
import { customerName, postalAddress } from '../identification/customer-identity.js';
import { enqueueMessage, type OutboxDeps } from '../messaging/outbox.service.js';
import type { Templates } from '../messaging/templates.js';
import { type Actor, type CaseActionResult, judgementIn, openCase } from './case-actions.service.js';
import { recordOnTimeline } from './timeline.js';

// [CS-5] The written answer a complaint or a multi-contact case must get before it closes: an
// e-mail through the outbox, or a letter for the print run, from a template in the customer's
// language, traced as an outbound contact on the case.

export interface WrittenAnswerDeps {
  db: OutboxDeps['db'];
  events: OutboxDeps['events'];
  outbox: OutboxDeps;
  templates: Templates;
  now(): Date;
}

export interface WrittenAnswer {
  channel: 'EMAIL' | 'LETTER';
  text: string;
}

export async function sendWrittenAnswer(
  deps: WrittenAnswerDeps,
  caseId: string,
  input: WrittenAnswer,
  actor: Actor,
): Promise<CaseActionResult<{ contactId: string; messageId: string | null }>> {
  const judged = judgementIn(input.text);
  if (judged) return judged;
  const { kase, error } = await openCase(deps.db, caseId, actor);
  if (error) return error;
  const customer = kase.customerId
    ? await deps.db.customer.findUnique({
        where: { id: kase.customerId },
        select: {
          lastName: true,
          firstName: true,
          companyName: true,
          email: true,
          emailFailing: true,
          addressLine: true,
          postcode: true,
          city: true,
          locale: true,
        },
      })
    : null;
  if (!customer)
    return {
      ok: false,
      code: 'no_recipient',
      message: 'the case has no customer: attach one before answering in writing',
    };
  if (input.channel === 'EMAIL' && (!customer.email || customer.emailFailing))
    return {
      ok: false,
      code: 'no_recipient',
      message: 'no working e-mail address on file for this customer: answer by letter',
    };
  const locale: Locale = customer.locale;
  const vars = {
    caseNumber: String(kase.number),
    customerName: customerName(customer),
    address: postalAddress(customer),
    text: input.text,
    agentName: actor.displayName,
  };
  const at = deps.now();
  let messageId: string | null = null;
  if (input.channel === 'EMAIL') {
    const sent = await enqueueMessage(deps.outbox, {
      channel: 'EMAIL',
      to: customer.email!,
      subject: deps.templates.render('email/case-answer.subject', locale, vars),
      body: deps.templates.render('email/case-answer.text', locale, vars),
      html: deps.templates.render('email/case-answer.html', locale, vars),
      purpose: 'case-answer',
      essential: true,
      locale,
      caseId,
      customerId: kase.customerId ?? undefined,
      idempotencyKey: `case-${caseId}-answer-${at.getTime()}`,
    });
    messageId = sent.id;
  }
  const body =
    input.channel === 'LETTER' ? deps.templates.render('letters/case-answer', locale, vars) : input.text;
  // The answer itself settles a holding call still owed [CS-4].
  await deps.db.case.update({ where: { id: caseId }, data: { holdingCallDue: false } });
  const contact = await deps.db.contact.create({
    data: {
      caseId,
      customerId: kase.customerId,
      direction: 'OUTBOUND',
      channel: input.channel,
      at,
      summary: body.slice(0, 4000),
      address: input.channel === 'EMAIL' ? customer.email : vars.address,
      details: { writtenAnswer: true, by: actor.displayName, ...(messageId ? { messageId } : {}) },
    },
    select: { id: true },
  });
  await recordOnTimeline(deps.db, deps.events, {
    caseId,
    agencyId: kase.agencyId,
    type: 'case.answered',
    at,
    data: { channel: input.channel, contactId: contact.id, messageId, by: actor.displayName },
  });
  return { ok: true, value: { contactId: contact.id, messageId } };
}
