import { describe, expect, it } from 'vitest';
import { createLogger, maskPhone, withoutQueryValues } from '../../src/platform/logger.js';

describe('logs', () => {
  it('never carry phone numbers, e-mail addresses, names, bodies or tokens', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    logger.info(
      {
        From: '+33612345678',
        To: '+33970000001',
        body: 'Ma chaudière fuit',
        email: 'lea@demo.example',
        lastName: 'Durand',
        token: 'ccs_secret',
        callSid: 'CA1',
      },
      'webhook',
    );
    logger.info({ message: { to: '+33611111111', body: 'Dossier 12' } }, 'nested');
    const output = lines.join('');
    for (const secret of [
      '+33612345678',
      '+33970000001',
      'chaudière',
      'lea@demo.example',
      'Durand',
      'ccs_secret',
      '+33611111111',
      'Dossier 12',
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('CA1');
  });

  it('logs a request URL with its parameter names, not their values', () => {
    expect(withoutQueryValues('/api/identification?phone=%2B33612345678&email=a%40b.fr#x')).toBe(
      '/api/identification?phone=[redacted]&email=[redacted]#x',
    );
    expect(withoutQueryValues('/twilio/voice/step')).toBe('/twilio/voice/step');
  });

  it('masks a phone number that must appear, keeping enough to tell two apart', () => {
    expect(maskPhone('+33612345678')).toBe('+336******78');
    expect(maskPhone(null)).toBe('');
  });
});
