import { signTwilioRequest, type TwilioParams } from '../../platform/twilio-webhook.js';

/** Posts to one of our webhooks exactly as Twilio would: form-encoded and signed. */
export async function postSignedWebhook(
  authToken: string,
  url: string,
  params: TwilioParams,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(authToken, url, params),
    },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}
