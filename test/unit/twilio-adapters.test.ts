import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioClient } from '../../src/messaging/twilio/twilio-client.js';
import { twilioSmsChannel } from '../../src/messaging/twilio/twilio-sms.adapter.js';
import { twilioVoiceChannel } from '../../src/messaging/twilio/twilio-voice.adapter.js';

// The SMS and voice adapters create messages and calls with their own request (not the SDK's HTTP
// stack): the same request as the SDK's, and Twilio's answers read the same way, against a local
// server.

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'adapter-test-token';
let server: Server;
let baseUrl = '';
const received: Array<{ path: string; auth: string | undefined; form: Record<string, string>; raw: string }> =
  [];
let answer: { status: number; body: string } = { status: 201, body: '' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        auth: req.headers.authorization,
        form: Object.fromEntries(new URLSearchParams(text)),
        raw: text,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sms = {
  messageId: 'm1',
  to: '+33611111111',
  body: 'Bonjour à vous',
  statusCallbackUrl: 'https://cc.test/s?m=1',
};

describe('twilioSmsChannel send', () => {
  it('posts the SDK’s form to Messages.json with basic auth, and reads the sid and status', async () => {
    answer = { status: 201, body: JSON.stringify({ sid: 'SM123', status: 'queued' }) };
    const channel = twilioSmsChannel(createTwilioClient(ACCOUNT_SID, AUTH_TOKEN, baseUrl), {
      from: '+33970000000',
      messagingServiceSid: undefined,
    });
    expect(await channel.send(sms)).toEqual({ outcome: 'sent', providerId: 'SM123', status: 'SENT' });
    expect(received.at(-1)).toMatchObject({
      path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
      auth: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
      form: { To: sms.to, Body: sms.body, StatusCallback: sms.statusCallbackUrl, From: '+33970000000' },
    });
  });

  it('sends through a Messaging Service instead of a number when one is set', async () => {
    answer = { status: 201, body: JSON.stringify({ sid: 'SM124', status: 'accepted' }) };
    const channel = twilioSmsChannel(createTwilioClient(ACCOUNT_SID, AUTH_TOKEN, baseUrl), {
      from: undefined,
      messagingServiceSid: 'MG123',
    });
    await channel.send(sms);
    expect(received.at(-1)?.form).toEqual({
      To: sms.to,
      Body: sms.body,
      StatusCallback: sms.statusCallbackUrl,
      MessagingServiceSid: 'MG123',
    });
  });

  it('reads Twilio’s errors as the SDK does: permanent codes, 429 and 5xx temporary, unreadable answers', async () => {
    const channel = twilioSmsChannel(createTwilioClient(ACCOUNT_SID, AUTH_TOKEN, baseUrl), {
      from: '+33970000000',
      messagingServiceSid: undefined,
    });
    const error = async (status: number, body: string) => {
      answer = { status, body };
      const result = await channel.send(sms);
      return result.outcome === 'failed' ? result.error : null;
    };
    const twilio = (status: number, code: number, message: string) =>
      JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    expect(await error(400, twilio(400, 21614, 'not a mobile'))).toEqual({
      code: 'twilio-21614',
      permanent: true,
      message: 'not a mobile',
    });
    expect(await error(429, twilio(429, 20429, 'Too Many Requests'))).toMatchObject({
      code: 'twilio-20429',
      permanent: false,
    });
    expect(await error(502, '<html>Bad gateway</html>')).toMatchObject({
      code: 'http-502',
      permanent: false,
    });
    // Accepted but unreadable: it may exist at Twilio, so a retry (which asks Twilio first).
    expect(await error(201, 'not json')).toMatchObject({ code: 'http-network', permanent: false });
  });
});

describe('twilioVoiceChannel call', () => {
  const call = {
    messageId: 'm2',
    to: '+33622222222',
    body: 'Astreinte',
    twimlUrl: 'https://cc.test/twilio/voice/page?attemptId=a1',
    statusCallbackUrl: 'https://cc.test/twilio/voice/status?messageId=m2',
  };
  const channel = () =>
    twilioVoiceChannel(
      createTwilioClient(ACCOUNT_SID, AUTH_TOKEN, baseUrl),
      { from: '+33970000000', messagingServiceSid: undefined },
      25,
    );

  it('posts the SDK’s form to Calls.json, every status event named, and reads the sid and status', async () => {
    answer = { status: 201, body: JSON.stringify({ sid: 'CA123', status: 'queued' }) };
    expect(await channel().call(call)).toEqual({ outcome: 'sent', providerId: 'CA123', status: 'SENT' });
    const sent = received.at(-1)!;
    expect(sent.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`);
    expect(sent.auth).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(sent.form).toMatchObject({
      To: call.to,
      From: '+33970000000',
      Url: call.twimlUrl,
      StatusCallback: call.statusCallbackUrl,
      MachineDetection: 'DetectMessageEnd',
      Timeout: '25',
    });
    // A list goes as the parameter repeated, as the SDK sends it.
    expect(new URLSearchParams(sent.raw).getAll('StatusCallbackEvent')).toEqual([
      'initiated',
      'ringing',
      'answered',
      'completed',
    ]);
  });

  it('reads a refused number as permanent and an overloaded Twilio as temporary', async () => {
    answer = {
      status: 400,
      body: JSON.stringify({ code: 21217, message: 'not a valid phone number', status: 400 }),
    };
    expect(await channel().call(call)).toEqual({
      outcome: 'failed',
      error: { code: 'twilio-21217', permanent: true, message: 'not a valid phone number' },
    });
    answer = { status: 503, body: 'Service Unavailable' };
    expect(await channel().call(call)).toMatchObject({ outcome: 'failed', error: { permanent: false } });
  });
});
