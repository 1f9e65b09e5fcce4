import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { agentsRoutes } from './agents.routes.js';
import { type AgentsModuleSettings, readAgentsSettings } from './agents.settings.js';
import { distributionRoutes } from './distribution.routes.js';
import { startDistributionSweep } from './distribution.sweep.js';

/**
 * Agents taking the calls: their states (chosen in the console, followed live, every change
 * recorded), the calls waiting for them, each offered to one agent, bridged, wrapped up, and the
 * live figures.
 */
export const agentsModule = {
  name: 'agents',
  readSettings: readAgentsSettings,
  routes(app, services) {
    agentsRoutes(app, services);
    distributionRoutes(app, services);
  },
  startWorkers: async (services) => [startDistributionSweep(services)],
} satisfies CapabilityModule<Services, AgentsModuleSettings>;
