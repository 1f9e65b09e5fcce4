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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
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
