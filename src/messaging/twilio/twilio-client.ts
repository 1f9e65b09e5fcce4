import twilio from 'twilio';

// twilio is CommonJS: the default export is the factory (a named ESM import fails at run time).
export type TwilioClient = ReturnType<typeof twilio>;

/** A Twilio REST client talking to `apiBaseUrl`, so a compatible provider or a local double can stand in. */
export function createTwilioClient(accountSid: string, authToken: string, apiBaseUrl: string): TwilioClient {
  const client = twilio(accountSid, authToken, { autoRetry: false });
  client.api.baseUrl = apiBaseUrl;
  return client;
}
