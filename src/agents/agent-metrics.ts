import { Gauge, type Registry } from 'prom-client';
import type { Redis } from '../platform/redis.js';
import { COUNTED_STATES, countByState } from './agent-state.store.js';

// Agents per state, for Prometheus: read from the live states in Redis at each scrape, so every
// api process reports the same figures whichever one Prometheus asks. Offline agents are not
// counted (they are everyone else).

export function registerAgentMetrics(registry: Registry, redis: Redis): void {
  new Gauge({
    name: 'contact_centre_agents',
    help: 'Agents by state (offline agents are not counted)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      // Redis away: no figure rather than a failed scrape (the other metrics matter most then).
      try {
        const counts = await countByState(redis);
        for (const state of COUNTED_STATES) this.set({ state }, counts[state]);
      } catch {
        this.reset();
      }
    },
  });
}
