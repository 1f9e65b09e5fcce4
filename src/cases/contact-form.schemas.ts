// The website's contact form (POST /api/contact-form): what it posts, and what it is answered.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

export const ContactFormBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 200 }),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    message: Type.String({ minLength: 1, maxLength: 4000 }),
    locale: Type.Optional(OneOf(['fr', 'en'])),
  },
  { additionalProperties: false },
);
export type ContactFormBody = Static<typeof ContactFormBody>;

export const ContactFormReceived = Type.Object({
  /** The reference the acknowledgement quotes. */
  caseNumber: Type.Integer(),
  /** When the answer is due at the latest. */
  dueAt: Nullable(Timestamp),
});
export type ContactFormReceived = Static<typeof ContactFormReceived>;
