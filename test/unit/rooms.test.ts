import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/platform/auth/principal.js';
import { mayReceive } from '../../src/realtime/rooms.js';

const agent = (agencyId: string | null): Principal => ({
  kind: 'user',
  id: 'u',
  role: 'AGENT',
  agencyId,
  displayName: 'A',
  locale: 'fr',
});
const supervisor: Principal = {
  kind: 'user',
  id: 's',
  role: 'SUPERVISOR',
  agencyId: null,
  displayName: 'S',
  locale: 'fr',
};
const event = (agencyId: string | null) => ({ type: 'case.opened', at: '', agencyId, data: {} });

describe('who hears which event', () => {
  it('sends an agency event to that agency’s agents and to supervisors, not to other agencies', () => {
    expect(mayReceive(agent('lyon'), event('lyon'))).toBe(true);
    expect(mayReceive(agent('metz'), event('lyon'))).toBe(false);
    expect(mayReceive(agent(null), event('lyon'))).toBe(true);
    expect(mayReceive(supervisor, event('lyon'))).toBe(true);
  });

  it('sends events without an agency to all staff', () => {
    expect(mayReceive(agent('metz'), event(null))).toBe(true);
    expect(mayReceive(supervisor, event(null))).toBe(true);
  });

  it("sends one user's event (a call offered to them, their state) to them, and to the roles named", () => {
    const offered = { ...event('lyon'), userId: 'u' };
    expect(mayReceive(agent('lyon'), offered)).toBe(true);
    expect(mayReceive({ ...agent('lyon'), id: 'other' } as Principal, offered)).toBe(false);
    expect(mayReceive(supervisor, offered)).toBe(false);
    const state = { ...offered, roles: ['SUPERVISOR', 'ADMIN'] };
    expect(mayReceive(supervisor, state)).toBe(true);
    expect(mayReceive({ ...agent('lyon'), id: 'other' } as Principal, state)).toBe(false);
  });
});
