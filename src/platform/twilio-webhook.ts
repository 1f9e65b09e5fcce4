import { timingSafeEqual } from 'node:crypto';
import { parse as parseQuery } from 'fast-querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';

// Twilio posts application/x-www-form-urlencoded. fast-querystring is the parser Fastify's own
// stack uses; parsing once here, into a plain object, is also what the signature check needs.

export type TwilioParams = Record<string, string>;

/** A webhook's answer to Twilio: TwiML, 200. */
export function sendTwiml(reply: FastifyReply, twiml: string): FastifyReply {
  return reply.code(200).type('text/xml; charset=utf-8').send(twiml);
}

export function registerFormParser(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_req, body, done) => {
      try {
        const parsed = parseQuery(body as string) as Record<string, string | string[]>;
        // Names are data: a parameter called "__proto__" or "constructor" is kept as one, not
        // taken for the object's own machinery (found by fuzzing, test/fuzz).
        const flat: TwilioParams = Object.create(null);
        // Twilio never repeats a parameter; keep the first if a client does.
        for (const [key, value] of Object.entries(parsed))
          flat[key] = Array.isArray(value) ? (value[0] ?? '') : value;
        done(null, flat);
      } catch {
        const err = new Error('malformed form body') as Error & { statusCode: number };
        err.statusCode = 400;
        done(err, undefined);
      }
    },
  );
}

/** 403 and nothing else for a request Twilio (or the simulator) did not sign with our token. */
export function twilioSignatureCheck(authToken: string, publicBaseUrl: string) {
  return async function checkTwilioSignature(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const signature = request.headers['x-twilio-signature'];
    const params = (request.body ?? {}) as TwilioParams;
    const url = `${publicBaseUrl}${request.url}`;
    if (typeof signature !== 'string' || !isSignedBy(authToken, signature, url, params)) {
      request.log.warn(
        { path: request.routeOptions.url },
        'rejected webhook: bad or missing X-Twilio-Signature',
      );
      await reply
        .code(403)
        .send({ error: 'invalid_signature', message: 'X-Twilio-Signature is missing or does not match' });
    }
  };
}

/**
 * The URL exactly as configured is what Twilio signs in practice: check it with one HMAC first.
 * Only a mismatch goes through the SDK's full check, which also tries the URL with and without
 * its port and in escaped forms (two or more HMACs each time).
 */
function isSignedBy(authToken: string, signature: string, url: string, params: TwilioParams): boolean {
  const expected = Buffer.from(twilio.getExpectedTwilioSignature(authToken, url, params));
  const given = Buffer.from(signature);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  return twilio.validateRequest(authToken, signature, url, params);
}

/** Signs like Twilio does: used by the simulator and the tests. */
export function signTwilioRequest(authToken: string, url: string, params: TwilioParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}
