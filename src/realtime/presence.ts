import type { Server, Socket } from 'socket.io';
import { SUPERVISORS } from '../platform/auth/principal.js';
import { isUuid } from '../platform/ids.js';
import type { OnlineUser, Viewer } from './realtime.schemas.js';
import { roleRoom } from './rooms.js';

// Who is online and which case each agent has open, so that two agents do not answer the same
// customer and a supervisor sees who works on what. It lives on the sockets themselves (their
// `data`), and Socket.IO's Redis adapter asks every api process for theirs: nothing is kept
// that a crashed process could leave behind.

export type { OnlineUser, Viewer } from './realtime.schemas.js';

const viewingRoom = (caseId: string) => `viewing:${caseId}`;
/** What a supervisor's console hears: every change of who views what. */
const WATCHERS = SUPERVISORS.map(roleRoom);

export function handlePresence(io: Server, socket: Socket, onError: (err: unknown) => void): void {
  const principal = socket.data.principal;
  if (principal.kind !== 'user') return;

  socket.on('presence:viewing', (payload: { caseId?: unknown } | undefined) => {
    const next = isUuid(payload?.caseId) ? payload.caseId : null;
    const previous = socket.data.viewing ?? null;
    if (next === previous) return;
    socket.data.viewing = next;
    if (previous) socket.leave(viewingRoom(previous));
    if (next) socket.join(viewingRoom(next));
    for (const caseId of [previous, next]) if (caseId) tellViewers(io, caseId).catch(onError);
  });

  // Only a change of who views a case is told at once. Consoles coming and going are not: a
  // thousand consoles connecting after an api restart would each tell every supervisor (the
  // supervision screen reads who is online every 30 s and on case events).
  socket.on('disconnect', () => {
    const previous = socket.data.viewing;
    if (previous) tellViewers(io, previous).catch(onError);
  });
}

/** Tells those viewing the case, and the supervisors, who has it open now. */
async function tellViewers(io: Server, caseId: string): Promise<void> {
  const sockets = await io.in(viewingRoom(caseId)).fetchSockets();
  const viewers = new Map<string, Viewer>();
  for (const { data } of sockets) {
    const p = data.principal;
    if (p?.kind === 'user') viewers.set(p.id, { userId: p.id, displayName: p.displayName, role: p.role });
  }
  io.to([viewingRoom(caseId), ...WATCHERS]).emit('presence', { caseId, viewers: [...viewers.values()] });
}

/** Everyone signed in to a console, across every api process. */
export async function onlineUsers(io: Server): Promise<OnlineUser[]> {
  const byUser = new Map<string, OnlineUser>();
  for (const { data } of await io.fetchSockets()) {
    const p = data.principal;
    if (p?.kind !== 'user') continue;
    const user: OnlineUser = byUser.get(p.id) ?? {
      userId: p.id,
      displayName: p.displayName,
      role: p.role,
      agencyId: p.agencyId,
      viewing: [],
      connections: 0,
    };
    user.connections += 1;
    if (data.viewing && !user.viewing.includes(data.viewing)) user.viewing.push(data.viewing);
    byUser.set(p.id, user);
  }
  return [...byUser.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
