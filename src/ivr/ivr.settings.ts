import { PATHS } from '../platform/paths.js';
import type { EnvReader } from '../platform/settings-reader.js';

export interface IvrModuleSettings {
  ivr: {
    /** The folder of flow files (ivr-flows/ of the project by default). */
    flowsDir: string;
    /** Letters printed before customer references and meter serials, which a keypad cannot type. */
    referencePrefixes: string[];
    /** A domain action slower than this sends the caller to the step's fallback. */
    actionTimeoutMs: number;
  };
  callStateTtlSeconds: number;
}

export function readIvrSettings(read: EnvReader): IvrModuleSettings {
  return {
    ivr: {
      flowsDir: read.string('IVR_FLOWS_DIR', PATHS.ivrFlows),
      referencePrefixes: read.list('IVR_REFERENCE_PREFIXES', 'C,M'),
      actionTimeoutMs: read.integer('IVR_ACTION_TIMEOUT_MS', 3000, 100, 4000),
    },
    callStateTtlSeconds: read.integer('CALL_STATE_TTL_SECONDS', 4 * 3600, 60, 48 * 3600),
  };
}
