import { describe, expect, it } from 'vitest';
import { statusesBefore, statusRank } from '../../src/messaging/message-status.js';
import { fromTwilioStatus, twilioError } from '../../src/messaging/twilio/twilio-vocabulary.js';

describe('delivery statuses', () => {
  it('only moves forward: delivered cannot go back to sent', () => {
    expect(statusesBefore('SENT')).not.toContain('DELIVERED');
    expect(statusesBefore('DELIVERED')).toContain('SENT');
    expect(statusRank('DELIVERED')).toBeGreaterThan(statusRank('SENT'));
  });

  it('translates Twilio message and call statuses to ours', () => {
    expect(fromTwilioStatus('queued')).toBe('SENT');
    expect(fromTwilioStatus('delivered')).toBe('DELIVERED');
    expect(fromTwilioStatus('undelivered')).toBe('UNDELIVERED');
    expect(fromTwilioStatus('no-answer')).toBe('NO_ANSWER');
    expect(fromTwilioStatus('in-progress')).toBe('IN_PROGRESS');
    expect(fromTwilioStatus('made-up')).toBeUndefined();
  });

  it('flattens Twilio errors to permanent or temporary', () => {
    expect(twilioError({ status: 400, code: 21614, message: 'not a mobile' })).toEqual({
      code: 'twilio-21614',
      permanent: true,
      message: 'not a mobile',
    });
    expect(twilioError({ status: 429, code: 20429, message: 'Too Many Requests' }).permanent).toBe(false);
    expect(twilioError({ status: 503, message: 'down' }).permanent).toBe(false);
    expect(twilioError(new Error('ECONNRESET')).permanent).toBe(false);
    expect(twilioError({ status: 401, code: 20003, message: 'Authenticate' }).permanent).toBe(true);
  });
});
