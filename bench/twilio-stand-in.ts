// A local stand-in for Twilio's REST API (2010-04-01), in the benchmark's own process: it answers
// Calls.json and Messages.json create requests (the SDK's, the SMS adapter's own) with 201 and the
// JSON Twilio returns (as test/support/twilio-api.ts does), and records when each one arrived, for
// whom, with which SMS body and the sid it answered. It calls back only through `onCreate` (the
// night storm's phones). One listener per server process, so each request says which process sent it.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type PageKind = 'call' | 'sms';

export interface Arrival {
  kind: PageKind;
  to: string;
  /** performance.now() in the benchmark process when the request's headers were read. */
  at: number;
  /** Which listener it came in on: the label of the process given that listener's URL. */
  via: string;
  /** SMS: the Body posted, to tell two messages to one number apart. */
  body?: string;
  /** The sid answered: what the sender must have recorded as the provider's id. */
  sid?: string;
}

export interface TwilioStandIn {
  /** TWILIO_API_BASE_URL for the process labelled `label`. */
  baseUrl(label: string): string;
  arrivals: Arrival[];
  /** Create requests per kind and number. */
  count(kind: PageKind, to: string): number;
  /** Messages.json create requests for this number with exactly this body. */
  countSms(to: string, body: string): number;
  /** The first arrival of `kind` for `to` (already there, or the next one), or null after `timeoutMs`. */
  first(kind: PageKind, to: string, timeoutMs: number): Promise<Arrival | null>;
  /** Requests that were not an authenticated create (wrong path, auth, no To) and list requests. */
  unexpected: string[];
  lists: number;
  /** Create requests answered with `refusing`'s error. */
  refused: number;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** Told of each create request answered, with its form and the sid answered (after the answer). */
  onCreate?: (kind: PageKind, form: URLSearchParams, sid: string) => void;
  /** While it returns an error, create requests get it instead of a 201 (counted in `refused`). */
  refusing?: () => { status: number; code: number; message: string } | null;
}

const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');

export async function startTwilioStandIn(
  accountSid: string,
  authToken: string,
  labels: string[],
  options: StandInOptions = {},
): Promise<TwilioStandIn> {
  const { onCreate, refusing } = options;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const createPath = new RegExp(`^/2010-04-01/Accounts/${accountSid}/(Calls|Messages)\\.json$`);
  const arrivals: Arrival[] = [];
  const firsts = new Map<string, Arrival>();
  const counts = new Map<string, number>();
  const smsCounts = new Map<string, number>();
  const waiters = new Map<string, Array<(arrival: Arrival) => void>>();
  const unexpected: string[] = [];
  let lists = 0;
  let refused = 0;
  // What was created, per kind and number, for the list requests.
  const created = new Map<string, Array<{ sid: string; date: Date; from: string; body?: string }>>();
  const key = (kind: PageKind, to: string) => `${kind} ${to}`;

  const answer = (response: ServerResponse, status: number, body: object) => {
    const json = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
    });
    response.end(json);
  };
  const error = (response: ServerResponse, status: number, code: number, message: string) =>
    answer(response, status, {
      code,
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    });

  const handle = (via: string) => (request: IncomingMessage, response: ServerResponse) => {
    const at = performance.now();
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const match = createPath.exec(url.pathname);
    if (!match || request.headers.authorization !== expectedAuth) {
      unexpected.push(`${request.method} ${url.pathname} (${via})`);
      request.resume();
      return error(response, match ? 401 : 404, match ? 20003 : 20404, 'Not found or not authenticated');
    }
    const resource = match[1] as 'Calls' | 'Messages';
    if (request.method === 'GET') {
      // Only a worker reconciling a stalled send lists: it gets what it created for that number,
      // newest first, as Twilio answers (the paging benchmark counts these requests as failures).
      lists++;
      request.resume();
      const to = url.searchParams.get('To') ?? '';
      const kind: PageKind = resource === 'Calls' ? 'call' : 'sms';
      const found = (created.get(key(kind, to)) ?? []).slice().reverse();
      return answer(response, 200, {
        [resource.toLowerCase()]: found.map((c) => ({
          account_sid: accountSid,
          sid: c.sid,
          to,
          from: c.from,
          status: kind === 'call' ? 'completed' : 'delivered',
          date_created: rfc2822(c.date),
          date_updated: rfc2822(c.date),
          ...(kind === 'sms'
            ? { body: c.body, date_sent: rfc2822(c.date) }
            : { start_time: rfc2822(c.date) }),
        })),
        end: Math.max(0, found.length - 1),
        next_page_uri: null,
        page: 0,
        page_size: found.length,
        start: 0,
      });
    }
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const to = form.get('To');
      if (request.method !== 'POST' || !to) {
        unexpected.push(`${request.method} ${url.pathname} without To (${via})`);
        return error(response, 400, 21604, "A 'To' phone number is required.");
      }
      const refusal = refusing?.();
      if (refusal) {
        refused++;
        return error(response, refusal.status, refusal.code, refusal.message);
      }
      const kind: PageKind = resource === 'Calls' ? 'call' : 'sms';
      const sid = `${kind === 'call' ? 'CA' : 'SM'}${randomBytes(16).toString('hex')}`;
      const arrival: Arrival = { kind, to, at, via, sid };
      const k = key(kind, to);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (kind === 'sms') {
        arrival.body = form.get('Body') ?? '';
        const bodyKey = `${to}\n${arrival.body}`;
        smsCounts.set(bodyKey, (smsCounts.get(bodyKey) ?? 0) + 1);
      }
      arrivals.push(arrival);
      if (!firsts.has(k)) {
        firsts.set(k, arrival);
        for (const resolve of waiters.get(k) ?? []) resolve(arrival);
        waiters.delete(k);
      }
      const now = new Date();
      const list = created.get(k) ?? [];
      list.push({ sid, date: now, from: form.get('From') ?? '', body: arrival.body });
      created.set(k, list);
      const common = {
        account_sid: accountSid,
        api_version: '2010-04-01',
        date_created: rfc2822(now),
        date_updated: rfc2822(now),
        direction: 'outbound-api',
        from: form.get('From') ?? '',
        status: 'queued',
        to,
      };
      if (onCreate) response.once('finish', () => onCreate(kind, form, sid));
      if (kind === 'call') {
        return answer(response, 201, {
          ...common,
          from_formatted: common.from,
          sid,
          to_formatted: to,
          uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json`,
        });
      }
      return answer(response, 201, {
        ...common,
        body: arrival.body,
        date_sent: null,
        error_code: null,
        error_message: null,
        messaging_service_sid: null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'EUR',
        sid,
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      });
    });
  };

  const servers = new Map<string, { server: Server; port: number }>();
  for (const label of labels) {
    const server = createServer(handle(label));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    servers.set(label, { server, port: typeof address === 'object' && address ? address.port : 0 });
  }

  return {
    baseUrl(label) {
      const entry = servers.get(label);
      if (!entry) throw new Error(`no stand-in listener for ${label}`);
      return `http://127.0.0.1:${entry.port}`;
    },
    arrivals,
    count: (kind, to) => counts.get(key(kind, to)) ?? 0,
    countSms: (to, body) => smsCounts.get(`${to}\n${body}`) ?? 0,
    first(kind, to, timeoutMs) {
      const k = key(kind, to);
      const known = firsts.get(k);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(null), timeoutMs);
        const list = waiters.get(k) ?? [];
        list.push((arrival) => {
          clearTimeout(timer);
          resolve(arrival);
        });
        waiters.set(k, list);
      });
    },
    unexpected,
    get lists() {
      return lists;
    },
    get refused() {
      return refused;
    },
    async close() {
      await Promise.all(
        [...servers.values()].map(
          ({ server }) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
