// Agents' states for taking calls: what the console and supervision read.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

export const AgentStateName = OneOf(['OFFLINE', 'AVAILABLE', 'OFFERED', 'ON_CALL', 'WRAP_UP', 'BREAK']);
export type AgentStateName = Static<typeof AgentStateName>;

/** The states an agent chooses; the others follow the calls. */
export const ChosenState = OneOf(['AVAILABLE', 'BREAK', 'OFFLINE']);
export type ChosenState = Static<typeof ChosenState>;

export const AgentStatus = Type.Object({
  userId: Type.String(),
  displayName: Type.String(),
  state: AgentStateName,
  /** A break's reason, or why the service moved the agent (e.g. the console was closed). */
  reason: Nullable(Type.String()),
  since: Timestamp,
});
export type AgentStatus = Static<typeof AgentStatus>;

export const AgentList = Type.Array(AgentStatus);

export const StateChoice = Type.Object(
  {
    state: ChosenState,
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type StateChoice = Static<typeof StateChoice>;

/** GET /api/agents/available: the colleagues a call can be handed to now. */
export const Colleagues = Type.Array(Type.Object({ userId: Type.String(), displayName: Type.String() }));
export type Colleagues = Static<typeof Colleagues>;
