import { fileURLToPath } from 'node:url';

// Project folders, resolved from this file so the service runs from any working directory.
const root = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

export const PATHS = {
  ivrFlows: root('ivr-flows'),
  messageTemplates: root('message-templates'),
  templateSamples: root('message-templates/samples.yaml'),
  agentConsole: root('agent-console'),
  /** The console's production bundle (npm run console:build); never committed. */
  consoleDist: root('agent-console/dist'),
};
