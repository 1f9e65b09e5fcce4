import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from '../platform/http/common.schemas.js';

/** GET /api/clock: the service's time, against which consoles count deadlines down. */
export const ClockReply = Type.Object({ now: Timestamp });
export type ClockReply = Static<typeof ClockReply>;
