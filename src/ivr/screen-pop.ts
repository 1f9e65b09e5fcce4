import { statusOf } from '../identification/identify.js';
import type { EventBus } from '../realtime/event-bus.js';
import type { CallState } from './call-state.js';
import type { ScreenPop, ScreenPopReason } from './ivr.schemas.js';
import type { ServiceLine } from './service-lines.js';

// The screen pop: a call that reaches the agents (queued on the daytime line) or a night call
// whose case is open is announced to the console with who the caller may be. The console then
// fetches the candidates and the identification checklist (src/identification).

export type { ScreenPop, ScreenPopReason } from './ivr.schemas.js';

export function screenPopOf(
  state: CallState,
  line: ServiceLine,
  reason: ScreenPopReason,
  at: Date,
  kase: { id: string; number: number } | null = null,
): ScreenPop {
  // A withheld number may still be identified by the reference the caller keyed.
  const identification =
    !state.from && state.customerIds.length === 0 ? 'withheld' : statusOf(state.customerIds);
  return {
    callSid: state.callSid,
    line: line.name,
    lineKind: line.kind,
    reason,
    callerNumber: state.from,
    identification,
    customerIds: state.customerIds,
    referenceGiven: state.vars.referenceGiven === 'yes',
    caseId: kase?.id ?? state.caseId,
    caseNumber: kase?.number ?? null,
    at: at.toISOString(),
  };
}

/** True when this answer has just put the caller in an agent queue (not a replay of it). */
export function justQueued(line: ServiceLine, before: CallState | null, after: CallState): boolean {
  const step = line.steps[after.step];
  if (step?.type !== 'transfer' || !step.to.startsWith('queue:')) return false;
  return !before || before.step !== after.step;
}

/** True when this answer has just taken the caller out of an agent queue (to the voicemail). */
export function justLeftQueue(line: ServiceLine, before: CallState, after: CallState): boolean {
  const step = line.steps[before.step];
  return step?.type === 'transfer' && step.to.startsWith('queue:') && after.step !== before.step;
}

export async function announceCall(events: EventBus, pop: ScreenPop, agencyId: string | null): Promise<void> {
  await events.publish({ type: 'call.screen-pop', agencyId, at: pop.at, data: { ...pop } });
}
