import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { identificationRoutes } from './identification.routes.js';

/** Who is calling: phone numbers, the caller lookup, the identification checklist. */
export const identificationModule = {
  name: 'identification',
  routes: identificationRoutes,
} satisfies CapabilityModule<Services>;
