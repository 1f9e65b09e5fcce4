// The console's softphone: the calls an agent accepts ring here and are answered at once (the
// agent said yes in the console already). Behind one interface, the Twilio Voice SDK's Device
// (access token from the api, renewed before it expires) or, without a Twilio account, the
// simulator's stand-in, whose caller speaks through the simulator panel. Agents who take calls
// on a phone (the api answers 503: no API key) have none.

import type { Call } from '@twilio/voice-sdk';
import type { SoftphoneToken } from '../src/agents/distribution.schemas.js';
import { post, statusOf } from './api.js';

export interface Softphone {
  readonly kind: SoftphoneToken['kind'];
  /** Whether the agent's microphone is cut on the call in progress. */
  muted(): boolean;
  mute(on: boolean): void;
  /** Whether a call is connected on it. */
  inCall(): boolean;
  /** Told when a call connects or ends, or the mute changes. */
  onChange(listener: () => void): void;
  stop(): void;
}

let current: Softphone | null = null;

/** The softphone of this console, once registered (null: calls go to the agent's phone). */
export const softphone = (): Softphone | null => current;

export async function startSoftphone(notify: (text: string) => void): Promise<void> {
  current?.stop();
  current = null;
  let registration: SoftphoneToken;
  try {
    registration = await post<SoftphoneToken>('/api/calls/softphone-token');
  } catch (err) {
    // Not an agent (403), or no softphone configured (503): calls go to a phone.
    if (statusOf(err) !== 403 && statusOf(err) !== 503)
      notify(err instanceof Error ? err.message : String(err));
    return;
  }
  current =
    registration.kind === 'twilio' ? await twilioSoftphone(registration, notify) : simulatorSoftphone();
}

export function stopSoftphone(): void {
  current?.stop();
  current = null;
}

/** The simulator's: no audio; the simulated caller is connected by the service. */
function simulatorSoftphone(): Softphone {
  const listeners: Array<() => void> = [];
  let isMuted = false;
  return {
    kind: 'simulator',
    muted: () => isMuted,
    mute(on) {
      isMuted = on;
      for (const listener of listeners) listener();
    },
    inCall: () => false,
    onChange: (listener) => listeners.push(listener),
    stop() {
      listeners.length = 0;
    },
  };
}

async function twilioSoftphone(
  registration: SoftphoneToken,
  notify: (text: string) => void,
): Promise<Softphone> {
  // Loaded only with Twilio: its own chunk of the bundle.
  const { Device } = await import('@twilio/voice-sdk');
  const device = new Device(registration.token ?? '', { closeProtection: true, logLevel: 'warn' });
  const listeners: Array<() => void> = [];
  const changed = () => {
    for (const listener of listeners) listener();
  };
  let call: Call | null = null;
  device.on('incoming', (incoming: Call) => {
    incoming.accept();
    call = incoming;
    incoming.on('disconnect', () => {
      call = null;
      changed();
    });
    changed();
  });
  device.on('tokenWillExpire', () => {
    post<SoftphoneToken>('/api/calls/softphone-token')
      .then((next) => next.token && device.updateToken(next.token))
      .catch((err) => notify(err instanceof Error ? err.message : String(err)));
  });
  device.on('error', (err: { message?: string }) => notify(err.message ?? String(err)));
  await device.register();
  return {
    kind: 'twilio',
    muted: () => call?.isMuted() ?? false,
    mute(on) {
      call?.mute(on);
      changed();
    },
    inCall: () => call !== null,
    onChange: (listener) => listeners.push(listener),
    stop() {
      listeners.length = 0;
      device.destroy();
    },
  };
}
