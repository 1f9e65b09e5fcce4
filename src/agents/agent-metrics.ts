import { Gauge, type Registry } from 'prom-client';
import type { Redis } from '../platform/redis.js';
import { ACTIVE, stateKey } from './agent-state.store.js';
import type { AgentStateName } from './agents.schemas.js';

// Agents per state, for Prometheus: read from the live states in Redis at each scrape, so every
// api process reports the same figures whichever one Prometheus asks. Offline agents are not
// counted (they are everyone else).

const COUNTED: readonly AgentStateName[] = ['AVAILABLE', 'OFFERED', 'ON_CALL', 'WRAP_UP', 'BREAK'];

export function registerAgentMetrics(registry: Registry, redis: Redis): void {
  new Gauge({
    name: 'contact_centre_agents',
    help: 'Agents by state (offline agents are not counted)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      // Redis away: no figure rather than a failed scrape (the other metrics matter most then).
      try {
        const ids = await redis.sMembers(ACTIVE);
        const states = await Promise.all(ids.map((id) => redis.hGet(stateKey(id), 'state')));
        for (const state of COUNTED) this.set({ state }, states.filter((s) => s === state).length);
      } catch {
        this.reset();
      }
    },
  });
}
