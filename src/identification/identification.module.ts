import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { contactDetailsRoutes } from './contact-details.routes.js';
import { customerFlagsRoutes } from './customer-flags.routes.js';
import { identificationRoutes } from './identification.routes.js';

/** Who is calling: phone numbers, the caller lookup, the identification checklist, customer flags. */
export const identificationModule = {
  name: 'identification',
  routes(app, services) {
    identificationRoutes(app, services);
    customerFlagsRoutes(app, services);
    contactDetailsRoutes(app, services);
  },
} satisfies CapabilityModule<Services>;
