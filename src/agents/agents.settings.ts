import type { EnvReader } from '../platform/settings-reader.js';

export interface AgentsModuleSettings {
  /** How long an agent whose consoles are all gone keeps their state before going offline. */
  agentOfflineGraceSeconds: number;
}

export function readAgentsSettings(read: EnvReader): AgentsModuleSettings {
  return { agentOfflineGraceSeconds: read.integer('AGENT_OFFLINE_GRACE_SECONDS', 60, 5, 3600) };
}
