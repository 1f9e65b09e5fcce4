// What the sign-in answers: the token, and who is signed in (the console shows the name and role).
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OneOf } from '../http/common.schemas.js';

/** The languages the service speaks. */
export const Locale = OneOf(['fr', 'en']);
export type Locale = Static<typeof Locale>;

export const StaffRole = OneOf(['AGENT', 'SUPERVISOR', 'ADMIN']);
export type StaffRole = Static<typeof StaffRole>;

export const SignedInUser = Type.Object({
  kind: Type.Literal('user'),
  id: Type.String(),
  role: StaffRole,
  agencyId: Nullable(Type.String()),
  displayName: Type.String(),
  locale: Locale,
});
export type SignedInUser = Static<typeof SignedInUser>;

export const LoginReply = Type.Object({ token: Type.String(), user: SignedInUser });
export type LoginReply = Static<typeof LoginReply>;
