import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFormParser, type TwilioParams } from '../../src/platform/twilio-webhook.js';
import { checkProperty, fc } from './fuzz.js';

// A webhook's body is read before its signature is checked: any bytes anyone posts go through the
// form parser. Whatever they are, the answer is the parsed form or a 400, never a 500 or a crash,
// and a form Twilio encodes comes back exactly as sent.

const app = Fastify();
beforeAll(async () => {
  registerFormParser(app, 64 * 1024);
  app.post('/form', async (request) => ({
    params: request.body as TwilioParams,
    // What a handler would see of the object's prototype.
    polluted:
      Object.getPrototypeOf(request.body) !== Object.prototype &&
      Object.getPrototypeOf(request.body) !== null,
  }));
  await app.ready();
});
afterAll(() => app.close());

const post = (payload: string) =>
  app.inject({
    method: 'POST',
    url: '/form',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload,
  });

// Twilio's parameter names and values, and names that mean something to JavaScript objects.
const name = fc.oneof(
  fc.constantFrom(
    'CallSid',
    'From',
    'To',
    'Digits',
    'SpeechResult',
    'Body',
    '__proto__',
    'constructor',
    'toString',
  ),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const value = fc.string({ unit: 'binary', maxLength: 200 });

describe('fuzzing the webhook form parser', () => {
  it('answers any body with its form or a 400, never a 500, and no object prototype changed', async () => {
    await checkProperty(
      'form-body',
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), fc.string({ maxLength: 500 })),
        async (payload) => {
          const response = await post(payload);
          expect([200, 400]).toContain(response.statusCode);
          if (response.statusCode !== 200) return;
          const { params, polluted } = response.json() as {
            params: Record<string, unknown>;
            polluted: boolean;
          };
          expect(polluted).toBe(false);
          for (const v of Object.values(params)) expect(typeof v).toBe('string');
        },
      ),
    );
  });

  it('reads back every parameter Twilio encodes, once each, the first of a repeated one', async () => {
    await checkProperty(
      'form-round-trip',
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 12 }), async (pairs) => {
        const response = await post(new URLSearchParams(pairs).toString());
        expect(response.statusCode).toBe(200);
        const expected: Record<string, string> = {};
        for (const [k, v] of pairs)
          if (!Object.hasOwn(expected, k)) Object.defineProperty(expected, k, { value: v, enumerable: true });
        expect(response.json().params).toEqual(JSON.parse(JSON.stringify(expected)));
      }),
    );
  });
});
