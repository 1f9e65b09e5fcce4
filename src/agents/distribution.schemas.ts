// What the distribution tells the agent's console, and its answers.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OneOf, Timestamp } from '../platform/http/common.schemas.js';

/** A call offered to one agent: their console rings until they accept or the deadline passes. */
export const CallOffer = Type.Object({
  offerId: Type.String(),
  expiresAt: Timestamp,
  /** The agent takes offers without a click: the console shows the call already accepted. */
  autoAccept: Type.Boolean(),
});
export type CallOffer = Static<typeof CallOffer>;

export const AcceptedCall = Type.Object({
  callSid: Type.String(),
  offerId: Type.String(),
  /** Where the call rings: the console's softphone, or the agent's phone. */
  connectTo: OneOf(['softphone', 'phone']),
});
export type AcceptedCall = Static<typeof AcceptedCall>;

/**
 * POST /api/calls/softphone-token: how the console's softphone registers. With Twilio, an access
 * token (a Voice grant for the agent's identity); in the simulator, the identity only.
 */
export const SoftphoneToken = Type.Object({
  kind: OneOf(['twilio', 'simulator']),
  identity: Type.String(),
  token: Nullable(Type.String()),
  expiresAt: Nullable(Timestamp),
});
export type SoftphoneToken = Static<typeof SoftphoneToken>;

export const HoldBody = Type.Object({ on: Type.Boolean() }, { additionalProperties: false });
export type HoldBody = Static<typeof HoldBody>;
export const HoldReply = Type.Object({ callSid: Type.String(), held: Type.Boolean() });

/**
 * Back to the queue (anyone takes it), or to an available colleague (agentId). One object, not a
 * union: Fastify's validator strips unknown properties while trying a union's first branch.
 */
export const TransferBody = Type.Object(
  { to: OneOf(['queue', 'agent']), agentId: Type.Optional(Type.String({ format: 'uuid' })) },
  { additionalProperties: false },
);
export type TransferBody = Static<typeof TransferBody>;

/** "call.offer-ended": the offer shown is over (withdrawn, expired, declined) for this reason. */
export const OfferEnded = Type.Object({
  offerId: Type.String(),
  callSid: Type.String(),
  reason: OneOf(['declined', 'expired', 'caller-left', 'taken']),
});
export type OfferEnded = Static<typeof OfferEnded>;

/** The queue's figures over a window: see src/agents/figures.ts for each definition. */
export const WindowFigures = Type.Object({
  from: Timestamp,
  queued: Type.Integer(),
  answered: Type.Integer(),
  abandoned: Type.Integer(),
  left: Type.Integer(),
  serviceLevel: Nullable(Type.Number()),
  abandonment: Nullable(Type.Number()),
  averageSpeedOfAnswerSeconds: Nullable(Type.Number()),
  averageHandleSeconds: Nullable(Type.Number()),
});

/** GET /api/calls/figures: the queues now, the agents per state, today and the last 15 minutes. */
export const QueueFigures = Type.Object({
  at: Timestamp,
  /** The service's day now (its time zone), for the day's CSV. */
  day: Type.String(),
  serviceLevelSeconds: Type.Integer(),
  queues: Type.Array(
    Type.Object({ line: Type.String(), waiting: Type.Integer(), longestWaitSeconds: Type.Integer() }),
  ),
  agents: Type.Record(Type.String(), Type.Integer()),
  today: WindowFigures,
  lastMinutes: WindowFigures,
});
export type QueueFigures = Static<typeof QueueFigures>;
