import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { eventsRoutes } from './events.routes.js';

/** Domain events for the consoles and integrations (the gateway itself is wired by the app). */
export const realtimeModule = {
  name: 'realtime',
  routes: eventsRoutes,
} satisfies CapabilityModule<Services>;
