import type { AgentStateName, ChosenState } from './agents.schemas.js';

// Which state an agent may choose from the one they are in. Offered, on a call or in wrap-up,
// the call decides (accept, hang up, the wrap-up's end); an agent may still end their wrap-up
// early by going available. A break always says why.

/** Why the service moved an agent whose consoles are all closed. */
export const CONSOLE_CLOSED = 'console fermée';

const CALL_STATES: readonly AgentStateName[] = ['OFFERED', 'ON_CALL'];

export type Refusal = { code: 'in_call' | 'reason_required'; message: string };

export function refusalOf(from: AgentStateName, to: ChosenState, reason: string | undefined): Refusal | null {
  if (CALL_STATES.includes(from))
    return {
      code: 'in_call',
      message: `an agent ${from === 'OFFERED' ? 'offered' : 'on'} a call cannot change state`,
    };
  if (to === 'BREAK' && !reason?.trim())
    return { code: 'reason_required', message: 'a break needs a reason' };
  return null;
}
