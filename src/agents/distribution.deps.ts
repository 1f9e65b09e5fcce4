import type { Logger } from '../platform/logger.js';
import type { Services } from '../services.js';
import { type AgentStateDeps, agentStateDeps, recordChange } from './agent-state.store.js';
import type { AgentStateName } from './agents.schemas.js';
import type { AgentsModuleSettings } from './agents.settings.js';
import type { CallControl } from './call-control.js';
import { callOfOffer } from './call-queue.js';
import type { OfferEnded } from './distribution.schemas.js';

// What the distribution's steps share: their dependencies, the URLs Twilio is sent to, and
// how an agent is told of a change.

export interface DistributionDeps extends AgentStateDeps {
  settings: AgentsModuleSettings['distribution'];
  control: CallControl;
  publicBaseUrl: string;
  logger: Logger;
  /** The number a callback shows: the service line's own, which the caller dialled. */
  callerIdFor(line: string): string;
}

export function distributionDeps(services: Services): DistributionDeps {
  return {
    ...agentStateDeps(services),
    settings: services.settings.distribution,
    control: services.callControl,
    publicBaseUrl: services.settings.publicBaseUrl,
    logger: services.logger,
    callerIdFor: (line) =>
      services.lines.byName(line)?.numbers[0] ?? services.settings.twilio.fromNumber ?? '+33970000000',
  };
}

/** Why an agent is moved to a break by the service rather than by their own choice. */
export const NOT_ANSWERING = 'sans réponse';

export const OPEN_CASE = ['OPEN', 'IN_PROGRESS', 'WAITING'] as const;
export const agentSelect = {
  id: true,
  displayName: true,
  agencyId: true,
  autoAccept: true,
  agentPhone: true,
} as const;

export const connectUrl = (deps: DistributionDeps, offerId: string) =>
  `${deps.publicBaseUrl}/twilio/voice/connect?offer=${encodeURIComponent(offerId)}`;
export const holdUrl = (deps: DistributionDeps, offerId: string) =>
  `${deps.publicBaseUrl}/twilio/voice/hold?offer=${encodeURIComponent(offerId)}`;
export const requeueUrl = (deps: DistributionDeps) => `${deps.publicBaseUrl}/twilio/voice/requeue`;
export const callbackUrl = (deps: DistributionDeps, what: 'answered' | 'status', offerId: string) =>
  `${deps.publicBaseUrl}/twilio/voice/callback-${what}?offer=${encodeURIComponent(offerId)}`;

export type Agent = { id: string; displayName: string; agencyId: string | null };

/** Records and tells a state the call scripts already made live for the agent. */
export async function tellAgent(
  deps: DistributionDeps,
  agentId: string,
  state: AgentStateName,
  now: Date,
  reason: string | null = null,
): Promise<void> {
  const agent = await deps.db.user.findUnique({ where: { id: agentId }, select: agentSelect });
  if (agent) await recordChange(deps, agent, { state, reason, since: now.toISOString() });
}

export async function tellOfferEnded(
  deps: DistributionDeps,
  agentId: string,
  offerId: string,
  reason: OfferEnded['reason'],
): Promise<void> {
  const data: OfferEnded = { offerId, callSid: callOfOffer(offerId), reason };
  await deps.events.publish({ type: 'call.offer-ended', userId: agentId, data: { ...data } });
}
