// The simulator panel: one person plays the caller, the paged technician and the SMS subscriber.
// Every action goes to /api/simulator/*, which drives the platform's real Twilio webhooks.

import type {
  NextStep,
  SimulatorLine,
  SimulatorOutboundItem,
  SimulatorSmsReply,
  SimulatorStep,
} from '../src/messaging/simulator/simulator.schemas.js';
import {
  clearSession,
  get,
  getSession,
  post,
  type SignedInUser,
  setUnauthorizedHandler,
  statusOf,
} from './api.js';
import { $, h, redrawQuietly, showError } from './dom.js';
import {
  applyTranslations,
  formatDate,
  onLangChange,
  type Params,
  renderLangSwitch,
  t,
  tEnum,
  toggleLang,
} from './i18n.js';
import { connectLive, type LiveFeed, type LiveStatus } from './live.js';

const MAX_ITEMS = 100;
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/** A line of the call's transcript: what was said, or a note of the panel (translated when drawn). */
type TranscriptLine = { who: 'ivr' | 'you'; text: string } | { who: 'system'; key: string; params: Params };

/** The simulated phone's call: one at a time, like a real handset. */
interface PhoneCall {
  sid: string;
  /** What the call waits for (null before the first answer). */
  next: NextStep | null;
  ended: boolean;
  /** An input is on its way: further presses are ignored. */
  busy: boolean;
  /** The keys pressed since the last input was sent. */
  digits: string;
  transcript: TranscriptLine[];
}

const state: {
  user: SignedInUser | null;
  connection: LiveStatus;
  /** Newest first. */
  outbound: SimulatorOutboundItem[];
  call: PhoneCall | null;
} = {
  user: null,
  connection: 'connecting',
  outbound: [],
  call: null,
};
let live: LiveFeed | null = null;

/** A failed call (an ApiError) or anything thrown, as showError takes it. */
const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

// ---- access ----

/** Replaces the panel with a message; `text` (a server message) wins over the translated `key`. */
function showGate(key: string, text?: string) {
  live?.close();
  live = null;
  $('#sim-view').hidden = true;
  $('#session').hidden = true;
  $('#gate').hidden = false;
  const gate = $('#gate-text');
  // With data-i18n the message follows language changes; a server message stays as it came.
  if (text) delete gate.dataset.i18n;
  else gate.dataset.i18n = key;
  gate.textContent = text ?? t(key);
}

async function start() {
  const session = getSession();
  if (!session) {
    showGate('sim.needLogin');
    return;
  }
  state.user = session.user;
  let lines: SimulatorLine[] = [];
  try {
    lines = await get<SimulatorLine[]>('/api/simulator/lines');
  } catch (err) {
    const status = statusOf(err);
    if (status === 401) return; // the unauthorized handler has shown the gate
    if (status === 404) showGate('sim.disabled');
    else showGate('sim.needLogin', asError(err).message);
    return;
  }

  $<HTMLSelectElement>('#call-to').replaceChildren(
    ...lines.map((line) =>
      h(
        'optgroup',
        { label: `${line.name} (${line.kind})` },
        line.numbers.map((number) => h('option', { value: number }, number)),
      ),
    ),
  );
  $('#gate').hidden = true;
  $('#sim-view').hidden = false;
  $('#session').hidden = false;
  renderHeader();

  live = connectLive({
    token: session.token,
    onEvent(event) {
      // The event's data is an item of the list (simulator.schemas.ts).
      if (event.type === 'simulator.outbound' && event.data.sid)
        upsertOutbound(event.data as SimulatorOutboundItem);
      // The service moved the call held here (an agent answered or hung up): follow it.
      if (event.type === 'simulator.call' && event.data.sid === state.call?.sid)
        applyStep(event.data as SimulatorStep);
      // A worker asked it: have the api play it.
      const held = state.call?.sid;
      if (event.type === 'simulator.call-control' && held && event.data.sid === held)
        void post(`/api/simulator/calls/${held}/follow`).catch(() => undefined);
    },
    onStatus(status) {
      state.connection = status;
      renderHeader();
    },
    onSynced({ reload }) {
      if (reload) void loadOutbound();
    },
    onUnauthorized: expired,
  });
  void loadOutbound();
}

function expired() {
  clearSession();
  showGate('login.expired');
}

// ---- the call (inbound as the caller, or outbound answered as the technician) ----

function say(who: 'ivr' | 'you', text: string) {
  addLine({ who, text });
}

function note(key: string, params: Params = {}) {
  addLine({ who: 'system', key, params });
}

function addLine(line: TranscriptLine) {
  if (!state.call) return;
  state.call.transcript.push(line);
  $('#transcript').append(transcriptItem(line));
}

function transcriptItem(line: TranscriptLine): HTMLLIElement {
  if (line.who === 'system') return h('li', { class: 'system' }, t(line.key, line.params));
  const label = line.who === 'ivr' ? t('call.ivr') : t('call.you');
  return h('li', {}, h('span', { class: `who-${line.who}` }, label), ' ', line.text);
}

function beginCall(sid: string, intro?: { key: string; params: Params }) {
  state.call = { sid, next: null, ended: false, busy: false, digits: '', transcript: [] };
  $('#transcript').replaceChildren();
  $('#call').hidden = false;
  if (intro) note(intro.key, intro.params);
}

/** Applies an answer `{sid, said, next}`: what the IVR said, then what it waits for. */
function applyStep(reply: SimulatorStep) {
  const call = state.call;
  if (!call) return;
  for (const line of reply.said) say('ivr', line);
  call.next = reply.next;
  call.digits = '';
  if (withAgent(reply.next)) note('call.withAgent');
  else if (reply.next.kind === 'dial') note('call.dialing', { number: reply.next.number });
  if (reply.next.kind === 'enqueue') note('call.queued');
  if (reply.next.kind === 'redirect') note('call.waiting');
  if (reply.next.kind === 'hangup') endCall();
  renderCallControls();
}

/** Connected to an agent's softphone (or phone): the caller speaks to them. */
const withAgent = (next: SimulatorStep['next'] | null | undefined) =>
  next?.kind === 'dial' &&
  (next.number.startsWith('client:agent-') || next.action?.includes('/agent-leg') === true);

function endCall() {
  if (!state.call || state.call.ended) return;
  state.call.ended = true;
  note('call.ended');
}

function renderCallControls() {
  const call = state.call;
  const waitingFor = call && !call.ended ? call.next?.kind : null;
  const hadFocus = $('#call').contains(document.activeElement);
  $('#gather').hidden = waitingFor !== 'gather';
  $('#speech-form').hidden = waitingFor !== 'gather' && !(call && !call.ended && withAgent(call.next));
  $('#queue-wait').hidden = waitingFor !== 'enqueue';
  $('#record-form').hidden = waitingFor !== 'record';
  $('#hangup').hidden = !call || call.ended;
  $('#typed').textContent = call?.digits ?? '';
  $('#call').setAttribute('aria-busy', call?.busy ? 'true' : 'false');
  // When the control that had focus disappears, put focus on what the call now expects.
  const lost = document.activeElement === document.body || document.activeElement?.closest('[hidden]');
  if (hadFocus && lost) focusCallControl();
}

function focusCallControl() {
  const kind = state.call && !state.call.ended ? state.call.next?.kind : null;
  if (kind === 'gather') $('#keypad button').focus();
  else if (kind === 'record') $<HTMLTextAreaElement>('#record-text').focus();
  else if (kind === 'enqueue') $('#wait-more').focus();
  else if (kind) $('#hangup').focus();
  else $('#call-title').focus();
}

/** Sends one input; while it runs, further presses are ignored (buttons stay enabled so focus stays). */
async function sendInput(body: { digits?: string; speech?: string; message?: string }, spoken: string) {
  const call = state.call;
  if (!call || call.ended || call.busy) return;
  call.busy = true;
  say('you', spoken);
  renderCallControls();
  try {
    applyStep(await post<SimulatorStep>(`/api/simulator/calls/${call.sid}/input`, body));
    showError($('#call-error'), null);
  } catch (err) {
    showError($('#call-error'), asError(err));
    if (statusOf(err) === 404) endCall();
  } finally {
    call.busy = false;
    renderCallControls();
  }
}

function sendDigits() {
  const digits = state.call?.digits ?? '';
  void sendInput({ digits }, digits ? digits.split('').join(' ') : t('call.silence'));
}

/** A key press on the simulated keypad, behaving like Twilio's <Gather>. */
function press(key: string) {
  const call = state.call;
  if (!call || call.ended || call.busy || call.next?.kind !== 'gather') return;
  // '#' ends the input, as Twilio's default finishOnKey; it is not part of the digits.
  if (key === '#') {
    sendDigits();
    return;
  }
  if (call.digits.length >= 32) return;
  call.digits += key;
  $('#typed').textContent = call.digits;
  if (call.next.numDigits && call.digits.length >= call.next.numDigits) sendDigits();
}

$('#keypad').append(...KEYS.map((key) => h('button', { type: 'button', onclick: () => press(key) }, key)));
$('#send-digits').addEventListener('click', sendDigits);
$('#clear-digits').addEventListener('click', () => {
  if (!state.call) return;
  state.call.digits = '';
  $('#typed').textContent = '';
});

// Digits typed anywhere on the page go to the keypad, except while writing in a field.
document.addEventListener('keydown', (key) => {
  if (!KEYS.includes(key.key) || key.ctrlKey || key.metaKey || key.altKey) return;
  if (key.target instanceof Element && key.target.closest('input, textarea, select')) return;
  if (state.call?.next?.kind !== 'gather' || state.call.ended) return;
  key.preventDefault();
  press(key.key);
});

$('#speech-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  const field = $<HTMLInputElement>('#speech');
  const speech = field.value.trim();
  if (!speech) return;
  field.value = '';
  void sendInput({ speech }, `« ${speech} »`);
});

$('#wait-more').addEventListener('click', () => void sendInput({}, t('call.waitMore')));

$('#record-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  const field = $<HTMLTextAreaElement>('#record-text');
  const message = field.value.trim();
  field.value = '';
  void sendInput({ message }, message ? `« ${message} »` : t('call.silence'));
});

$('#call-form').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  if (state.call && !state.call.ended) {
    showError($('#call-error'), { message: t('call.busyLine') });
    return;
  }
  const from = $<HTMLInputElement>('#call-from').value.trim();
  try {
    const reply = await post<SimulatorStep>('/api/simulator/calls', {
      from,
      to: $<HTMLSelectElement>('#call-to').value,
    });
    showError($('#call-error'), null);
    beginCall(reply.sid);
    applyStep(reply);
    focusCallControl();
  } catch (err) {
    showError($('#call-error'), asError(err));
  }
});

$('#hangup').addEventListener('click', async () => {
  const call = state.call;
  if (!call || call.ended) return;
  try {
    await post<null>(`/api/simulator/calls/${call.sid}/hangup`);
    showError($('#call-error'), null);
  } catch (err) {
    // Even if the server lost the call, the handset is hung up.
    showError($('#call-error'), asError(err));
  }
  endCall();
  renderCallControls();
  $('#call-title').focus();
});

// ---- what the platform sent ----

async function loadOutbound() {
  try {
    state.outbound = await get<SimulatorOutboundItem[]>('/api/simulator/outbound');
    showError($('#out-error'), null);
    renderOutbound();
  } catch (err) {
    if (statusOf(err) !== 401) showError($('#out-error'), asError(err));
  }
}

function renderOutbound() {
  redrawQuietly($('#outbound'), state.outbound.map(outboundItem));
  $('#out-empty').hidden = state.outbound.length > 0;
}

/** A new item goes on top; a status change replaces the item where it is. */
function upsertOutbound(item: SimulatorOutboundItem) {
  const list = $('#outbound');
  const index = state.outbound.findIndex((o) => o.sid === item.sid);
  if (index === -1) {
    state.outbound.unshift(item);
    list.prepend(outboundItem(item));
    if (state.outbound.length > MAX_ITEMS) {
      state.outbound.length = MAX_ITEMS;
      list.lastElementChild?.remove();
    }
  } else {
    state.outbound[index] = item;
    const old = list.querySelector(`[data-sid="${CSS.escape(item.sid)}"]`);
    if (old) {
      const focused = document.activeElement;
      const hadFocus = focused instanceof HTMLElement && old.contains(focused);
      const action = hadFocus ? focused.dataset.action : undefined;
      const fresh = outboundItem(item);
      old.replaceWith(fresh);
      // Keep keyboard focus on the same button, or on the item when that button is gone.
      if (hadFocus)
        ((action && fresh.querySelector<HTMLElement>(`[data-action="${action}"]`)) || fresh).focus();
    }
  }
  $('#out-empty').hidden = state.outbound.length > 0;
}

function outboundItem(item: SimulatorOutboundItem): HTMLLIElement {
  const kind = t(`out.kind.${item.kind}`);
  // Several items may show the same buttons: each button is described by its item's route.
  const routeId = `route-${item.sid}`;
  const actions: HTMLElement[] = [];
  if (item.kind === 'call' && item.status === 'ringing') {
    const selectId = `outcome-${item.sid}`;
    const outcome = h(
      'select',
      { id: selectId, dataset: { action: 'outcome' } },
      ['busy', 'no-answer', 'failed', 'machine'].map((o) => h('option', { value: o }, t(`out.outcome.${o}`))),
    );
    actions.push(
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          'aria-describedby': routeId,
          dataset: { action: 'answer' },
          onclick: () => answer(item),
        },
        t('out.answer'),
      ),
      h('label', { for: selectId }, t('out.outcome')),
      outcome,
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'aria-describedby': routeId,
          dataset: { action: 'decline' },
          onclick: () => decline(item, outcome.value),
        },
        t('out.decline'),
      ),
    );
  }
  if (item.kind === 'sms')
    actions.push(
      h(
        'button',
        {
          type: 'button',
          'aria-describedby': routeId,
          dataset: { action: 'reply' },
          onclick: () => replyTo(item),
        },
        t('out.reply'),
      ),
    );
  return h(
    'li',
    { tabindex: '-1', dataset: { sid: item.sid } },
    h(
      'p',
      {},
      h('strong', {}, kind),
      ' · ',
      h('span', { class: 'badge', dataset: { status: item.status } }, tEnum('out.status', item.status)),
      ' · ',
      h('time', { datetime: item.at }, formatDate(item.at)),
    ),
    h('p', { id: routeId, class: 'muted' }, t('out.route', { from: item.from, to: item.to })),
    item.subject ? h('p', {}, h('strong', {}, item.subject)) : null,
    item.body ? h('p', {}, item.body) : null,
    actions.length ? h('div', { class: 'row' }, actions) : null,
  );
}

async function answer(item: SimulatorOutboundItem) {
  if (state.call && !state.call.ended) {
    showError($('#out-error'), { message: t('call.busyLine') });
    return;
  }
  try {
    const reply = await post<SimulatorStep>(`/api/simulator/outbound/${item.sid}/answer`);
    showError($('#out-error'), null);
    beginCall(reply.sid, { key: 'call.answeredAs', params: { to: item.to } });
    applyStep(reply);
    focusCallControl();
  } catch (err) {
    showError($('#out-error'), asError(err));
  }
}

async function decline(item: SimulatorOutboundItem, outcome: string) {
  try {
    // The voicemail ('machine') answers what it said; the panel does not show it.
    await post<SimulatorStep | null>(`/api/simulator/outbound/${item.sid}/decline`, { outcome });
    showError($('#out-error'), null);
    // The live event will redraw the item; this covers a feed that is down.
    upsertOutbound({ ...item, status: outcome });
  } catch (err) {
    showError($('#out-error'), asError(err));
  }
}

function replyTo(item: SimulatorOutboundItem) {
  $<HTMLInputElement>('#sms-from').value = item.to;
  const body = $<HTMLTextAreaElement>('#sms-body');
  body.focus();
  body.scrollIntoView({ block: 'center' });
}

// ---- SMS from a subscriber ----

$('#sms-form').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const result = $('#sms-result');
  const body = $<HTMLTextAreaElement>('#sms-body');
  try {
    const reply = await post<SimulatorSmsReply>('/api/simulator/sms', {
      from: $<HTMLInputElement>('#sms-from').value.trim(),
      body: body.value,
    });
    showError($('#sms-error'), null);
    body.value = '';
    // Wrapped in a div: h() leaves out the parts not shown (replaceChildren would write "null").
    result.replaceChildren(
      h(
        'div',
        {},
        h('h3', {}, t('sms.replies')),
        reply.status >= 400 ? h('p', { class: 'error' }, t('error.http', { status: reply.status })) : null,
      ),
      reply.replies.length
        ? h(
            'ul',
            {},
            reply.replies.map((text) => h('li', {}, text)),
          )
        : h('p', { class: 'muted' }, t('sms.noReply')),
    );
  } catch (err) {
    showError($('#sms-error'), asError(err));
  }
});

// ---- header and language ----

function renderHeader() {
  renderLangSwitch($('#lang'));
  if (state.user) $('#who').textContent = state.user.displayName;
  $('#conn').dataset.state = state.connection;
  $('#conn-text').textContent = t(`conn.${state.connection}`);
}

$('#lang').addEventListener('click', toggleLang);
onLangChange(() => {
  renderHeader();
  renderOutbound();
  if (state.call) redrawQuietly($('#transcript'), state.call.transcript.map(transcriptItem));
});

setUnauthorizedHandler(expired);
applyTranslations();
renderHeader();
void start();
