import type { EnvReader } from '../platform/settings-reader.js';

export interface AgentsModuleSettings {
  /** How long an agent whose consoles are all gone keeps their state before going offline. */
  agentOfflineGraceSeconds: number;
  distribution: {
    /** An offer not accepted within this goes to the next agent; the first goes on a break. */
    offerTimeoutSeconds: number;
    /** After a call, the agent files it for this long before being offered the next one. */
    wrapUpSeconds: number;
    /** The handle time assumed for the estimated wait until the day has figures of its own. */
    estimatedHandleSeconds: number;
    /** The service level's target: a call answered within this counts as answered in time. */
    serviceLevelSeconds: number;
    /** After this wait, callers are offered a callback keeping their place, or a message. */
    callbackAfterSeconds: number;
    /** How long a caller who asked for a callback keeps their place. */
    callbackKeepHours: number;
    /** How long the agent's phone or softphone rings before the caller waits again. */
    agentRingSeconds: number;
  };
  /**
   * The console's softphone (Twilio Voice SDK): an API key to sign its access tokens, and the
   * TwiML App its outgoing calls would use. Without them, agents take calls on their phone.
   */
  softphone: {
    apiKeySid: string | undefined;
    apiKeySecret: string | undefined;
    twimlAppSid: string | undefined;
  };
}

export function readAgentsSettings(read: EnvReader): AgentsModuleSettings {
  return {
    agentOfflineGraceSeconds: read.integer('AGENT_OFFLINE_GRACE_SECONDS', 60, 5, 3600),
    distribution: {
      offerTimeoutSeconds: read.integer('CALL_OFFER_TIMEOUT_SECONDS', 15, 5, 120),
      wrapUpSeconds: read.integer('CALL_WRAP_UP_SECONDS', 60, 0, 1800),
      estimatedHandleSeconds: read.integer('QUEUE_ESTIMATED_HANDLE_SECONDS', 300, 30, 3600),
      serviceLevelSeconds: read.integer('SERVICE_LEVEL_SECONDS', 20, 5, 600),
      callbackAfterSeconds: read.integer('QUEUE_CALLBACK_AFTER_SECONDS', 60, 0, 3600),
      callbackKeepHours: read.integer('QUEUE_CALLBACK_KEEP_HOURS', 12, 1, 72),
      agentRingSeconds: read.integer('CALL_AGENT_RING_SECONDS', 20, 5, 60),
    },
    softphone: {
      apiKeySid: read.optionalString('TWILIO_API_KEY_SID'),
      apiKeySecret: read.optionalString('TWILIO_API_KEY_SECRET'),
      twimlAppSid: read.optionalString('TWILIO_TWIML_APP_SID'),
    },
  };
}
