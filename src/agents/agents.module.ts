import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { agentsRoutes } from './agents.routes.js';
import { type AgentsModuleSettings, readAgentsSettings } from './agents.settings.js';

/** Agents' states for taking calls: chosen in the console, followed live, every change recorded. */
export const agentsModule = {
  name: 'agents',
  readSettings: readAgentsSettings,
  routes: agentsRoutes,
} satisfies CapabilityModule<Services, AgentsModuleSettings>;
