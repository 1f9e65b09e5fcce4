import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { importRoutes } from './imports.routes.js';

/**
 * CSV imports of every kind (agencies, on-call hours, eligibility, rotas, readings, field roster,
 * agency closures), by HTTP and by command: the reading, checking, reporting and applying they
 * share. Each capability keeps only its own importers (row specs and plans); import-runner.ts
 * lists them.
 */
export const importsModule = {
  name: 'imports',
  routes: importRoutes,
} satisfies CapabilityModule<Services>;
