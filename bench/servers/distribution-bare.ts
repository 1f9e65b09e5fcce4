// The distribution benchmark's baseline (distribution.bench.ts): bare Fastify with Socket.IO on
// its server, no authentication, no Redis, no database, no signature check. The incoming-call
// webhook answers fixed XML and emits a fixed offer to the next connected console, round robin,
// as soon as the form is read: what a call's offer costs at the least on this machine. The
// agents' other requests (accept, the Dial's action, PUT state) get fixed answers, so that the
// agents' process does the same work against both servers.
import Fastify from 'fastify';
import { Server, type Socket } from 'socket.io';

const port = Number(process.env.PORT);
const ANSWER = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Bonjour</Say></Response>';
const HANGUP = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';

const app = Fastify({ logger: false });
// The form's fields as plain strings (the incoming webhook needs its CallSid for the offer).
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
  done(null, Object.fromEntries(new URLSearchParams(body as string))),
);
const io = new Server(app.server, { serveClient: false, cors: { origin: false } });
// Consoles in the order they connected: the offers go to them in turn.
const consoles: Socket[] = [];
let next = 0;
io.on('connection', (socket) => {
  consoles.push(socket);
  socket.on('disconnect', () => {
    const i = consoles.indexOf(socket);
    if (i >= 0) consoles.splice(i, 1);
  });
});

app.post('/twilio/voice/incoming', async (request, reply) => {
  const { CallSid: callSid = '', From: from = null } = request.body as Record<string, string>;
  const socket = consoles[next++ % Math.max(1, consoles.length)];
  const at = new Date();
  socket?.emit('event', {
    id: `${Date.now()}-${next}`,
    type: 'call.screen-pop',
    at: at.toISOString(),
    userId: String(socket.handshake.auth?.token ?? ''),
    data: {
      callSid,
      line: 'daytime',
      lineKind: 'daytime',
      reason: 'offered',
      callerNumber: from,
      identification: 'none',
      customerIds: [],
      referenceGiven: false,
      caseId: null,
      caseNumber: null,
      at: at.toISOString(),
      offer: {
        offerId: `${callSid}.1`,
        expiresAt: new Date(at.getTime() + 15_000).toISOString(),
        autoAccept: false,
      },
    },
  });
  return reply.type('text/xml').send(ANSWER);
});
app.post('/api/calls/offers/:offerId/accept', async (request) => {
  const { offerId } = request.params as { offerId: string };
  return { callSid: offerId.slice(0, offerId.lastIndexOf('.')), offerId, connectTo: 'softphone' };
});
app.post('/twilio/voice/agent-leg', async (_request, reply) => reply.type('text/xml').send(HANGUP));
app.put('/api/agents/me/state', async (request) => ({
  state: (request.body as { state?: string } | undefined)?.state ?? 'AVAILABLE',
  reason: null,
  since: new Date().toISOString(),
}));
app.get('/healthz', async () => ({ status: 'ok' }));

await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`READY ${port}\n`);

// SIGINT ends it cleanly (a --cpu-prof profile is written on exit); a lost IPC channel means the
// benchmark itself is gone: do not outlive it.
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
