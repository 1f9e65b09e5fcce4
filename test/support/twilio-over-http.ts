import { createServer, type IncomingMessage } from 'node:http';
import { getResponse, type RequestHandler } from 'msw';
import { TWILIO_TEST_BASE } from './twilio-api.js';

// msw intercepts the requests of its own process only. A worker started as a separate process
// (the crash tests) reaches the same Twilio double over loopback HTTP: its TWILIO_API_BASE_URL is
// this server's URL, and each request is answered by the very msw handlers of createTwilioApi().

export interface TwilioOverHttp {
  /** TWILIO_API_BASE_URL for the other process. */
  url: string;
  close(): Promise<void>;
}

// Headers that describe the hop, not the request: fetch's Request refuses or recomputes them.
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function serveOverHttp(handlers: RequestHandler[]): Promise<TwilioOverHttp> {
  const server = createServer(async (incoming, outgoing) => {
    try {
      const response = await getResponse(handlers, await asFetchRequest(incoming));
      if (!response) {
        outgoing.writeHead(404, { 'content-type': 'application/json' }).end('{"code":20404,"status":404}');
        return;
      }
      const body = Buffer.from(await response.arrayBuffer());
      outgoing.writeHead(response.status, Object.fromEntries(response.headers)).end(body);
    } catch (err) {
      outgoing.writeHead(500).end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function asFetchRequest(incoming: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers))
    if (typeof value === 'string' && !HOP_HEADERS.has(name)) headers.set(name, value);
  const method = incoming.method ?? 'GET';
  return new Request(`${TWILIO_TEST_BASE}${incoming.url ?? '/'}`, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks),
  });
}
