import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { terminationRoutes } from './termination.routes.js';
import { readTerminationSettings, type TerminationModuleSettings } from './termination.settings.js';

/** The termination run after unpaid bills: its lists, the reminders, the interruptions' import. */
export const terminationModule = {
  name: 'termination',
  readSettings: readTerminationSettings,
  routes: terminationRoutes,
} satisfies CapabilityModule<Services, TerminationModuleSettings>;
