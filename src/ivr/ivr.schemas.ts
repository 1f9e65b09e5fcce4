// What the IVR tells the agent console live: the "call.screen-pop" event's data.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

export const ScreenPopReason = OneOf(['queued', 'case-opened']);
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
});
export type ScreenPop = Static<typeof ScreenPop>;
