// The paging benchmark's baseline (paging.bench.ts): bare Fastify answering a night call's five
// webhooks with fixed TwiML that the benchmark's caller accepts, with no signature check, Redis,
// database or page: what a caller's wait costs at the least on this machine, beside the api's.
//   incoming        → a Gather whose action is step?seq=1 (the menu)
//   step?seq=1      → a Gather, action step?seq=2 (the address read back)
//   step?seq=2      → "the technician will call back" (WILL_CALL_BACK, as the api says it) and a
//                     Record, action step?seq=3
//   step?seq=3      → Hangup (the recording: the end of the call)
//   status          → 204
import Fastify from 'fastify';

const escapeXml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
const twiml = (verbs: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`;
const gather = (seq: number, prompt: string) =>
  `<Gather input="dtmf" numDigits="1" timeout="5" action="/twilio/voice/step?seq=${seq}" method="POST">` +
  `<Say language="fr-FR">${escapeXml(prompt)}</Say></Gather>`;

const INCOMING = twiml(
  gather(1, 'Bonjour. Pour une urgence, tapez 1. Pour une panne, tapez 2. For English, press 9.'),
);
const STEPS: Record<string, string> = {
  '1': twiml(
    gather(2, 'Votre adresse est bien le 1 rue des Essais, à Lyon ? Si oui, tapez 1, sinon tapez 2.'),
  ),
  '2': twiml(
    `<Say language="fr-FR">${escapeXml(process.env.WILL_CALL_BACK ?? '')}</Say>` +
      '<Record action="/twilio/voice/step?seq=3" method="POST" maxLength="120" finishOnKey="#" playBeep="true"/>',
  ),
  '3': twiml('<Hangup/>'),
};

const app = Fastify({ logger: false });
// As servers/bare.ts: the form is read, not parsed (the api parses it; this is the least cost).
app.addContentTypeParser('application/x-www-form-urlencoded', (_request, payload, done) => {
  payload.resume();
  payload.on('end', () => done(null, {}));
});
app.post('/twilio/voice/incoming', async (_request, reply) => reply.type('text/xml').send(INCOMING));
app.post('/twilio/voice/step', async (request, reply) => {
  const answer = STEPS[(request.query as { seq?: string }).seq ?? ''];
  if (!answer) return reply.code(400).send('unknown step');
  return reply.type('text/xml').send(answer);
});
app.post('/twilio/voice/status', async (_request, reply) => reply.code(204).send());
// The benchmark opens its connections here before a burst (BENCH_PAGING_CONNECTIONS=warm), as on the api.
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);

// SIGINT ends it cleanly (a --cpu-prof profile is written on exit); a lost IPC channel means the
// benchmark itself is gone: do not outlive it.
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
