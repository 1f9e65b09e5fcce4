import { randomBytes } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';

// The Twilio REST API as msw answers it: the same paths, JSON shapes, error bodies and list
// envelopes as api.twilio.com (2010-04-01), so the real twilio SDK runs unchanged.

export const TWILIO_TEST_BASE = 'https://api.twilio.test';
export const TEST_ACCOUNT_SID = `AC${'0'.repeat(31)}1`;
export const TEST_AUTH_TOKEN = 'test-auth-token';
/** Settings that send through the Twilio SDK to the msw double below. */
export const TWILIO_TEST_ENV = {
  TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
  TWILIO_API_BASE_URL: TWILIO_TEST_BASE,
  TWILIO_FROM_NUMBER: '+33970000000',
};

interface Sent {
  sid: string;
  to: string;
  from: string;
  body?: string;
  url?: string;
  statusCallback?: string;
  dateCreated: Date;
  form: Record<string, string>;
}

type Failure = { status: number; code: number; message: string };

const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');
const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

export function createTwilioApi() {
  const messages: Sent[] = [];
  const calls: Sent[] = [];
  /** Live calls moved (Url) or ended (Status=completed) through the REST API, in order. */
  const callUpdates: Array<{ sid: string; form: Record<string, string> }> = [];
  /** Calls Twilio has no longer in progress: an update answers 21220. */
  const endedCalls = new Set<string>();
  const failures: Failure[] = [];
  let outage: (() => Failure | null) | undefined;
  /**
   * Called twice per create request: before Twilio accepts it and after (the message exists at
   * Twilio but the response has not left yet). Lets a test kill a worker at either point.
   */
  const lists: string[] = [];
  let onCreate: ((kind: 'message' | 'call', phase: 'received' | 'accepted') => Promise<void>) | undefined;

  const base = `${TWILIO_TEST_BASE}/2010-04-01/Accounts/:accountSid`;

  const messageJson = (m: Sent) => ({
    account_sid: TEST_ACCOUNT_SID,
    api_version: '2010-04-01',
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: null,
    date_updated: rfc2822(m.dateCreated),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: m.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'EUR',
    sid: m.sid,
    status: 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages/${m.sid}/Media.json` },
    to: m.to,
    uri: `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages/${m.sid}.json`,
  });

  const callJson = (c: Sent) => ({
    account_sid: TEST_ACCOUNT_SID,
    api_version: '2010-04-01',
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateCreated),
    direction: 'outbound-api',
    from: c.from,
    from_formatted: c.from,
    sid: c.sid,
    status: 'queued',
    to: c.to,
    to_formatted: c.to,
    uri: `/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Calls/${c.sid}.json`,
  });

  const errorResponse = (f: Failure) =>
    HttpResponse.json(
      {
        code: f.code,
        message: f.message,
        more_info: `https://www.twilio.com/docs/errors/${f.code}`,
        status: f.status,
      },
      { status: f.status },
    );

  const unauthorized = (request: Request) => {
    const expected = `Basic ${Buffer.from(`${TEST_ACCOUNT_SID}:${TEST_AUTH_TOKEN}`).toString('base64')}`;
    return request.headers.get('authorization') !== expected
      ? errorResponse({ status: 401, code: 20003, message: 'Authenticate' })
      : null;
  };

  const listEnvelope = (key: string, items: unknown[], path: string) => ({
    [key]: items,
    end: Math.max(0, items.length - 1),
    first_page_uri: path,
    next_page_uri: null,
    page: 0,
    page_size: 50,
    previous_page_uri: null,
    start: 0,
    uri: path,
  });

  const handlers = [
    http.post(`${base}/Messages.json`, async ({ request }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      await onCreate?.('message', 'received');
      const failure = outage?.() ?? failures.shift();
      if (failure) return errorResponse(failure);
      if (!form.To)
        return errorResponse({ status: 400, code: 21604, message: "A 'To' phone number is required." });
      const m: Sent = {
        sid: sid('SM'),
        to: form.To,
        from: form.From ?? '',
        body: form.Body ?? '',
        statusCallback: form.StatusCallback ?? '',
        dateCreated: new Date(),
        form,
      };
      messages.push(m);
      await onCreate?.('message', 'accepted');
      return HttpResponse.json(messageJson(m), { status: 201 });
    }),
    http.get(`${base}/Messages.json`, ({ request }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      lists.push(new URL(request.url).pathname);
      const to = new URL(request.url).searchParams.get('To');
      const items = messages
        .filter((m) => !to || m.to === to)
        .reverse()
        .map(messageJson);
      return HttpResponse.json(listEnvelope('messages', items, new URL(request.url).pathname));
    }),
    http.post(`${base}/Calls.json`, async ({ request }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      await onCreate?.('call', 'received');
      const failure = outage?.() ?? failures.shift();
      if (failure) return errorResponse(failure);
      const c: Sent = {
        sid: sid('CA'),
        to: form.To ?? '',
        from: form.From ?? '',
        url: form.Url ?? '',
        statusCallback: form.StatusCallback ?? '',
        dateCreated: new Date(),
        form,
      };
      calls.push(c);
      await onCreate?.('call', 'accepted');
      return HttpResponse.json(callJson(c), { status: 201 });
    }),
    http.post(`${base}/Calls/:callSid.json`, async ({ request, params }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      const callSid = String(params.callSid);
      const failure = outage?.() ?? failures.shift();
      if (failure) return errorResponse(failure);
      if (endedCalls.has(callSid))
        return errorResponse({
          status: 400,
          code: 21220,
          message: 'Call is not in-progress. Cannot redirect.',
        });
      callUpdates.push({ sid: callSid, form });
      if (form.Status === 'completed') endedCalls.add(callSid);
      return HttpResponse.json({
        ...callJson({ sid: callSid, to: '', from: '', dateCreated: new Date(), form }),
        direction: 'inbound',
        status: form.Status === 'completed' ? 'completed' : 'in-progress',
      });
    }),
    http.get(`${base}/Calls.json`, ({ request }) => {
      const denied = unauthorized(request);
      if (denied) return denied;
      lists.push(new URL(request.url).pathname);
      const to = new URL(request.url).searchParams.get('To');
      const items = calls
        .filter((c) => !to || c.to === to)
        .reverse()
        .map(callJson);
      return HttpResponse.json(listEnvelope('calls', items, new URL(request.url).pathname));
    }),
  ];

  const server = setupServer(...handlers);
  return {
    messages,
    calls,
    callUpdates,
    /** List requests (a worker reconciling a send), by path. */
    lists,
    /** The caller hangs up at Twilio: moving or ending the call fails from now on. */
    endCall(callSid: string) {
      endedCalls.add(callSid);
    },
    /** The same answers for other processes, over loopback HTTP (test/support/twilio-over-http.ts). */
    handlers,
    listen() {
      // Anything leaving for a non-loopback host is a test bug: fail loudly. Loopback (our own
      // server, sockets) passes through.
      server.listen({
        onUnhandledRequest(request, print) {
          const host = new URL(request.url).hostname;
          if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') print.error();
        },
      });
    },
    close: () => server.close(),
    reset() {
      messages.length = 0;
      calls.length = 0;
      callUpdates.length = 0;
      endedCalls.clear();
      failures.length = 0;
      lists.length = 0;
      outage = undefined;
      onCreate = undefined;
    },
    /** The next create request(s) answer this Twilio error. */
    failNext(...next: Failure[]) {
      failures.push(...next);
    },
    /** Every create or update request answers the error `failure` returns while it returns one (an outage). */
    failWhile(failure: () => Failure | null) {
      outage = failure;
    },
    onCreate(hook: (kind: 'message' | 'call', phase: 'received' | 'accepted') => Promise<void>) {
      onCreate = hook;
    },
  };
}

export const TWILIO_ERRORS = {
  notMobile: { status: 400, code: 21614, message: "'To' number is not a valid mobile number" },
  invalidTo: { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." },
  tooManyRequests: { status: 429, code: 20429, message: 'Too Many Requests' },
  serviceUnavailable: { status: 503, code: 20503, message: 'Service Unavailable' },
  internalError: { status: 500, code: 20500, message: 'Internal Server Error' },
} satisfies Record<string, Failure>;
