// The fan-out benchmark's baseline (fanout.bench.ts): plain Socket.IO on a plain node:http server,
// no Fastify, no authentication, no Redis (neither the event stream nor the adapter). A socket
// joins the rooms its handshake names (the ones `roomsFor` gives the api's user); the benchmark's
// publisher socket (`auth.publisher`) sends each event in, and it goes out at once to its
// audience's rooms (`audienceOf`, as the api's relay), from this process's event loop.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import type { DomainEvent } from '../../src/realtime/event-bus.js';
import { audienceOf } from '../../src/realtime/rooms.js';

const port = Number(process.env.PORT);
// Any other request (the benchmark's probe of GET /healthz) is answered at once, like the api's.
const http = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"status":"ok"}');
});
const io = new Server(http, { serveClient: false, cors: { origin: false } });

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { publisher?: boolean; rooms?: string[] };
  if (auth.publisher) {
    socket.on('publish', (event: DomainEvent) => {
      io.to(audienceOf(event)).emit('event', event);
    });
    return;
  }
  void socket.join(Array.isArray(auth.rooms) ? auth.rooms : []);
});

http.listen(port, '127.0.0.1', () => process.stdout.write(`READY ${port}\n`));

process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
