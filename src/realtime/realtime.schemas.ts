// What the live feed carries (Socket.IO and the WebSocket stream), and who is online.
import { type Static, Type } from '@sinclair/typebox';
import { StaffRole } from '../platform/auth/auth.schemas.js';
import { Nullable } from '../platform/http/common.schemas.js';

export const DomainEvent = Type.Object({
  /** Redis stream id, set once published. */
  id: Type.Optional(Type.String()),
  /** What happened, e.g. "case.created", "page.attempt". */
  type: Type.String(),
  at: Type.String(),
  /** Events about one agency go to that agency's room (and supervisors); others to all staff. */
  agencyId: Type.Optional(Nullable(Type.String())),
  /** An event for one user's consoles only (a call offered to them)... */
  userId: Type.Optional(Nullable(Type.String())),
  /** ...and/or for these roles' consoles (supervision's figures), rather than the agency's. */
  roles: Type.Optional(Type.Array(Type.String())),
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type DomainEvent = Static<typeof DomainEvent>;

/** The answer to a console's "resume" after a drop: what it missed, and where to resume next time. */
export const ResumeReply = Type.Object({
  events: Type.Array(DomainEvent),
  /** False when more was missed than a catch-up returns: the console reloads its lists. */
  complete: Type.Boolean(),
  latestId: Nullable(Type.String()),
});
export type ResumeReply = Static<typeof ResumeReply>;

export const Viewer = Type.Object({ userId: Type.String(), displayName: Type.String(), role: StaffRole });
export type Viewer = Static<typeof Viewer>;

/** Socket.IO "presence": who has the case open now. */
export const PresenceUpdate = Type.Object({ caseId: Type.String(), viewers: Type.Array(Viewer) });
export type PresenceUpdate = Static<typeof PresenceUpdate>;

export const OnlineUser = Type.Composite([
  Viewer,
  Type.Object({
    agencyId: Nullable(Type.String()),
    /** The cases this user has open, in any of their tabs. */
    viewing: Type.Array(Type.String()),
    connections: Type.Integer(),
  }),
]);
export type OnlineUser = Static<typeof OnlineUser>;

/** GET /api/presence: who is online, and the numbers of the cases they have open. */
export const PresenceReply = Type.Object({
  users: Type.Array(OnlineUser),
  caseNumbers: Type.Record(Type.String(), Type.Integer()),
});
export type PresenceReply = Static<typeof PresenceReply>;
