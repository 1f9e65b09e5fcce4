import type { Principal } from '../platform/auth/principal.js';
import type { DomainEvent } from './event-bus.js';

// Rooms per user, per role and per agency. An event for one user (and/or some roles) goes to
// their consoles only. An agent attached to an agency hears that agency's events and
// the events that belong to no agency; supervisors and admins hear everything.

export const ALL_STAFF = 'staff';
export const agencyRoom = (agencyId: string) => `agency:${agencyId}`;
export const roleRoom = (role: string) => `role:${role}`;
export const userRoom = (userId: string) => `user:${userId}`;
/** The consoles opened with one session token (by its digest, never the token itself). */
export const sessionRoom = (tokenDigest: string) => `session:${tokenDigest}`;
const UNASSIGNED_AGENTS = 'agency:any';

export function roomsFor(principal: Principal): string[] {
  if (principal.kind !== 'user') return [ALL_STAFF];
  const rooms = [ALL_STAFF, roleRoom(principal.role), userRoom(principal.id)];
  if (principal.role === 'AGENT')
    rooms.push(principal.agencyId ? agencyRoom(principal.agencyId) : UNASSIGNED_AGENTS);
  return rooms;
}

export function audienceOf(event: DomainEvent): string[] {
  if (event.userId || event.roles?.length)
    return [...(event.userId ? [userRoom(event.userId)] : []), ...(event.roles ?? []).map(roleRoom)];
  if (!event.agencyId) return [ALL_STAFF];
  return [agencyRoom(event.agencyId), UNASSIGNED_AGENTS, roleRoom('SUPERVISOR'), roleRoom('ADMIN')];
}

/** The same rule for consumers that are not in rooms (the WebSocket stream, catch-up). */
export function mayReceive(principal: Principal, event: DomainEvent): boolean {
  const rooms = new Set(roomsFor(principal));
  return audienceOf(event).some((room) => rooms.has(room));
}
