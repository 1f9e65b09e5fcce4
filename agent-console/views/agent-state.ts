// The agent's own state for taking calls, in the header: available, on a break (with a reason),
// offline. Offered or on a call, the call moves it; a wrap-up may be ended early by going available.
// Changes made elsewhere (another tab, the service taking a closed console offline) arrive live.

import type { AgentStatus, ChosenState } from '../../src/agents/agents.schemas.js';
import { get, request } from '../api.js';
import { h } from '../dom.js';
import { addStrings, t, tEnum } from '../i18n.js';
import type { DomainEvent } from '../live.js';

addStrings({
  fr: {
    'agentState.label': 'Mon état',
    'agentState.OFFLINE': 'hors ligne',
    'agentState.AVAILABLE': 'disponible',
    'agentState.OFFERED': 'appel proposé',
    'agentState.ON_CALL': 'en appel',
    'agentState.WRAP_UP': 'fin d’appel',
    'agentState.BREAK': 'en pause',
    'agentState.reason': 'Motif de la pause',
    'agentState.reason.pause': 'Pause',
    'agentState.reason.meal': 'Repas',
    'agentState.reason.training': 'Formation',
    'agentState.reason.meeting': 'Réunion',
  },
  en: {
    'agentState.label': 'My state',
    'agentState.OFFLINE': 'offline',
    'agentState.AVAILABLE': 'available',
    'agentState.OFFERED': 'call offered',
    'agentState.ON_CALL': 'on a call',
    'agentState.WRAP_UP': 'wrap-up',
    'agentState.BREAK': 'on a break',
    'agentState.reason': 'Reason for the break',
    'agentState.reason.pause': 'Break',
    'agentState.reason.meal': 'Meal',
    'agentState.reason.training': 'Training',
    'agentState.reason.meeting': 'Meeting',
  },
});

const CHOSEN: readonly ChosenState[] = ['AVAILABLE', 'BREAK', 'OFFLINE'];
const REASONS = ['pause', 'meal', 'training', 'meeting'] as const;

let root: HTMLElement | null = null;
let userId: string | null = null;
let status: AgentStatus | null = null;
let notify: (text: string) => void = () => {};

const isChosen = (state: string): state is ChosenState => (CHOSEN as readonly string[]).includes(state);

export const agentState = {
  async start(context: { root: HTMLElement; userId: string; notify(text: string): void }) {
    root = context.root;
    userId = context.userId;
    notify = context.notify;
    root.hidden = false;
    render();
    try {
      status = await get<AgentStatus>('/api/agents/me');
    } catch (err) {
      notify(err instanceof Error ? err.message : String(err));
    }
    render();
  },
  onEvent(event: DomainEvent) {
    if (event.type !== 'agent.state' || event.data.userId !== userId) return;
    status = event.data as AgentStatus;
    render();
  },
  render,
  stop() {
    if (root) {
      root.replaceChildren();
      root.hidden = true;
    }
    root = null;
    status = null;
  },
};

async function choose(state: ChosenState, reason?: string) {
  try {
    status = await request<AgentStatus>('PUT', '/api/agents/me/state', {
      state,
      ...(reason ? { reason } : {}),
    });
  } catch (err) {
    notify(err instanceof Error ? err.message : String(err));
  }
  render();
}

function render(): void {
  if (!root) return;
  const current = status?.state ?? 'OFFLINE';
  const hadFocus = root.contains(document.activeElement) ? (document.activeElement?.id ?? null) : null;
  const select = h(
    'select',
    {
      id: 'agent-state-select',
      // A wrap-up may be ended early; offered or on a call, the call decides.
      disabled: (!isChosen(current) && current !== 'WRAP_UP') || !status,
      dataset: { state: current },
      onchange: (event: Event) => {
        const value = (event.target as HTMLSelectElement).value;
        // A break waits for its reason (the second list); the others apply at once.
        if (value === 'BREAK') {
          status = status && { ...status, state: 'BREAK', reason: null };
          render();
          document.getElementById('agent-state-reason')?.focus();
        } else if (isChosen(value)) void choose(value);
      },
    },
    (isChosen(current) ? CHOSEN : [current, ...CHOSEN]).map((state) =>
      h('option', { value: state, selected: state === current }, tEnum('agentState', state)),
    ),
  );
  const reason =
    current === 'BREAK'
      ? h(
          'select',
          {
            id: 'agent-state-reason',
            'aria-label': t('agentState.reason'),
            onchange: (event: Event) => {
              const value = (event.target as HTMLSelectElement).value;
              if (value) void choose('BREAK', t(`agentState.reason.${value}`));
            },
          },
          h(
            'option',
            { value: '', selected: !status?.reason },
            status?.reason ?? `${t('agentState.reason')}…`,
          ),
          REASONS.map((r) => h('option', { value: r }, t(`agentState.reason.${r}`))),
        )
      : null;
  root.replaceChildren(
    h('label', { for: 'agent-state-select' }, t('agentState.label')),
    ' ',
    select,
    reason ? ' ' : '',
    reason ?? '',
  );
  if (hadFocus) document.getElementById(hadFocus)?.focus();
}
