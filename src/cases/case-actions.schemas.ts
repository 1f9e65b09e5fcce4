// What the agent's actions on a case answer (src/cases/case-actions.routes.ts): open a case,
// qualify it, note, attach a contact, answer in writing, wait for a third party, close. The
// agent console's types come from here.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

/** POST /api/cases: the case opened, with the number read out to the caller. */
export const CaseOpened = Type.Object({ id: Type.String(), number: Type.Integer() });
export type CaseOpened = Static<typeof CaseOpened>;

/** PATCH /api/cases/:id: the due date that follows the qualification. */
export const CaseQualified = Type.Object({ dueAt: Timestamp });
export type CaseQualified = Static<typeof CaseQualified>;

/**
 * What a note (its case's id), an attached contact (the contact's id) or a closing (the case's
 * id) answers.
 */
export const CaseActionDone = Type.Object({ id: Type.String() });
export type CaseActionDone = Static<typeof CaseActionDone>;

/** [CS-5] POST /api/cases/:id/answer: the outbound contact, and the e-mail queued (null for a letter). */
export const WrittenAnswerSent = Type.Object({
  contactId: Type.String(),
  messageId: Nullable(Type.String()),
});
export type WrittenAnswerSent = Static<typeof WrittenAnswerSent>;

/** [CS-3] POST /api/cases/:id/waiting: since when the deadline is paused. */
export const WaitingStarted = Type.Object({ waitingSince: Timestamp });
export type WaitingStarted = Static<typeof WaitingStarted>;

/** [CS-3] DELETE /api/cases/:id/waiting: the deadline, moved on by the time waited (null: none). */
export const WaitingStopped = Type.Object({ dueAt: Nullable(Timestamp) });
export type WaitingStopped = Static<typeof WaitingStopped>;

/** A word of a comment that judges the customer, as written in the rule's list (comment-rule.ts). */
export const JudgementFound = Type.Object({
  word: Type.String(),
  kind: OneOf(['finances', 'social', 'behaviour']),
});
export type JudgementFound = Static<typeof JudgementFound>;

/**
 * A 422 refusal: a text that breaks the comment rule (`comment_rule`, with the words `found`), or
 * a missing mobile (`mobile_required`) or recipient (`no_recipient`).
 */
export const CaseActionRefusal = Type.Object({
  error: Type.String(),
  message: Type.String(),
  found: Type.Optional(Type.Array(JudgementFound)),
});
export type CaseActionRefusal = Static<typeof CaseActionRefusal>;
