import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { type Principal, STAFF } from '../platform/auth/principal.js';
import { digest, resolveToken } from '../platform/auth/tokens.js';
import type { Services } from '../services.js';
import type { DomainEvent } from './event-bus.js';
import { handlePresence, type OnlineUser, onlineUsers } from './presence.js';
import type { ResumeReply } from './realtime.schemas.js';
import { audienceOf, mayReceive, roomsFor, sessionRoom, userRoom } from './rooms.js';

declare module 'socket.io' {
  interface SocketData {
    principal: Principal;
    /** The case this console has open (presence.ts). */
    viewing?: string | null;
    /** Its session token's digest: a logout closes the consoles opened with it. */
    session?: string;
  }
}

const MAX_CATCH_UP = 5000;
/**
 * How long a console closing waits for the other api processes to say whether the user has
 * another console open. A healthy cluster answers in milliseconds; the adapter's own bound (5 s)
 * would keep a caller ringing on a closed console that long when one process does not answer.
 */
const OTHERS_OPEN_TIMEOUT_MS = 1000;

/**
 * Socket.IO on the api's own HTTP server. The handshake carries the bearer token in `auth`
 * (never in the URL, which gets logged). The Redis streams adapter makes rooms and presence
 * span every api process; domain events reach each process through the event stream and are
 * emitted to its local sockets only, so each event is delivered once per socket.
 */
export function attachSocketGateway(
  app: FastifyInstance,
  services: Services,
  hooks: {
    /**
     * A console of the user has just disconnected; `othersOpen` says whether another (on any api
     * process) still is: a request to every process, for the hook to make only when it matters.
     */
    consoleClosed?(userId: string, othersOpen: () => Promise<boolean>): Promise<void>;
  } = {},
): {
  relay(event: DomainEvent): void;
  /** Closes the consoles opened with this session token, on every api process (a logout). */
  sessionEnded(token: string): void;
  online(): Promise<OnlineUser[]>;
  /** The users with a console connected to this process. */
  connectedHere(): Promise<string[]>;
} {
  const { db, redis, events, logger } = services;
  // The adapter's own connection, which waits for Redis to come back (node-redis's offline queue):
  // the adapter's read loop retries a failed read at once, so on a connection that fails fast
  // while Redis is away (the service's) a Redis blip spun the api at full CPU until it ran out of
  // memory (tests/integration/faults-redis.test.ts).
  const adapterRedis = redis.duplicate({ disableOfflineQueue: false });
  adapterRedis.on('error', (err: Error) => redis.emit('error', err));
  adapterRedis
    .connect()
    .catch((err: unknown) => logger.error({ err }, 'socket adapter not connected to Redis'));
  const io = new Server(app.server, {
    // @fastify/websocket shares the server: let it handle its own upgrades (see STACK.md).
    destroyUpgrade: false,
    serveClient: true,
    // The adapter publishes with this client and reads with its own duplicate of it.
    adapter: createAdapter(adapterRedis as never),
    cors: { origin: false },
  });

  // Socket.IO upgrades must not go through Fastify's router (it would answer 404).
  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.url?.startsWith('/socket.io/')) reply.hijack();
  });

  io.use(async (socket, next) => {
    const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
    const principal = token ? await resolveToken(db, redis, token).catch(() => null) : null;
    if (!principal || (principal.kind === 'user' && !STAFF.includes(principal.role))) {
      next(new Error('unauthorized'));
      return;
    }
    socket.data.principal = principal;
    socket.data.session = digest(token!);
    next();
  });

  io.on('connection', (socket) => {
    const principal = socket.data.principal;
    void socket.join([...roomsFor(principal), sessionRoom(socket.data.session!)]);
    handlePresence(io, socket, (err) => logger.warn({ err }, 'presence not told'));
    if (principal.kind === 'user' && hooks.consoleClosed) {
      const closed = hooks.consoleClosed;
      const room = userRoom(principal.id);
      // This process's own consoles first: known at once, whatever the others answer.
      const othersOpen = async () =>
        (await io.local.in(room).fetchSockets()).length > 0 ||
        (await io.in(room).timeout(OTHERS_OPEN_TIMEOUT_MS).fetchSockets()).length > 0;
      socket.on('disconnect', () => {
        closed(principal.id, othersOpen).catch((err) =>
          logger.warn({ err, userId: principal.id }, 'console closing not handled'),
        );
      });
    }
    // Catch-up after a drop: the client says the last event id it saw and gets what it missed.
    // Without an id (first connection) it gets nothing but the id to resume from.
    socket.on(
      'resume',
      async (payload: { after?: string } | undefined, ack?: (reply: ResumeReply) => void) => {
        try {
          const after =
            typeof payload?.after === 'string' && /^\d+-\d+$/.test(payload.after)
              ? payload.after
              : await events.latestId();
          const missed = await events.since(after, MAX_CATCH_UP);
          ack?.({
            events: missed.filter((e) => mayReceive(principal, e)),
            complete: missed.length < MAX_CATCH_UP,
            // Where to resume from next time, even when nothing was missed.
            latestId: missed.at(-1)?.id ?? after,
          });
        } catch (err) {
          logger.warn({ err }, 'catch-up failed');
          ack?.({ events: [], complete: false, latestId: null });
        }
      },
    );
  });

  app.addHook('preClose', async () => {
    io.local.disconnectSockets(true);
  });
  app.addHook('onClose', async () => {
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await adapterRedis.close().catch(() => adapterRedis.destroy());
  });

  return {
    relay(event) {
      const audience = audienceOf(event);
      // No console of the audience on this process (an api taking webhooks through a quiet
      // night): Socket.IO would still encode the packet, 3.6 % of an api's CPU in a burst of
      // night calls (issue 24).
      const rooms = io.of('/').adapter.rooms;
      if (!audience.some((room) => (rooms.get(room)?.size ?? 0) > 0)) return;
      io.local.to(audience).emit('event', event);
    },
    sessionEnded(token) {
      // Through the adapter: the consoles of this session on the other api processes too.
      io.in(sessionRoom(digest(token))).disconnectSockets(true);
    },
    online: () => onlineUsers(io),
    async connectedHere() {
      const ids = new Set<string>();
      for (const { data } of await io.local.fetchSockets())
        if (data.principal?.kind === 'user') ids.add(data.principal.id);
      return [...ids];
    },
  };
}
