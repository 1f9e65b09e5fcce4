// What the IVR tells the agent console live: the "call.screen-pop" event's data. A daytime call
// pops on the console of the one agent it is offered to; a night call's open case, to its agency.
import { type Static, Type } from '@sinclair/typebox';
import { CallOffer } from '../agents/distribution.schemas.js';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

export const ScreenPopReason = OneOf(['offered', 'case-opened']);
export type ScreenPopReason = Static<typeof ScreenPopReason>;

export const ScreenPop = Type.Object({
  callSid: Type.String(),
  /** The service line's name, and its kind. */
  line: Type.String(),
  lineKind: OneOf(['out-of-hours', 'daytime']),
  reason: ScreenPopReason,
  /** E.164, null when withheld: the agent sees the number the caller is calling from. */
  callerNumber: Nullable(Type.String()),
  identification: OneOf(['one', 'several', 'none', 'withheld']),
  customerIds: Type.Array(Type.String()),
  /** The caller keyed a customer reference or meter serial in the IVR. */
  referenceGiven: Type.Boolean(),
  caseId: Nullable(Type.String()),
  caseNumber: Nullable(Type.Integer()),
  at: Timestamp,
  /** The caller asked to be called back, keeping their place: the agent calls callerNumber. */
  callback: Type.Optional(Type.Boolean()),
  /** Handed on by this agent (a transfer). */
  transferredBy: Type.Optional(Type.String()),
  /** A daytime call offered to this agent (the pop goes to them only). */
  offer: Type.Optional(CallOffer),
});
export type ScreenPop = Static<typeof ScreenPop>;
