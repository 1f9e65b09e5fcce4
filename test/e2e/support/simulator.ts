import { LINES, type Service } from './service.js';

// The simulator panel's api (src/messaging/simulator/simulator.routes.ts), as the panel uses it:
// calls into the service lines and SMS from any number go through the real signed webhooks;
// the calls the platform places (pages) ring in the simulator until answered or declined.

export interface Heard {
  sid: string;
  said: string[];
  next: { kind: string };
}

export interface OutboundItem {
  sid: string;
  kind: 'call' | 'sms' | 'email';
  to: string;
  status: string;
  body?: string;
}

export function simulator(service: Service) {
  // Any staff account may drive the simulator; the admin's does not show up in agents' presence.
  const call = <T>(method: string, path: string, body?: unknown) =>
    service.api<T>('admin', method, `/api/simulator${path}`, body);

  const sim = {
    /** Places a call from `from` to a service line; returns what the caller heard first. */
    call: (from: string, to: string = LINES.outOfHours) => call<Heard>('POST', '/calls', { from, to }),
    /** Keys pressed, words spoken, or the message left at a recording step. */
    input: (sid: string, input: { digits?: string; speech?: string; message?: string }) =>
      call<Heard>('POST', `/calls/${sid}/input`, input),
    hangup: (sid: string) => call<null>('POST', `/calls/${sid}/hangup`),
    /** What the platform sent or placed lately (calls, SMS, e-mails), newest first. */
    outbound: () => call<OutboundItem[]>('GET', '/outbound'),
    /** Picks up a page call as the person called; returns what they heard (then `input` key 1 to accept). */
    answer: (sid: string) => call<Heard>('POST', `/outbound/${sid}/answer`),
    decline: (sid: string, outcome: 'busy' | 'no-answer' | 'failed' | 'machine') =>
      call<Heard | null>('POST', `/outbound/${sid}/decline`, { outcome }),
    /** An SMS from `from` to the platform's number (a reply to an alert or a page). */
    sms: (from: string, body: string, to?: string) =>
      call<{ sid: string; status: number; replies: string[] }>('POST', '/sms', { from, body, to }),

    /**
     * Waits until the platform has placed its `n`-th call (1 = the first; counting only calls to
     * `to` when given) and that call rings; returns it, to answer or decline.
     */
    async ringingCall(n: number, to?: string, timeoutMs = 60_000): Promise<OutboundItem> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Newest first: the n-th call placed is n-th from the end.
        const calls = (await sim.outbound()).filter((i) => i.kind === 'call' && (!to || i.to === to));
        const placed = calls[calls.length - n];
        if (placed?.status === 'ringing') return placed;
        if (Date.now() > deadline)
          throw new Error(
            `call ${n}${to ? ` to ${to}` : ''} not ringing within ${timeoutMs} ms (${calls.length} placed${placed ? `, it is ${placed.status}` : ''})`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    },

    /**
     * A customer under contract calls the out-of-hours line about a breakdown (key 2), is
     * recognised by their number, confirms the address read back (key 1) and describes the
     * fault; the call ends and the page goes out (with a service clock at night, e.g.
     * CLOCK_START = TUESDAY_NIGHT).
     */
    async nightCall(from: string, description = 'Plus de chauffage ni d’eau chaude depuis ce soir.') {
      const started = await sim.call(from, LINES.outOfHours);
      const menu = await sim.input(started.sid, { digits: '2' });
      const address = await sim.input(started.sid, { digits: '1' });
      const recorded = await sim.input(started.sid, { message: description });
      return { sid: started.sid, said: [...started.said, ...menu.said, ...address.said, ...recorded.said] };
    },
  };
  return sim;
}
