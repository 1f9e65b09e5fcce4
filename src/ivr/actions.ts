// The domain actions a flow may call, with the outcomes each can return. A flow naming another
// action, or branching on an outcome the action never returns, is refused by the validator.
export const ACTION_OUTCOMES: Record<string, readonly string[]> = {
  'identify-caller': ['one', 'several', 'none', 'withheld'],
  'lookup-reference': ['found', 'not-found'],
  'check-eligibility': ['eligible', 'not-covered', 'not-under-contract'],
  'open-case': ['opened'],
  'page-on-call': ['paged', 'deferred', 'escalated'],
  'check-opening-hours': ['open', 'closed'],
};
