import http from 'node:http';
import https from 'node:https';
import {
  type OutboundSms,
  type SendResult,
  type SentLookup,
  type SmsChannel,
  windowStart,
} from '../channel.port.js';
import type { TwilioClient } from './twilio-client.js';
import { fromTwilioStatus, twilioError } from './twilio-vocabulary.js';

export interface TwilioSender {
  from: string | undefined;
  messagingServiceSid: string | undefined;
}

export function twilioSmsChannel(client: TwilioClient, sender: TwilioSender): SmsChannel {
  const createMessage = leanCreate(client) ?? sdkCreate(client);
  return {
    async send(sms: OutboundSms): Promise<SendResult> {
      try {
        const message = await createMessage({
          To: sms.to,
          Body: sms.body,
          StatusCallback: sms.statusCallbackUrl,
          ...(sender.messagingServiceSid
            ? { MessagingServiceSid: sender.messagingServiceSid }
            : { From: sender.from! }),
        });
        return {
          outcome: 'sent',
          providerId: message.sid,
          status: fromTwilioStatus(message.status) ?? 'SENT',
        };
      } catch (err) {
        return { outcome: 'failed', error: twilioError(err) };
      }
    },

    async listSent(lookup: SentLookup): Promise<string[]> {
      const recent = await client.messages.list({ to: lookup.to, limit: 50 });
      return recent
        .filter(
          (m) =>
            m.body === lookup.body && m.dateCreated && m.dateCreated.getTime() >= windowStart(lookup.since),
        )
        .map((m) => m.sid);
    },
  };
}

/** Messages.json create parameters, as Twilio names them. */
type CreateForm = { To: string; Body: string; StatusCallback: string } & (
  | { From: string }
  | { MessagingServiceSid: string }
);
type CreateMessage = (form: CreateForm) => Promise<{ sid: string; status: string | undefined }>;

function sdkCreate(client: TwilioClient): CreateMessage {
  return (form) =>
    client.messages.create({
      to: form.To,
      body: form.Body,
      statusCallback: form.StatusCallback,
      ...('MessagingServiceSid' in form
        ? { messagingServiceSid: form.MessagingServiceSid }
        : { from: form.From }),
    });
}

const TIMEOUT_MS = 30_000; // the SDK's default

/**
 * The create request of every SMS, without the SDK's HTTP stack (axios, request and response
 * objects), which was about 40 % of a worker's CPU per SMS on the gateway benchmark
 * (bench/gateway.bench.ts: 550-800 µs per message with it, 310-440 µs without, at 2,000 SMS/s).
 * The request is the SDK's: POST Messages.json, form-encoded To / Body / StatusCallback / From or
 * MessagingServiceSid, basic auth with the client's credentials, on a keep-alive connection; an
 * error answer becomes an error with the HTTP status and Twilio's code and message, as the SDK's
 * RestException, so `twilioError` reads both the same way (test/unit/twilio-sms-adapter.test.ts
 * passes with either). The SDK still does everything else (reconciliation lists, calls), and this
 * call too (null here) when the client is set up in a way only the SDK honours: a proxy
 * (HTTP_PROXY), a CA bundle (TWILIO_CA_BUNDLE), a region or an edge.
 */
function leanCreate(client: TwilioClient): CreateMessage | null {
  if (process.env.HTTP_PROXY || process.env.TWILIO_CA_BUNDLE || client.region || client.edge) return null;
  const url = new URL(`${client.api.baseUrl}/2010-04-01/Accounts/${client.accountSid}/Messages.json`);
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
    'user-agent': `contact-centre (twilio-sms.adapter) node/${process.versions.node}`,
  };
  return (form) =>
    new Promise((resolve, reject) => {
      const body = new URLSearchParams(form).toString();
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
              else reject(new Error(`Twilio answered ${status} without a message sid`));
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
