import { type DestinationStream, type Logger, pino } from 'pino';

// Personal data never reaches the logs: request bodies (Twilio posts From/To/Body), headers
// carrying credentials, and any field named like a phone, an e-mail or a name.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'body',
  '*.body',
  'From',
  'To',
  'Caller',
  'Called',
  '*.From',
  '*.To',
  'phone',
  '*.phone',
  'to',
  '*.to',
  'from',
  '*.from',
  'email',
  '*.email',
  'lastName',
  '*.lastName',
  'firstName',
  '*.firstName',
  'password',
  '*.password',
  'token',
  '*.token',
];

/** "/api/identification?phone=%2B336..." -> "/api/identification?phone=[redacted]". */
export function withoutQueryValues(url: string): string {
  return url.replace(/([?&][^=&#]*)=[^&#]*/g, '$1=[redacted]');
}

interface RequestLike {
  method: string;
  url: string;
  host?: string;
  ip?: string;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    serializers: {
      // Fastify's request log, without the query's values: a console search puts a phone number
      // or an e-mail address there (found by test/integration/log-privacy.test.ts).
      req: (req: RequestLike) => ({
        method: req.method,
        url: withoutQueryValues(req.url),
        host: req.host,
        remoteAddress: req.ip,
      }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** "+33612345678" -> "+336******78": enough to tell two numbers apart in a log, no more. */
export function maskPhone(phone: string | undefined | null): string {
  if (!phone) return '';
  if (phone.length <= 6) return '***';
  return `${phone.slice(0, 4)}${'*'.repeat(phone.length - 6)}${phone.slice(-2)}`;
}

export type { Logger };
