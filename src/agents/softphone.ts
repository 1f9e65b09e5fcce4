import twilio from 'twilio';
import type { AgentsModuleSettings } from './agents.settings.js';
import type { SoftphoneToken } from './distribution.schemas.js';

// The console's softphone registers with Twilio as the agent's identity; calls offered to the
// agent are bridged to it (<Dial><Client>). Its access token is minted here with the twilio
// package's AccessToken and a Voice grant, signed with an API key (never the auth token).

const { AccessToken } = twilio.jwt;
const TOKEN_TTL_SECONDS = 3600;

/** The softphone's identity at Twilio for an agent (the Voice SDK registers as it). */
export const softphoneIdentity = (userId: string) => `agent-${userId}`;

export class SoftphoneNotConfigured extends Error {}

export function softphoneToken(
  telephony: 'twilio' | 'simulator',
  accountSid: string,
  settings: AgentsModuleSettings['softphone'],
  userId: string,
  now: Date,
): SoftphoneToken {
  const identity = softphoneIdentity(userId);
  if (telephony === 'simulator') return { kind: 'simulator', identity, token: null, expiresAt: null };
  if (!settings.apiKeySid || !settings.apiKeySecret)
    throw new SoftphoneNotConfigured(
      'the softphone needs TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET: take calls on a phone meanwhile',
    );
  const token = new AccessToken(accountSid, settings.apiKeySid, settings.apiKeySecret, {
    identity,
    ttl: TOKEN_TTL_SECONDS,
  });
  token.addGrant(
    new AccessToken.VoiceGrant({
      incomingAllow: true,
      ...(settings.twimlAppSid ? { outgoingApplicationSid: settings.twimlAppSid } : {}),
    }),
  );
  return {
    kind: 'twilio',
    identity,
    token: token.toJwt(),
    expiresAt: new Date(now.getTime() + TOKEN_TTL_SECONDS * 1000).toISOString(),
  };
}
