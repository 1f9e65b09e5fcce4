import { expect } from 'vitest';
import type { Harness } from './harness.js';
import { TEST_ACCOUNT_SID } from './twilio-api.js';

// The phone of the person paged, as Twilio carries it: a call the platform placed (as the msw
// Twilio stand-in recorded it) is picked up, answered with keys, or ends with a status.

export interface PlacedCall {
  url?: string;
  statusCallback?: string;
  form: Record<string, string>;
}

const PAGED_CALL_SID = `CA${'f'.repeat(32)}`;
const pathOf = (h: Harness, url: string) => url.slice(h.settings.publicBaseUrl.length);

/** Picks up the page call (a person, or `machine_end_beep` for a voicemail); returns its TwiML. */
export async function pickUp(h: Harness, placed: PlacedCall, answeredBy = 'human'): Promise<string> {
  const response = await h.twilioPost(pathOf(h, placed.url!), {
    CallSid: PAGED_CALL_SID,
    AccountSid: TEST_ACCOUNT_SID,
    From: placed.form.From!,
    To: placed.form.To!,
    CallStatus: 'in-progress',
    Direction: 'outbound-api',
    AnsweredBy: answeredBy,
  });
  expect(response.statusCode).toBe(200);
  return response.body;
}

/** Picks up and presses keys at the page's menu; returns the answer's TwiML. */
export async function pressOnPage(h: Harness, placed: PlacedCall, digits: string): Promise<string> {
  const twiml = await pickUp(h, placed);
  const action = /<Gather[^>]*action="([^"]+)"/.exec(twiml)![1]!.replace(/&amp;/g, '&');
  const response = await h.twilioPost(action, {
    CallSid: PAGED_CALL_SID,
    AccountSid: TEST_ACCOUNT_SID,
    From: placed.form.From!,
    To: placed.form.To!,
    Digits: digits,
  });
  return response.body;
}

/** The call's status callback, as Twilio posts it when the call ends (no-answer, busy, …). */
export async function callStatus(h: Harness, placed: PlacedCall, status: string): Promise<void> {
  const response = await h.twilioPost(pathOf(h, placed.statusCallback!), {
    CallSid: `CA${'e'.repeat(32)}`,
    AccountSid: TEST_ACCOUNT_SID,
    To: placed.form.To!,
    From: placed.form.From!,
    CallStatus: status,
  });
  expect(response.statusCode).toBe(204);
}
