// What the telephony simulator's api answers (simulator.routes.ts) and what its live event
// "simulator.outbound" carries: the simulator page of the agent console takes its types from here.
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OneOf, Timestamp } from '../../platform/http/common.schemas.js';

/** GET /api/simulator/lines: the service lines one can call, with their numbers. */
export const SimulatorLine = Type.Object({
  name: Type.String(),
  kind: OneOf(['out-of-hours', 'daytime']),
  numbers: Type.Array(Type.String()),
});
export type SimulatorLine = Static<typeof SimulatorLine>;
export const SimulatorLines = Type.Array(SimulatorLine);

/**
 * What the platform "sent" (an SMS, a call it placed, an e-mail), as the panel shows it: GET
 * /api/simulator/outbound, newest first, and the data of each "simulator.outbound" live event
 * (a new item, or a new status of one). The webhook URLs stay on the server.
 */
export const SimulatorOutboundItem = Type.Object({
  sid: Type.String(),
  kind: OneOf(['sms', 'call', 'email']),
  to: Type.String(),
  from: Type.String(),
  body: Type.String(),
  /** An e-mail's. */
  subject: Type.Optional(Type.String()),
  /** e.g. "sent", "delivered", "ringing", "in-progress", "completed", "no-answer", "busy". */
  status: Type.String(),
  at: Timestamp,
});
export type SimulatorOutboundItem = Static<typeof SimulatorOutboundItem>;
export const SimulatorOutboundList = Type.Array(SimulatorOutboundItem);

/** What a simulated call waits for after the TwiML it was given. */
export const NextStep = Type.Union([
  Type.Object({
    kind: Type.Literal('gather'),
    action: Type.String(),
    /** The call goes on by itself once this many keys are pressed. */
    numDigits: Nullable(Type.Integer()),
    /** "dtmf", "speech" or "dtmf speech". */
    input: Type.String(),
  }),
  Type.Object({ kind: Type.Literal('record'), action: Type.String() }),
  Type.Object({ kind: Type.Literal('redirect'), url: Type.String() }),
  Type.Object({ kind: Type.Literal('dial'), number: Type.String(), action: Nullable(Type.String()) }),
  Type.Object({
    kind: Type.Literal('enqueue'),
    queue: Type.String(),
    action: Nullable(Type.String()),
    waitUrl: Nullable(Type.String()),
  }),
  Type.Object({ kind: Type.Literal('leave') }),
  Type.Object({ kind: Type.Literal('hangup') }),
]);
export type NextStep = Static<typeof NextStep>;

/**
 * A step of a simulated call (POST /api/simulator/calls, /calls/:sid/input, /outbound/:sid/answer,
 * and /outbound/:sid/decline when the voicemail picks up): what was heard, and what comes next.
 */
export const SimulatorStep = Type.Object({
  sid: Type.String(),
  said: Type.Array(Type.String()),
  next: NextStep,
});
export type SimulatorStep = Static<typeof SimulatorStep>;

/** POST /api/simulator/sms: how the platform's webhook answered, and the SMS it replied. */
export const SimulatorSmsReply = Type.Object({
  sid: Type.String(),
  /** The HTTP status of the inbound SMS webhook. */
  status: Type.Integer(),
  replies: Type.Array(Type.String()),
});
export type SimulatorSmsReply = Static<typeof SimulatorSmsReply>;
