import type { CapabilityModule } from '../platform/module.js';
import type { Services } from '../services.js';
import { type IvrModuleSettings, readIvrSettings } from './ivr.settings.js';
import { voiceRoutes } from './voice.routes.js';

/** The service lines: flows, voice webhooks, call state, voicemail. */
export const ivrModule = {
  name: 'ivr',
  readSettings: readIvrSettings,
  routes: voiceRoutes,
} satisfies CapabilityModule<Services, IvrModuleSettings>;
