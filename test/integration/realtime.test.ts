import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { DomainEvent } from '../../src/realtime/event-bus.js';
import { type Harness, startHarness } from '../support/harness.js';
import { until } from '../support/until.js';

// Two api processes on one store: an event published by one reaches sockets connected to the other.
let first: Harness;
let second: Harness;
const sockets: Socket[] = [];

beforeAll(async () => {
  first = await startHarness({ listen: true });
  second = await startHarness({ listen: true, databaseUrl: first.settings.databaseUrl, keepRedis: true });
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await second.close();
  await first.close();
});

function urlOf(h: Harness): string {
  const address = h.app.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

function socketTo(h: Harness, token: string | undefined): Socket {
  const socket = connect(urlOf(h), {
    auth: token ? { token } : {},
    transports: ['websocket'],
    reconnection: false,
  });
  sockets.push(socket);
  return socket;
}

function nextEvent(socket: Socket, type: string): Promise<DomainEvent> {
  return new Promise((resolve) => {
    socket.on('event', (event: DomainEvent) => {
      if (event.type === type) resolve(event);
    });
  });
}

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    if (socket.connected) resolve();
    socket.on('connect', () => resolve());
    socket.on('connect_error', reject);
  });

describe('Socket.IO', () => {
  it('delivers an event published by one api process to a client of the other', async () => {
    const token = await second.login('AGENT');
    const socket = socketTo(second, token);
    await connected(socket);
    const received = nextEvent(socket, 'test.ping');
    await first.services.events.publish({ type: 'test.ping', data: { n: 1 } });
    const event = await received;
    expect(event.data).toEqual({ n: 1 });
    expect(event.id).toMatch(/^\d+-\d+$/);
  });

  it('goes on relaying when the event stream reader loses its Redis connection', async () => {
    const socket = socketTo(second, await second.login('AGENT'));
    await connected(socket);
    // Drop the readers' connections as a Redis restart or a network blip would.
    const clients = String(await first.services.redis.sendCommand(['CLIENT', 'LIST']));
    const readers = [...clients.matchAll(/id=(\d+) .*?name=cc-events-reader /g)].map((m) => m[1]!);
    expect(readers.length).toBeGreaterThanOrEqual(2); // one per api process
    for (const id of readers) await first.services.redis.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    // The processes are still up and the next event still arrives.
    const received = nextEvent(socket, 'test.after-drop');
    const publish = setInterval(() => {
      void first.services.events.publish({ type: 'test.after-drop', data: {} });
    }, 200);
    try {
      expect((await received).type).toBe('test.after-drop');
    } finally {
      clearInterval(publish);
    }
    expect((await first.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('refuses a handshake without a valid token', async () => {
    const anonymous = socketTo(first, undefined);
    await expect(connected(anonymous)).rejects.toThrow('unauthorized');
    const forged = socketTo(first, 'ccs_not-a-session');
    await expect(connected(forged)).rejects.toThrow('unauthorized');
  });

  it('closes the consoles opened with a session when it logs out, on every api process; its token opens none again', async () => {
    const token = await second.login('SUPERVISOR');
    const other = await second.login('SUPERVISOR'); // another supervisor's session
    const here = socketTo(first, token);
    const there = socketTo(second, token);
    const kept = socketTo(first, other);
    await Promise.all([here, there, kept].map(connected));
    const logout = await first.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(logout.statusCode).toBe(204);
    await until(async () => !here.connected && !there.connected);
    await expect(connected(socketTo(second, token))).rejects.toThrow('unauthorized');
    // The other session's console stays, and still hears events.
    const received = nextEvent(kept, 'test.after-logout');
    await first.services.events.publish({ type: 'test.after-logout', data: {} });
    expect((await received).type).toBe('test.after-logout');
    expect(kept.connected).toBe(true);
  });

  it('keeps an agency’s events to that agency’s agents and supervisors', async () => {
    const db = first.services.db;
    const region = await db.region.create({ data: { code: 'RT', name: 'R' } });
    const lyon = await db.agency.create({ data: { code: 'LY', name: 'Lyon', regionId: region.id } });
    const metz = await db.agency.create({ data: { code: 'ME', name: 'Metz', regionId: region.id } });
    const agentToken = async (agencyId: string) => {
      const token = await first.login('AGENT');
      const me = await first.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization: `Bearer ${token}` },
      });
      await db.user.update({ where: { id: (me.json() as { id: string }).id }, data: { agencyId } });
      // Sessions carry the agency: log in again to pick it up.
      const user = await db.user.findUniqueOrThrow({ where: { id: (me.json() as { id: string }).id } });
      const again = await first.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: user.email, password: 'correct horse battery' },
      });
      return (again.json() as { token: string }).token;
    };
    const metzToken = await agentToken(metz.id);
    const metzAgent = socketTo(first, metzToken);
    const supervisor = socketTo(second, await first.login('SUPERVISOR'));
    await Promise.all([connected(metzAgent), connected(supervisor)]);
    const seenByMetz: DomainEvent[] = [];
    metzAgent.on('event', (e: DomainEvent) => seenByMetz.push(e));
    const toSupervisor = nextEvent(supervisor, 'case.opened');
    await first.services.events.publish({ type: 'case.opened', agencyId: lyon.id, data: { caseId: 'x' } });
    expect((await toSupervisor).agencyId).toBe(lyon.id);
    const marker = nextEvent(metzAgent, 'marker');
    await first.services.events.publish({ type: 'marker', data: {} });
    await marker;
    expect(seenByMetz.map((e) => e.type)).toEqual(['marker']);
  });

  it('replays every event a client missed while disconnected', async () => {
    const token = await first.login('SUPERVISOR');
    const socket = socketTo(first, token);
    await connected(socket);
    const marker = nextEvent(socket, 'before-drop');
    await first.services.events.publish({ type: 'before-drop', data: {} });
    const lastSeen = (await marker).id!;
    socket.disconnect();
    for (let i = 0; i < 5; i++) await first.services.events.publish({ type: 'while-away', data: { i } });
    const again = socketTo(second, token);
    await connected(again);
    const reply = await again.emitWithAck('resume', { after: lastSeen });
    expect(reply.complete).toBe(true);
    expect(reply.events.map((e: DomainEvent) => e.data.i)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('plain WebSocket event stream', () => {
  it('streams events to an integration token and refuses a request without one', async () => {
    const token = await first.apiToken('INTEGRATION', 'wallboard');
    const wsUrl = `${urlOf(second).replace('http', 'ws')}/events/stream`;

    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);

    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const frames: DomainEvent[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as DomainEvent));
    // The stream takes the socket on once its upgrade is authorised, just after it opens: events
    // published on the other process from then on arrive.
    const frame = await until(async () => {
      await first.services.events.publish({ type: 'stream.test', data: { ok: true } });
      return frames.find((e) => e.type === 'stream.test');
    });
    expect(frame.data).toEqual({ ok: true });
    ws.close();
  });
});
