// The domain actions a flow may call, with the outcomes each can return. A flow naming another
// action, or branching on an outcome the action never returns, is refused by the validator.
// Each one is implemented in domain-actions.ts (the compiler checks none is missing).
export const ACTION_OUTCOMES = {
  'identify-caller': ['one', 'several', 'none', 'withheld'],
  'lookup-reference': ['found', 'several', 'not-found'],
  'check-eligibility': ['eligible', 'not-covered', 'not-under-contract'],
  'open-case': ['opened'],
  'check-opening-hours': ['open', 'closed'],
  // Out-of-hours routing (src/oncall): what happens to the request whose case is open.
  'route-on-call': ['page-now', 'emergency', 'deferred', 'recap-only', 'not-eligible'],
} as const satisfies Record<string, readonly string[]>;

export type ActionName = keyof typeof ACTION_OUTCOMES;
export type ActionOutcome<A extends ActionName> = (typeof ACTION_OUTCOMES)[A][number];

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(ACTION_OUTCOMES, name);
}
