import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../platform/http/common.schemas.js';

// The termination run's lists (the console imports these types).

export const TerminationLine = Type.Object({
  interruptionId: Type.String(),
  customerId: Type.String(),
  customerReference: Type.String(),
  name: Type.String(),
  address: Type.String(),
  category: Nullable(Type.String()),
  interruptedOn: Type.String({ format: 'date' }),
  terminationDay: Type.String({ format: 'date' }),
  fieldOrder: Type.Union([Type.Literal('meter-removal-and-index'), Type.Literal('index-only')]),
  reminder: Type.Array(Type.String()),
});

export const TerminationLists = Type.Object({
  day: Type.String({ format: 'date' }),
  toTerminate: Type.Array(TerminationLine),
  toRemind: Type.Array(TerminationLine),
  managementDecision: Type.Array(TerminationLine),
});
export type TerminationLists = Static<typeof TerminationLists>;
