import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { distributionRoutes } from './distribution.routes.js';
import { type DistributionModuleSettings, readDistributionSettings } from './distribution.settings.js';
import { startDistributionSweep } from './distribution.sweep.js';

/** Calls queued for the agents: offered to one agent each, bridged, wrapped up. */
export const distributionModule = {
  name: 'distribution',
  readSettings: readDistributionSettings,
  routes: distributionRoutes,
  startWorkers: async (services) => [startDistributionSweep(services)],
} satisfies CapabilityModule<Services, DistributionModuleSettings>;
