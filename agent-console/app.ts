// The agent console's shell: sign-in, the screens named by the address (#/cases/<id>,
// #/appointments, #/follow-ups, #/oncall, #/alerts, #/supervisor), the live feed handed to every screen, and the header.
//
// A screen is a module exporting a View (views/view.ts).

import {
  get,
  getSession,
  login,
  logout,
  type Session,
  type SignedInUser,
  setUnauthorizedHandler,
  statusOf,
} from './api.js';
import { syncClock } from './clock.js';
import { $, h, showError } from './dom.js';
import { applyTranslations, onLangChange, renderLangSwitch, t, tEnum, toggleLang } from './i18n.js';
import { connectLive, type LiveFeed, type LiveStatus } from './live.js';
import { startSoftphone, stopSoftphone } from './softphone.js';
import { agentState } from './views/agent-state.js';
import { alertsView } from './views/alerts.js';
import { appointmentsView } from './views/appointments.js';
import { casesView } from './views/cases.js';
import { oncallView } from './views/oncall-board.js';
import { screenPops } from './views/screen-pop.js';
import { supervisorView } from './views/supervisor.js';
import type { View, ViewContext } from './views/view.js';
import { workListsView } from './views/work-lists.js';

const VIEWS: View[] = [casesView, appointmentsView, workListsView, oncallView, alertsView, supervisorView];
const DEFAULT_VIEW = 'cases';

const state: { user: SignedInUser | null; connection: LiveStatus; current: View | null } = {
  user: null,
  connection: 'disconnected',
  current: null, // the screen shown
};
let live: LiveFeed | null = null;
let started: View[] = []; // the screens this user may see, started for this sign-in

const allowed = (view: View, user: SignedInUser) => !view.roles || view.roles.includes(user.role);

// ---- sign-in and sign-out ----

function stopAll() {
  live?.close();
  live = null;
  for (const view of started) view.stop?.();
  screenPops.stop();
  agentState.stop();
  stopSoftphone();
  started = [];
  state.current = null;
}

function showLogin(message?: string) {
  stopAll();
  state.user = null;
  $('#session').hidden = true;
  $('#nav').hidden = true;
  $('#console-view').hidden = true;
  $('#login-view').hidden = false;
  showError($('#login-error'), message ? { message } : null);
  $<HTMLInputElement>('#password').value = '';
  $('#email').focus();
}

function showConsole(session: Session & { user: SignedInUser }) {
  state.user = session.user;
  void syncClock().then(() => {
    for (const view of started) view.render?.();
  });
  $('#login-view').hidden = true;
  $('#console-view').hidden = false;
  $('#session').hidden = false;
  $('#nav').hidden = false;

  const ctx = (view: View): ViewContext => ({
    user: session.user,
    root: $(`#view-${view.id}`),
    navigate,
    notify: showNotice,
    emit: (name: string, payload: unknown) => live?.emit(name, payload),
  });
  started = VIEWS.filter((view) => allowed(view, session.user));
  for (const view of started) view.start(ctx(view));
  screenPops.start({ user: session.user, root: $('#screen-pops'), navigate, notify: showNotice });
  void agentState.start({ root: $('#agent-state'), userId: session.user.id, notify: showNotice });
  if (session.user.role === 'AGENT') void startSoftphone(showNotice);
  renderHeader();
  route();

  // The simulator answers 404 when it is switched off: only then is the link hidden.
  $('#sim-link').hidden = true;
  get('/api/simulator/lines').then(
    () => {
      $('#sim-link').hidden = false;
    },
    () => {},
  );

  live = connectLive({
    token: session.token,
    onEvent(event) {
      // One screen failing on an event must not keep it from the others.
      const handlers = [
        () => screenPops.onEvent(event),
        () => agentState.onEvent(event),
        ...started.map((view) => () => view.onEvent?.(event)),
      ];
      for (const handle of handlers)
        try {
          handle();
        } catch (err) {
          console.error('console: a screen failed on a live event', event.type, err);
        }
    },
    onStatus(status) {
      state.connection = status;
      // Up to date only once the (re)connection has caught up (onSynced below).
      if (status !== 'connected') delete $('#conn').dataset.synced;
      renderConnection();
    },
    onSynced(sync) {
      $('#conn').dataset.synced = 'true';
      if (!sync.complete) showNotice(t('conn.incomplete'));
      else if (sync.missed > 0) showNotice(t('conn.resumed', { count: sync.missed }));
      for (const view of started) view.onSynced?.(sync);
    },
    onConnected: () => {
      for (const view of started) view.onConnected?.();
    },
    onPresence(presence) {
      for (const view of started) view.onPresence?.(presence);
    },
    onUnauthorized: () => showLogin(t('login.expired')),
  });
}

$('#login-form').addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const button = $<HTMLButtonElement>('#login-submit');
  button.disabled = true;
  button.textContent = t('login.busy');
  try {
    const session = await login(
      $<HTMLInputElement>('#email').value.trim(),
      $<HTMLInputElement>('#password').value,
    );
    showError($('#login-error'), null);
    if (session.user) showConsole({ ...session, user: session.user });
  } catch (err) {
    // The server's 401 message is French only: use ours, in the chosen language.
    showError($('#login-error'), statusOf(err) === 401 ? t('login.invalid') : (err as Error));
    $<HTMLInputElement>('#password').select();
  } finally {
    button.disabled = false;
    button.textContent = t('login.submit');
  }
});

$('#logout').addEventListener('click', async () => {
  stopAll();
  await logout();
  showLogin();
});

// ---- screens ----

function navigate(hash: string) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/** Shows the screen the address names ("#/cases/<id>"), or the default one. */
function route() {
  if (!state.user) return;
  const [, name, param] = location.hash.match(/^#\/([a-z-]+)(?:\/(.+))?$/) ?? [];
  const view = started.find((v) => v.id === name) ?? started.find((v) => v.id === DEFAULT_VIEW);
  if (!view) return;
  if (state.current && state.current !== view) state.current.hide?.();
  for (const other of started) $(`#view-${other.id}`).hidden = other !== view;
  state.current = view;
  view.show?.(param ? decodeURIComponent(param) : null);
  renderNav();
}

window.addEventListener('hashchange', route);

function renderNav() {
  const nav = $('#nav');
  if (!state.user) {
    nav.replaceChildren();
    return;
  }
  nav.replaceChildren(
    ...started.map((view) =>
      h(
        'a',
        {
          href: `#/${view.id}`,
          id: `nav-${view.id}`,
          'aria-current': view === state.current ? 'page' : false,
        },
        t(view.label),
      ),
    ),
  );
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function showNotice(text: string) {
  const notice = $('#notice');
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    notice.hidden = true;
  }, 15_000);
}

// ---- header ----

function renderConnection() {
  const conn = $('#conn');
  conn.dataset.state = state.connection;
  $('#conn-text').textContent = t(`conn.${state.connection}`);
}

function renderHeader() {
  renderLangSwitch($('#lang'));
  if (state.user)
    $('#who').textContent = t('header.user', {
      name: state.user.displayName,
      role: tEnum('role', state.user.role),
    });
  renderConnection();
  renderNav();
}

$('#lang').addEventListener('click', toggleLang);
onLangChange(() => {
  renderHeader();
  screenPops.render();
  agentState.render();
  for (const view of started) view.render?.();
});

// ---- start ----

setUnauthorizedHandler(() => showLogin(t('login.expired')));
applyTranslations();
renderHeader();
const session = getSession();
if (session?.user) showConsole({ ...session, user: session.user });
else showLogin();
