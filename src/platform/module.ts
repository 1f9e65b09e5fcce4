import type { FastifyInstance } from 'fastify';
import type { PlatformSettings } from './config.js';
import type { Stoppable } from './queues.js';
import type { EnvReader } from './settings-reader.js';

/**
 * What a capability brings to the service, in one small file per capability folder
 * (`<capability>.module.ts`): its settings section, its routes and its workers. The composition
 * root lists the modules (src/modules.ts); the platform knows none of them (it is generic in the
 * root's `Services`).
 */
export interface CapabilityModule<Services, Section extends object = object> {
  name: string;
  /** Reads this capability's section of the settings; problems go to the reader. */
  readSettings?(read: EnvReader, platform: PlatformSettings): Section;
  /** Registers the capability's HTTP routes on the api. */
  routes?(app: FastifyInstance, services: Services): void;
  /** Starts the capability's workers (worker role), and returns what to close on shutdown. */
  startWorkers?(services: Services): Promise<Stoppable[]>;
}
