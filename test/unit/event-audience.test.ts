import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/platform/auth/principal.js';
import type { DomainEvent } from '../../src/realtime/event-bus.js';
import { audienceOf, mayReceive, roomsFor } from '../../src/realtime/rooms.js';

// Who hears which console event (issue 20: every socket room across roles and agencies). The
// sockets join `roomsFor` and events go to `audienceOf`; the WebSocket stream and the catch-up
// after a reconnection use `mayReceive`. One table for the three, every kind of reader against
// every kind of event: a new role or a new kind of audience without a row here fails.

const LYON = 'agency-lyon';
const METZ = 'agency-metz';
const user = (id: string, role: 'AGENT' | 'SUPERVISOR' | 'ADMIN', agencyId: string | null): Principal => ({
  kind: 'user',
  id,
  role,
  agencyId,
  displayName: id,
  locale: 'fr',
});
const READERS: Record<string, Principal> = {
  'agent of Lyon': user('agent-lyon', 'AGENT', LYON),
  'agent of Metz': user('agent-metz', 'AGENT', METZ),
  'agent of no agency': user('agent-any', 'AGENT', null),
  supervisor: user('supervisor', 'SUPERVISOR', null),
  'supervisor attached to Metz': user('supervisor-metz', 'SUPERVISOR', METZ),
  admin: user('admin', 'ADMIN', null),
  'integration token': { kind: 'token', id: 'token', role: 'INTEGRATION', name: 'CRM' },
};

const event = (fields: Partial<DomainEvent>): DomainEvent => ({
  id: '1-0',
  type: 'case.opened',
  at: '2026-11-24T22:30:00.000Z',
  agencyId: null,
  data: {},
  ...fields,
});
const EVENTS: Record<string, DomainEvent> = {
  "Lyon's case": event({ agencyId: LYON }),
  'a case of no agency': event({}),
  "the Lyon agent's own offer": event({ type: 'call.offered', userId: 'agent-lyon', agencyId: LYON }),
  'for supervisors only': event({ type: 'queue.sla-breach', roles: ['SUPERVISOR', 'ADMIN'] }),
  'for the Metz agent and supervisors': event({
    type: 'case.assigned',
    userId: 'agent-metz',
    roles: ['SUPERVISOR'],
  }),
};

// Rows: readers; columns: EVENTS in order.
const HEARS: Record<keyof typeof READERS, boolean[]> = {
  'agent of Lyon': [true, true, true, false, false],
  'agent of Metz': [false, true, false, false, true],
  'agent of no agency': [true, true, false, false, false],
  supervisor: [true, true, false, true, true],
  'supervisor attached to Metz': [true, true, false, true, true],
  admin: [true, true, false, true, false],
  'integration token': [false, true, false, false, false],
};

describe('who hears which console event', () => {
  const cases = Object.entries(READERS).flatMap(([reader, principal]) =>
    Object.entries(EVENTS).map(([name, e], column) => ({
      reader,
      principal,
      name,
      e,
      heard: HEARS[reader]![column]!,
    })),
  );

  it.each(cases.map((c) => ({ ...c, verb: c.heard ? 'hears' : 'does not hear' })))(
    '$reader $verb $name',
    ({ principal, e, heard }) => {
      // The catch-up and the WebSocket stream.
      expect(mayReceive(principal, e)).toBe(heard);
      // The sockets: a room of the reader's among the event's rooms.
      const rooms = new Set(roomsFor(principal));
      expect(audienceOf(e).some((room) => rooms.has(room))).toBe(heard);
    },
  );

  it('has a row for every reader and a column for every event', () => {
    expect(Object.keys(HEARS).sort()).toEqual(Object.keys(READERS).sort());
    for (const row of Object.values(HEARS)) expect(row).toHaveLength(Object.keys(EVENTS).length);
  });
});
