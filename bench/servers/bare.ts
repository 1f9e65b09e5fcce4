// Baseline: Fastify with the webhooks' POST routes answering fixed XML (BARE_ANSWER in
// support.ts), the body ignored, and the free slots' GET route answering the JSON of BARE_JSON
// (the api's own answer, slots.bench.ts). What the api costs is measured against this, in the
// same run, on the same machine.
import Fastify from 'fastify';

const ANSWER = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Bonjour</Say></Response>';
const app = Fastify({ logger: false });
app.addContentTypeParser('application/x-www-form-urlencoded', (_request, payload, done) => {
  payload.resume();
  payload.on('end', () => done(null, {}));
});
for (const path of ['/twilio/voice/incoming', '/twilio/voice/step'])
  app.post(path, async (_request, reply) => reply.type('text/xml').send(ANSWER));
// Parsed once, serialised per request as Fastify does for a route without a response schema:
// the same bytes as the api's answer, and a serialisation of the same size.
const json: unknown = process.env.BARE_JSON ? JSON.parse(process.env.BARE_JSON) : {};
app.get('/api/agencies/:id/slots', async () => json);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);

// SIGINT ends it cleanly (a --cpu-prof profile is written on exit); a lost IPC channel means the
// benchmark itself is gone: do not outlive it.
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
