import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';

// twilio is CommonJS: the default export is the factory (a named ESM import fails at run time).
export type TwilioClient = ReturnType<typeof twilio>;

/** A Twilio REST client talking to `apiBaseUrl`, so a compatible provider or a local double can stand in. */
export function createTwilioClient(accountSid: string, authToken: string, apiBaseUrl: string): TwilioClient {
  const client = twilio(accountSid, authToken, { autoRetry: false });
  client.api.baseUrl = apiBaseUrl;
  return client;
}

/** What Twilio answers a create with that the senders read: the new resource's sid and status. */
export interface Created {
  sid: string;
  status: string | undefined;
}

const TIMEOUT_MS = 30_000; // the SDK's default

/**
 * The create request of every SMS and every call, without the SDK's HTTP stack (axios, request and
 * response objects), which was about 40 % of a worker's CPU per SMS on the gateway benchmark
 * (bench/gateway.bench.ts: 550-800 µs per message with it, 310-440 µs without, at 2,000 SMS/s).
 * The request is the SDK's: POST Messages.json or Calls.json, form-encoded with Twilio's names (a
 * list as the parameter repeated), basic auth with the client's credentials, on a keep-alive
 * connection; an error answer becomes an error with the HTTP status and Twilio's code and message, as the SDK's
 * RestException, so `twilioError` reads both the same way (test/unit/twilio-adapters.test.ts
 * passes with either). The SDK still does everything else (reconciliation lists), and these
 * requests too (null here) when the client is set up in a way only the SDK honours: a proxy
 * (HTTP_PROXY), a CA bundle (TWILIO_CA_BUNDLE), a region or an edge.
 */
export function leanCreate<Form extends Record<string, string | string[]>>(
  client: TwilioClient,
  resource: 'Messages.json' | 'Calls.json',
): ((form: Form) => Promise<Created>) | null {
  if (process.env.HTTP_PROXY || process.env.TWILIO_CA_BUNDLE || client.region || client.edge) return null;
  const url = new URL(`${client.api.baseUrl}/2010-04-01/Accounts/${client.accountSid}/${resource}`);
  const secure = url.protocol === 'https:';
  const request = secure ? https.request : http.request;
  // One pool of connections for every send of the process, as many as jobs can be in flight. An
  // idle connection is closed after 4 s (as Node's global agent does after 5), before a server's
  // keep-alive timeout can close it under a new request (ECONNRESET, then a retry that must ask
  // Twilio first).
  const agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 100, timeout: 4000 });
  const headers = {
    authorization: `Basic ${Buffer.from(`${client.username}:${client.password}`).toString('base64')}`,
    accept: 'application/json',
    'accept-charset': 'utf-8',
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': `contact-centre (twilio-client) node/${process.versions.node}`,
  };
  return (form) =>
    new Promise((resolve, reject) => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(form))
        for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
      const body = params.toString();
      const req = request(
        url,
        { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let json: { sid?: string; status?: string; code?: number; message?: string } | null = null;
            try {
              json = JSON.parse(text);
            } catch {
              // handled below
            }
            if (status >= 200 && status < 300) {
              // Accepted but unreadable: it may exist at Twilio. No status, so the send is retried
              // as after a network error, and the retry asks Twilio before sending again.
              if (json?.sid) resolve({ sid: json.sid, status: json.status });
              else reject(new Error(`Twilio answered ${status} without a sid`));
              return;
            }
            reject(
              Object.assign(new Error(json?.message ?? `[HTTP ${status}] Failed to execute request`), {
                status,
                code: json?.code,
              }),
            );
          });
        },
      );
      req.setTimeout(TIMEOUT_MS, () =>
        req.destroy(new Error(`no answer from Twilio within ${TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
}
