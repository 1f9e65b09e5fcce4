import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { isSimulated, parkedInstructionKey } from '../../agents/call-control.js';
import { placeOf } from '../../agents/call-queue.js';
import { toE164 } from '../../identification/phone-number.js';
import { QUEUE_CHOICE_URL } from '../../ivr/flow-engine.js';
import { STAFF } from '../../platform/auth/principal.js';
import { ApiErrorBody } from '../../platform/http/common.schemas.js';
import { signTwilioRequest, type TwilioParams } from '../../platform/twilio-webhook.js';
import type { Services } from '../../services.js';
import {
  SimulatorLines,
  SimulatorOutboundList,
  SimulatorSmsReply,
  SimulatorStep,
} from './simulator.schemas.js';
import { forDisplay, type SimulatorStore, simulatedSid } from './simulator-store.js';
import { type Heard, interpretTwiml, messagesIn, type NextStep } from './twiml-interpreter.js';

// The simulator panel's api: place a call to a service line as any number, press keys or speak,
// answer or decline the calls the platform places, reply to SMS. Every action goes through the
// real Twilio webhooks, signed with the simulator's token, so the same checks run as in production.

interface SimCall {
  sid: string;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound-api';
  next: NextStep;
  transcript: string[];
  /** When the caller joined an agent queue (service clock, ms): the wait Twilio reports. */
  queuedAt?: number;
  /** The queue the caller waits in, to go back to after a choice they were offered there. */
  queue?: Extract<NextStep, { kind: 'enqueue' }>;
}

const CallBody = Type.Object(
  { from: Type.String({ maxLength: 40 }), to: Type.String({ maxLength: 40 }) },
  { additionalProperties: false },
);
const InputBody = Type.Object(
  {
    digits: Type.Optional(Type.String({ pattern: '^[0-9*#w]{0,32}$' })),
    speech: Type.Optional(Type.String({ maxLength: 500 })),
    message: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const SmsBody = Type.Object(
  {
    from: Type.String({ maxLength: 40 }),
    to: Type.Optional(Type.String({ maxLength: 40 })),
    body: Type.String({ minLength: 1, maxLength: 1600 }),
  },
  { additionalProperties: false },
);
const DeclineBody = Type.Object(
  {
    outcome: Type.Union([
      Type.Literal('busy'),
      Type.Literal('no-answer'),
      Type.Literal('failed'),
      // The voicemail picks up: Twilio fetches the TwiML as for an answering machine.
      Type.Literal('machine'),
    ]),
  },
  { additionalProperties: false },
);
const SidParams = Type.Object({ sid: Type.String({ pattern: '^[A-Z]{2}[0-9a-f]{32}$' }) });

const MAX_REDIRECTS = 10;
const callKey = (sid: string) => `sim:call:${sid}`;

export function simulatorRoutes(app: FastifyInstance, services: Services, store: SimulatorStore): void {
  const { settings, redis, lines } = services;
  const base = settings.publicBaseUrl;
  const staff = { access: { users: STAFF } };
  const fromNumber = settings.twilio.fromNumber ?? '+33970000000';

  /** Posts to our own webhook, signed as Twilio would, without leaving the process. */
  async function webhook(url: string, params: TwilioParams): Promise<{ status: number; body: string }> {
    const absolute = url.startsWith('http') ? url : `${base}${url}`;
    const path = absolute.startsWith(base) ? absolute.slice(base.length) : null;
    if (path === null)
      throw new Error(`the simulator only calls this service's own webhooks (got ${absolute})`);
    const response = await app.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(settings.twilio.authToken, absolute, params),
      },
      payload: new URLSearchParams(params).toString(),
    });
    return { status: response.statusCode, body: response.body };
  }

  async function save(call: SimCall): Promise<void> {
    await redis.set(callKey(call.sid), JSON.stringify(call), { EX: 4 * 3600 });
  }

  async function load(sid: string): Promise<SimCall | null> {
    const raw = await redis.get(callKey(sid));
    return raw ? (JSON.parse(raw) as SimCall) : null;
  }

  /** Fetches TwiML and follows redirects, as Twilio does. */
  async function play(call: SimCall, url: string, params: TwilioParams): Promise<Heard> {
    const said: string[] = [];
    let heard: Heard;
    let target = url;
    let extra = params;
    for (let i = 0; ; i++) {
      const response = await webhook(target, { ...callParams(call), ...extra });
      heard =
        response.status === 200
          ? interpretTwiml(response.body)
          : { said: [`[le webhook a répondu ${response.status}]`], next: { kind: 'hangup' } };
      said.push(...heard.said);
      if (heard.next.kind === 'enqueue') {
        // In the queue until an agent takes the call (the service redirects it: carry below) or
        // the wait runs out: first what the wait URL says (the caller's place).
        call.queuedAt = services.clock.now().getTime();
        call.queue = heard.next;
        said.push(...(await hearWait(call, heard.next.waitUrl, 0)).said);
        break;
      }
      if (heard.next.kind !== 'redirect' || i >= MAX_REDIRECTS) break;
      target = heard.next.url;
      extra = {};
    }
    call.next = heard.next;
    call.transcript.push(...said);
    await save(call);
    if (call.next.kind === 'hangup') await endCall(call, 'completed');
    return { said, next: heard.next };
  }

  /** What the queue's wait URL says after this wait, and whether it takes the caller out. */
  async function hearWait(
    call: SimCall,
    waitUrl: string | null,
    queueTime: number,
  ): Promise<{ said: string[]; leave: boolean; choice: NextStep | null }> {
    if (!waitUrl) return { said: [], leave: false, choice: null };
    const response = await webhook(waitUrl, { ...callParams(call), QueueTime: String(queueTime) });
    const heard = interpretTwiml(response.body);
    return {
      said: heard.said,
      leave: heard.next.kind === 'leave',
      // The wait offers a choice (to be called back, or a message): the keypad listens.
      choice: heard.next.kind === 'gather' ? heard.next : null,
    };
  }

  const waitedSeconds = (call: SimCall) =>
    String(Math.max(0, Math.round((services.clock.now().getTime() - (call.queuedAt ?? 0)) / 1000)));

  /** A key pressed at the queue's choice: out of the queue (callback or message), or waiting on. */
  async function chooseInQueue(
    call: SimCall,
    queue: NonNullable<SimCall['queue']>,
    digits: string,
  ): Promise<Heard> {
    if (call.next.kind !== 'gather') return { said: [], next: call.next };
    const response = await webhook(call.next.action, { ...callParams(call), Digits: digits });
    if (interpretTwiml(response.body).next.kind === 'leave' && queue.action)
      return play({ ...call, next: { kind: 'hangup' } }, queue.action, {
        QueueResult: 'leave',
        QueueTime: waitedSeconds(call),
      });
    call.next = queue;
    await save(call);
    return { said: [], next: queue };
  }

  /** The caller waits on in the queue (the panel's "wait"): the wait URL again, or leaving. */
  async function waitOn(call: SimCall): Promise<Heard> {
    if (call.next.kind !== 'enqueue') return { said: [], next: call.next };
    const queueTime = waitedSeconds(call);
    const { said, leave, choice } = await hearWait(call, call.next.waitUrl, Number(queueTime));
    if (leave && call.next.action) {
      const next = await play({ ...call, next: { kind: 'hangup' } }, call.next.action, {
        QueueResult: 'leave',
        QueueTime: queueTime,
      });
      return { said: [...said, ...next.said], next: next.next };
    }
    if (choice) call.next = choice;
    call.transcript.push(...said);
    await save(call);
    return { said, next: call.next };
  }

  // What the service asks of a simulated call (Twilio's part): move it out of the queue to the
  // agent who took it (the TwiML at a URL), or end it as the agent hangs up.
  const carry = async (sid: string, instruction: string) => {
    const call = await load(sid);
    if (!call) return;
    let heard: Heard;
    if (instruction === 'hangup') {
      heard = { said: [], next: { kind: 'hangup' } };
      if (call.next.kind === 'dial' && call.next.action)
        await webhook(call.next.action, { ...callParams(call), DialCallStatus: 'completed' });
      await endCall(call, 'completed');
      await redis.del(callKey(sid));
    } else {
      heard = await play({ ...call, next: { kind: 'hangup' } }, instruction, {});
    }
    // The panel holding this call follows it live.
    await services.events.publish({ type: 'simulator.call', data: { sid, ...heard } });
  };
  if (isSimulated(services.callControl)) services.callControl.carry(carry);

  function callParams(call: SimCall): TwilioParams {
    return {
      CallSid: call.sid,
      AccountSid: settings.twilio.accountSid,
      From: call.from,
      To: call.to,
      Direction: call.direction,
      CallStatus: 'in-progress',
    };
  }

  async function endCall(call: SimCall, status: string): Promise<void> {
    const url =
      call.direction === 'inbound'
        ? '/twilio/voice/status'
        : ((await store.get(call.sid))?.statusCallbackUrl ?? null);
    if (url) await webhook(url, { ...callParams(call), CallStatus: status, CallDuration: '30' });
    if (call.direction !== 'inbound') await store.update(call.sid, status);
  }

  app.get(
    '/api/simulator/lines',
    { config: staff, schema: { tags: ['simulator'], response: { 200: SimulatorLines } } },
    async () => lines.all().map((l) => ({ name: l.name, kind: l.kind, numbers: l.numbers })),
  );

  app.get(
    '/api/simulator/outbound',
    { config: staff, schema: { tags: ['simulator'], response: { 200: SimulatorOutboundList } } },
    async () => (await store.recent(100)).map(forDisplay),
  );

  app.post(
    '/api/simulator/calls',
    { config: staff, schema: { tags: ['simulator'], body: CallBody, response: { 200: SimulatorStep } } },
    async (request) => {
      const body = request.body as { from: string; to: string };
      // A withheld number is sent as Twilio sends it.
      const from =
        body.from.trim() === '' || body.from.trim().toLowerCase() === 'anonymous'
          ? 'anonymous'
          : (toE164(body.from) ?? body.from);
      const call: SimCall = {
        sid: simulatedSid('CA'),
        from,
        to: toE164(body.to) ?? body.to,
        direction: 'inbound',
        next: { kind: 'hangup' },
        transcript: [],
      };
      const heard = await play(call, '/twilio/voice/incoming', { CallStatus: 'ringing' });
      return { sid: call.sid, ...heard };
    },
  );

  app.post(
    '/api/simulator/calls/:sid/input',
    {
      config: staff,
      schema: {
        tags: ['simulator'],
        params: SidParams,
        body: InputBody,
        response: { 200: SimulatorStep, 404: ApiErrorBody, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const call = await load((request.params as { sid: string }).sid);
      if (!call) return reply.code(404).send({ error: 'not_found', message: 'no such simulated call' });
      const input = request.body as { digits?: string; speech?: string; message?: string };
      if (call.next.kind === 'gather' && call.queue && call.next.action === QUEUE_CHOICE_URL)
        return { sid: call.sid, ...(await chooseInQueue(call, call.queue, input.digits ?? '')) };
      if (call.next.kind === 'gather') {
        const params: TwilioParams = input.speech
          ? { SpeechResult: input.speech, Confidence: '0.9' }
          : { Digits: input.digits ?? '' };
        return { sid: call.sid, ...(await play(call, call.next.action, params)) };
      }
      if (call.next.kind === 'enqueue') return { sid: call.sid, ...(await waitOn(call)) };
      if (call.next.kind === 'dial') {
        // With an agent: what the caller says reaches the agent's console.
        const words = (input.speech ?? input.message ?? '').trim();
        const place = words ? await placeOf(redis, call.sid) : null;
        if (place?.agentId)
          await services.events.publish({
            type: 'call.caller-said',
            userId: place.agentId,
            data: { callSid: call.sid, text: words },
          });
        return { sid: call.sid, said: [], next: call.next };
      }
      if (call.next.kind === 'record') {
        const words = (input.message ?? '').trim();
        const params: TwilioParams = words
          ? {
              RecordingUrl: `${base}/simulator/recordings/${simulatedSid('RE')}`,
              RecordingDuration: String(Math.max(1, Math.ceil(words.length / 12))),
              RecordingSid: simulatedSid('RE'),
            }
          : { RecordingDuration: '0' };
        return { sid: call.sid, ...(await play(call, call.next.action, params)) };
      }
      return reply
        .code(409)
        .send({ error: 'not_waiting', message: `the call is not waiting for input (${call.next.kind})` });
    },
  );

  // A worker asked something of a simulated call (an offer it accepted for an agent): play it.
  app.post(
    '/api/simulator/calls/:sid/follow',
    {
      config: staff,
      schema: { tags: ['simulator'], params: SidParams, response: { 204: Type.Null(), 404: ApiErrorBody } },
    },
    async (request, reply) => {
      const { sid } = request.params as { sid: string };
      const instruction = await redis.getDel(parkedInstructionKey(sid));
      if (!instruction)
        return reply.code(404).send({ error: 'not_found', message: 'nothing asked of this call' });
      await carry(sid, instruction);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/simulator/calls/:sid/hangup',
    {
      config: staff,
      schema: { tags: ['simulator'], params: SidParams, response: { 204: Type.Null(), 404: ApiErrorBody } },
    },
    async (request, reply) => {
      const call = await load((request.params as { sid: string }).sid);
      if (!call) return reply.code(404).send({ error: 'not_found', message: 'no such simulated call' });
      // With an agent, the agent's leg ends too, as Twilio reports it to the <Dial> action.
      if (call.next.kind === 'dial' && call.next.action)
        await webhook(call.next.action, { ...callParams(call), DialCallStatus: 'completed' });
      await endCall(call, 'completed');
      await redis.del(callKey(call.sid));
      return reply.code(204).send();
    },
  );

  // The platform called someone (a technician being paged): pick up as them.
  app.post(
    '/api/simulator/outbound/:sid/answer',
    {
      config: staff,
      schema: {
        tags: ['simulator'],
        params: SidParams,
        response: { 200: SimulatorStep, 404: ApiErrorBody, 409: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const item = await store.get((request.params as { sid: string }).sid);
      if (item?.kind !== 'call' || !item.twimlUrl)
        return reply.code(404).send({ error: 'not_found', message: 'no such simulated outbound call' });
      if (item.status !== 'ringing')
        return reply.code(409).send({ error: 'not_ringing', message: `the call is ${item.status}` });
      const call: SimCall = {
        sid: item.sid,
        from: item.from,
        to: item.to,
        direction: 'outbound-api',
        next: { kind: 'hangup' },
        transcript: [],
      };
      await store.update(item.sid, 'in-progress');
      if (item.statusCallbackUrl)
        await webhook(item.statusCallbackUrl, { ...callParams(call), CallStatus: 'in-progress' });
      return { sid: call.sid, ...(await play(call, item.twimlUrl, { AnsweredBy: 'human' })) };
    },
  );

  app.post(
    '/api/simulator/outbound/:sid/decline',
    {
      config: staff,
      schema: {
        tags: ['simulator'],
        params: SidParams,
        body: DeclineBody,
        // 200 when the voicemail picks up (what it said), 204 otherwise.
        response: { 200: SimulatorStep, 204: Type.Null(), 404: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const item = await store.get((request.params as { sid: string }).sid);
      if (item?.kind !== 'call')
        return reply.code(404).send({ error: 'not_found', message: 'no such simulated outbound call' });
      const { outcome } = request.body as { outcome: string };
      if (outcome === 'machine' && item.twimlUrl) {
        const call: SimCall = {
          sid: item.sid,
          from: item.from,
          to: item.to,
          direction: 'outbound-api',
          next: { kind: 'hangup' },
          transcript: [],
        };
        await store.update(item.sid, 'in-progress');
        return { sid: call.sid, ...(await play(call, item.twimlUrl, { AnsweredBy: 'machine_end_beep' })) };
      }
      await store.update(item.sid, outcome);
      if (item.statusCallbackUrl)
        await webhook(item.statusCallbackUrl, {
          CallSid: item.sid,
          AccountSid: settings.twilio.accountSid,
          From: item.from,
          To: item.to,
          CallStatus: outcome,
        });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/simulator/sms',
    {
      config: staff,
      schema: { tags: ['simulator'], body: SmsBody, response: { 200: SimulatorSmsReply, 400: ApiErrorBody } },
    },
    async (request, reply) => {
      const body = request.body as { from: string; to?: string; body: string };
      const from = toE164(body.from);
      if (!from)
        return reply
          .code(400)
          .send({ error: 'invalid_number', message: `"${body.from}" is not a valid phone number` });
      const sid = simulatedSid('SM');
      const response = await webhook('/twilio/sms/incoming', {
        MessageSid: sid,
        SmsSid: sid,
        AccountSid: settings.twilio.accountSid,
        From: from,
        To: toE164(body.to) ?? fromNumber,
        Body: body.body,
        NumMedia: '0',
      });
      return {
        sid,
        status: response.status,
        replies: messagesIn(response.body),
      };
    },
  );
}
