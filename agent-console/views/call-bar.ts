// The call itself on a daytime pop: the offer ringing (answer or decline before its deadline),
// the call in progress (its timer, mute, hold, transfer to the queue or a colleague, hang up),
// then the wrap-up in which the agent files the call
// on a case with the pop below, and says when they are ready for the next one.

import type { Colleagues } from '../../src/agents/agents.schemas.js';
import type { AcceptedCall, OfferEnded } from '../../src/agents/distribution.schemas.js';
import { get, post, request, statusOf } from '../api.js';
import { serverNow } from '../clock.js';
import { h } from '../dom.js';
import { addStrings, t } from '../i18n.js';
import { softphone } from '../softphone.js';

addStrings({
  fr: {
    'callBar.ringing': 'Appel pour vous · répondre {time}',
    'callBar.answer': 'Répondre',
    'callBar.ringingCallback': 'Rappel demandé par le client · accepter {time}',
    'callBar.callBack': 'Rappeler',
    'callBar.decline': 'Refuser',
    'callBar.connected': 'En communication · {time}',
    'callBar.connectTo.softphone': 'sur votre console',
    'callBar.connectTo.phone': 'sur votre téléphone',
    'callBar.hangUp': 'Raccrocher',
    'callBar.mute': 'Couper le micro',
    'callBar.hold': 'Mettre en attente',
    'callBar.resume': 'Reprendre l’appel',
    'callBar.held': 'L’appelant est en attente : il entend un message d’attente.',
    'callBar.transfer': 'Transférer…',
    'callBar.transferTo': 'Transférer à',
    'callBar.toQueue': 'la file d’attente (le premier conseiller libre)',
    'callBar.transferConfirm': 'Transférer',
    'callBar.transferred': 'Appel transféré : vous êtes en fin d’appel.',
    'callBar.unmute': 'Rétablir le micro',
    'callBar.wrapUp': 'Fin d’appel : classez l’appel sur un dossier ci-dessous.',
    'callBar.ready': 'Prêt pour l’appel suivant',
    'callBar.done': 'Appel terminé.',
    'callBar.callerSaid': 'L’appelant : « {words} »',
    'callBar.gone': 'Cet appel ne vous est plus proposé.',
    'callBar.ended.declined': 'Appel refusé : proposé au conseiller suivant.',
    'callBar.ended.expired': 'Appel non pris à temps : vous êtes en pause « sans réponse ».',
    'callBar.ended.caller-left': 'L’appelant a raccroché.',
    'callBar.ended.taken': 'Appel pris ailleurs.',
  },
  en: {
    'callBar.ringing': 'Call for you · answer {time}',
    'callBar.answer': 'Answer',
    'callBar.ringingCallback': 'Callback asked by the customer · accept {time}',
    'callBar.callBack': 'Call back',
    'callBar.decline': 'Decline',
    'callBar.connected': 'On the call · {time}',
    'callBar.connectTo.softphone': 'on your console',
    'callBar.connectTo.phone': 'on your phone',
    'callBar.hangUp': 'Hang up',
    'callBar.mute': 'Mute',
    'callBar.hold': 'Hold',
    'callBar.resume': 'Resume the call',
    'callBar.held': 'The caller is on hold: they hear a hold message.',
    'callBar.transfer': 'Transfer…',
    'callBar.transferTo': 'Transfer to',
    'callBar.toQueue': 'the queue (the first free agent)',
    'callBar.transferConfirm': 'Transfer',
    'callBar.transferred': 'Call transferred: you are in wrap-up.',
    'callBar.unmute': 'Unmute',
    'callBar.wrapUp': 'Wrap-up: file the call on a case below.',
    'callBar.ready': 'Ready for the next call',
    'callBar.done': 'Call ended.',
    'callBar.callerSaid': 'Caller: “{words}”',
    'callBar.gone': 'This call is no longer offered to you.',
    'callBar.ended.declined': 'Call declined: offered to the next agent.',
    'callBar.ended.expired': 'Call not taken in time: you are on a "not answering" break.',
    'callBar.ended.caller-left': 'The caller hung up.',
    'callBar.ended.taken': 'Call taken elsewhere.',
  },
});

export type CallPhase = 'ringing' | 'connected' | 'wrap-up' | 'done';

export interface CallOnScreen {
  offerId: string;
  expiresAt: string;
  phase: CallPhase;
  /** When the agent answered (server time, ms): the call's timer runs from it. */
  answeredAt?: number;
  connectTo?: AcceptedCall['connectTo'];
  busy?: boolean;
  /** What the simulated caller said (the simulator's stand-in for the audio). */
  heard?: string[];
  /** The caller asked to be called back: answering calls them. */
  callback?: boolean;
  /** The caller is on hold. */
  held?: boolean;
  /** The colleagues the call may be handed to, while the agent chooses (null: not choosing). */
  transferTo?: Colleagues | null;
}

export interface CallBarHooks {
  /** Redraws the pops. */
  changed(): void;
  /** The offer is over on this console: its pop goes. */
  gone(text: string): void;
  notify(text: string): void;
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
const clock = (ms: number) => {
  const s = seconds(ms);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** The text of a call's timer now: the offer's time left, or the call's duration. */
export function timerText(call: CallOnScreen, now = serverNow()): string {
  if (call.phase === 'ringing')
    return t(call.callback ? 'callBar.ringingCallback' : 'callBar.ringing', {
      time: `${seconds(new Date(call.expiresAt).getTime() - now)} s`,
    });
  if (call.phase === 'connected')
    return t('callBar.connected', { time: clock(now - (call.answeredAt ?? now)) });
  return '';
}

/** The reason an offer ended, as the agent is told. */
export const endedText = (reason: OfferEnded['reason']) => t(`callBar.ended.${reason}`);

export function callBar(call: CallOnScreen, hooks: CallBarHooks): HTMLElement {
  const act = async (action: () => Promise<void>) => {
    call.busy = true;
    hooks.changed();
    try {
      await action();
    } catch (err) {
      if (statusOf(err) === 409 && call.phase === 'ringing') hooks.gone(t('callBar.gone'));
      else hooks.notify(err instanceof Error ? err.message : String(err));
    } finally {
      call.busy = false;
      hooks.changed();
    }
  };
  const answer = () =>
    act(async () => {
      const accepted = await post<AcceptedCall>(
        `/api/calls/offers/${encodeURIComponent(call.offerId)}/accept`,
      );
      call.phase = 'connected';
      call.answeredAt = serverNow();
      call.connectTo = accepted.connectTo;
    });
  const decline = () =>
    act(async () => {
      await post(`/api/calls/offers/${encodeURIComponent(call.offerId)}/decline`);
      hooks.gone(endedText('declined'));
    });
  const hold = () =>
    act(async () => {
      call.held = (await post<{ held: boolean }>('/api/calls/current/hold', { on: !call.held })).held;
    });
  const chooseTransfer = () =>
    act(async () => {
      call.transferTo = call.transferTo ? null : await get<Colleagues>('/api/agents/available');
    });
  const transfer = (to: string) =>
    act(async () => {
      await post(
        '/api/calls/current/transfer',
        to === 'queue' ? { to: 'queue' } : { to: 'agent', agentId: to },
      );
      call.transferTo = null;
      call.phase = 'wrap-up';
      hooks.notify(t('callBar.transferred'));
    });
  const hangUp = () =>
    act(async () => {
      await post('/api/calls/current/hangup');
      call.phase = 'wrap-up';
    });
  const ready = () =>
    act(async () => {
      await request('PUT', '/api/agents/me/state', { state: 'AVAILABLE' });
      call.phase = 'done';
    });

  const timer = h('strong', { dataset: { callTimer: call.offerId } }, timerText(call));
  const button = (label: string, onclick: () => void, primary = false) =>
    h('button', { type: 'button', class: primary ? 'primary' : '', disabled: call.busy, onclick }, label);
  switch (call.phase) {
    case 'ringing':
      return h(
        'div',
        { class: 'call-bar ringing', role: 'group' },
        timer,
        button(t(call.callback ? 'callBar.callBack' : 'callBar.answer'), answer, true),
        button(t('callBar.decline'), decline),
      );
    case 'connected': {
      const phone = softphone();
      return h(
        'div',
        { class: 'call-bar connected', role: 'group' },
        timer,
        call.connectTo ? ` ${t(`callBar.connectTo.${call.connectTo}`)} ` : ' ',
        phone && call.connectTo !== 'phone'
          ? h(
              'button',
              {
                type: 'button',
                'aria-pressed': phone.muted() ? 'true' : 'false',
                dataset: { mute: 'true' },
                onclick: () => {
                  phone.mute(!phone.muted());
                  hooks.changed();
                },
              },
              t(phone.muted() ? 'callBar.unmute' : 'callBar.mute'),
            )
          : null,
        button(t(call.held ? 'callBar.resume' : 'callBar.hold'), hold),
        button(t('callBar.transfer'), chooseTransfer),
        button(t('callBar.hangUp'), hangUp, true),
        call.transferTo ? transferChoice(call.transferTo, transfer) : null,
        call.held ? h('p', { class: 'muted' }, t('callBar.held')) : null,
        call.heard?.length
          ? h(
              'ul',
              { class: 'caller-said', 'aria-live': 'polite' },
              call.heard.map((words) => h('li', {}, t('callBar.callerSaid', { words }))),
            )
          : null,
      );
    }
    case 'wrap-up':
      return h(
        'div',
        { class: 'call-bar wrap-up', role: 'group' },
        h('span', {}, t('callBar.wrapUp')),
        button(t('callBar.ready'), ready, true),
      );
    case 'done':
      return h('div', { class: 'call-bar done' }, t('callBar.done'));
  }
}

/** The queue or a colleague available now, then the confirmation. */
function transferChoice(colleagues: Colleagues, transfer: (to: string) => void): HTMLElement {
  const select = h(
    'select',
    { id: 'transfer-to', 'aria-label': t('callBar.transferTo') },
    h('option', { value: 'queue' }, t('callBar.toQueue')),
    colleagues.map((c) => h('option', { value: c.userId }, c.displayName)),
  );
  return h(
    'form',
    {
      class: 'row transfer',
      onsubmit: (submit: Event) => {
        submit.preventDefault();
        transfer(select.value);
      },
    },
    h('label', { for: 'transfer-to' }, t('callBar.transferTo')),
    select,
    h('button', { type: 'submit', class: 'primary' }, t('callBar.transferConfirm')),
  );
}

/** Refreshes the timers on screen without redrawing the pops (the agent may be typing). */
export function tickTimers(calls: Iterable<CallOnScreen>): void {
  const now = serverNow();
  for (const call of calls) {
    const element = document.querySelector(`[data-call-timer="${CSS.escape(call.offerId)}"]`);
    if (element) element.textContent = timerText(call, now);
  }
}
