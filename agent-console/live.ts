// The live feed over Socket.IO: hands every domain event to the page exactly once and in stream
// order, across reconnections. The client script comes from the server (/socket.io/socket.io.js,
// global `io`), so it always matches the server's protocol version.

import type { io as connect } from 'socket.io-client';
import type { DomainEvent, PresenceUpdate, ResumeReply } from '../src/realtime/realtime.schemas.js';

export type { DomainEvent, PresenceUpdate };

declare global {
  interface Window {
    /** Socket.IO's client, from the script the server serves (absent if it failed to load). */
    io?: typeof connect;
  }
}

export type LiveStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface SyncInfo {
  /** Events may have been missed without being replayed: fetch the lists again. */
  reload: boolean;
  missed: number;
  complete: boolean;
}

export interface LiveHandlers {
  token: string;
  onEvent(event: DomainEvent): void;
  onStatus(status: LiveStatus): void;
  onSynced?(sync: SyncInfo): void;
  onConnected?(): void;
  onPresence?(presence: PresenceUpdate): void;
  onUnauthorized(): void;
}

export interface LiveFeed {
  close(): void;
  /** Tells the server something (e.g. which case is open); dropped while disconnected. */
  emit(name: string, payload: unknown): void;
}

const RESUME_TIMEOUT_MS = 10_000;

/** Compares two Redis stream ids ("<ms>-<seq>"); both parts fit safely in a JS number. */
export function compareIds(a: string, b: string): number {
  const [msA = 0, seqA = 0] = a.split('-').map(Number);
  const [msB = 0, seqB = 0] = b.split('-').map(Number);
  return msA - msB || seqA - seqB;
}

/**
 * Connects and keeps the feed going.
 * - onEvent(event): each event, oldest first, never twice.
 * - onStatus('connecting' | 'connected' | 'reconnecting' | 'disconnected')
 * - onSynced({ reload, missed, complete }): after each (re)connection has caught up. `reload`
 *   means events may have been missed without being replayed (first connection, nothing seen
 *   yet, or an incomplete catch-up): the page should fetch its lists again.
 * - onUnauthorized(): the token was refused; the feed is closed.
 */
export function connectLive({
  token,
  onEvent,
  onStatus,
  onSynced = () => {},
  onConnected = () => {},
  onPresence = () => {},
  onUnauthorized,
}: LiveHandlers): LiveFeed {
  if (typeof window.io !== 'function') {
    // The script tag failed (server down when the page loaded): say so rather than throw.
    onStatus('disconnected');
    return { close() {}, emit() {} };
  }

  let lastId: string | null = null;
  let resuming = false;
  let buffered: DomainEvent[] = [];
  let closed = false;

  onStatus('connecting');
  const socket = window.io({ auth: { token } });

  function apply(event: DomainEvent | null | undefined) {
    if (!event) return;
    if (event.id) {
      // Live events and the catch-up overlap: anything at or before the last id is a repeat.
      if (lastId && compareIds(event.id, lastId) <= 0) return;
      lastId = event.id;
    }
    onEvent(event);
  }

  socket.on('event', (event: DomainEvent) => {
    // While catching up, live events wait so that they land after the missed ones.
    if (resuming) buffered.push(event);
    else apply(event);
  });

  // Who has which case open: not a domain event (nothing to catch up on), only the latest counts.
  socket.on('presence', (presence: PresenceUpdate) => onPresence(presence));

  socket.on('connect', () => {
    onStatus('connected');
    // Per-connection state the server keeps (presence) is said again on every connection.
    onConnected();
    if (!lastId) {
      // First connection: nothing to catch up on, but learn where the stream stands, so that a
      // drop before any event arrives still resumes from here and misses nothing.
      socket.timeout(RESUME_TIMEOUT_MS).emit('resume', {}, (err: Error | null, reply?: ResumeReply) => {
        if (!err && reply?.latestId && (!lastId || compareIds(reply.latestId, lastId) > 0))
          lastId = reply.latestId;
        onSynced({ reload: true, missed: 0, complete: true });
      });
      return;
    }
    resuming = true;
    socket
      .timeout(RESUME_TIMEOUT_MS)
      .emit('resume', { after: lastId }, (err: Error | null, reply?: ResumeReply) => {
        const missed = err ? [] : (reply?.events ?? []);
        for (const event of missed) apply(event);
        const pending = buffered.filter((e) => e?.id).sort((a, b) => compareIds(a.id!, b.id!));
        const withoutId = buffered.filter((e) => !e?.id);
        buffered = [];
        resuming = false;
        for (const event of [...pending, ...withoutId]) apply(event);
        const complete = !err && reply?.complete !== false;
        onSynced({ reload: !complete, missed: missed.length, complete });
      });
  });

  socket.on('disconnect', (reason) => {
    if (closed || reason === 'io client disconnect') {
      onStatus('disconnected');
      return;
    }
    onStatus('reconnecting');
    // The server closed us on purpose (e.g. a restart): Socket.IO will not retry by itself.
    // The random delay keeps every console from reconnecting in the same instant.
    if (reason === 'io server disconnect')
      setTimeout(() => closed || socket.connect(), 1000 + Math.random() * 2000);
  });

  socket.on('connect_error', (err) => {
    if (err?.message === 'unauthorized') {
      closed = true;
      socket.disconnect();
      onUnauthorized();
      return;
    }
    onStatus(socket.active ? 'reconnecting' : 'disconnected');
  });

  socket.io.on('reconnect_attempt', () => onStatus('reconnecting'));
  socket.io.on('reconnect_failed', () => onStatus('disconnected'));

  return {
    close() {
      closed = true;
      socket.disconnect();
    },
    emit(name, payload) {
      if (socket.connected) socket.emit(name, payload);
    },
  };
}
