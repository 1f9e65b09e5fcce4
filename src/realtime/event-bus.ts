import type { Redis } from '../platform/redis.js';
import type { DomainEvent } from './realtime.schemas.js';

// Domain events go through one Redis stream. Any process (api or worker) publishes; every api
// process reads it and relays to its own sockets. Stream ids let a reconnecting console (or an
// integration) resume exactly after the last event it saw.

export type { DomainEvent } from './realtime.schemas.js';

export const EVENT_STREAM = 'events';
const MAX_EVENTS = 100_000;

export interface EventBus {
  publish(event: Omit<DomainEvent, 'id' | 'at'> & { at?: string }): Promise<string>;
  /** Events after `afterId` (exclusive), oldest first, at most `limit`. */
  since(afterId: string, limit?: number): Promise<DomainEvent[]>;
  latestId(): Promise<string>;
}

export function createEventBus(redis: Redis, now: () => Date): EventBus {
  return {
    async publish(event) {
      const at = event.at ?? now().toISOString();
      const payload = JSON.stringify({
        type: event.type,
        at,
        agencyId: event.agencyId ?? null,
        ...(event.userId ? { userId: event.userId } : {}),
        ...(event.roles?.length ? { roles: event.roles } : {}),
        data: event.data,
      });
      return redis.xAdd(
        EVENT_STREAM,
        '*',
        { e: payload },
        { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: MAX_EVENTS } },
      );
    },
    async since(afterId, limit = 1000) {
      const entries = await redis.xRange(EVENT_STREAM, `(${afterId}`, '+', { COUNT: limit });
      return (entries ?? []).map((entry) => toEvent(entry.id, entry.message));
    },
    async latestId() {
      const last = await redis.xRevRange(EVENT_STREAM, '+', '-', { COUNT: 1 });
      return last?.[0]?.id ?? '0-0';
    },
  };
}

export function toEvent(id: string, message: Record<string, string>): DomainEvent {
  return { id, ...(JSON.parse(message.e ?? '{}') as Omit<DomainEvent, 'id'>) };
}

/**
 * Reads the stream from now on with its own blocking connection and hands each event over.
 * Returns a stop function that resolves once the loop has ended.
 */
/** How long the relay of a batch of events runs before letting waiting requests in. */
const RELAY_SLICE_MS = 5;

export function followEvents(
  redis: Redis,
  onEvent: (event: DomainEvent) => void,
  onError: (err: unknown) => void,
): () => Promise<void> {
  // Named, so that an operator (or a test) can find it in CLIENT LIST.
  const reader = redis.duplicate({ name: 'cc-events-reader' });
  // node-redis does not copy listeners to a duplicate: without one, a dropped connection (a Redis
  // restart, a network blip) would be an unhandled 'error' event and end the process.
  reader.on('error', onError);
  let running = true;
  const loop = (async () => {
    let lastId: string | null = null;
    while (running) {
      try {
        // Connecting is retried here too: Redis may be away when the api starts following.
        if (!reader.isOpen) await reader.connect();
        // A concrete id, not '$': '$' would skip events published between two blocking reads.
        if (lastId === null) {
          const newest = await reader.xRevRange(EVENT_STREAM, '+', '-', { COUNT: 1 });
          lastId = newest?.[0]?.id ?? '0-0';
        }
        const batches = await reader.xRead({ key: EVENT_STREAM, id: lastId }, { BLOCK: 1000, COUNT: 500 });
        if (!batches) continue;
        for (const batch of batches as Array<{
          messages: Array<{ id: string; message: Record<string, string> }>;
        }>) {
          // Relaying writes to every console socket of this process: the requests waiting
          // (Twilio's webhooks) get in between every few milliseconds of it. Not after every
          // event: in the night storm (issue 20) a wait per event held the consoles minutes behind
          // the calls, one event per turn of a busy event loop. (A throttle, not business time.)
          let slice = performance.now();
          for (const entry of batch.messages) {
            if (performance.now() - slice > RELAY_SLICE_MS) {
              await new Promise((resolve) => setImmediate(resolve));
              slice = performance.now();
            }
            lastId = entry.id;
            onEvent(toEvent(entry.id, entry.message));
          }
        }
      } catch (err) {
        if (!running) break;
        onError(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return async () => {
    running = false;
    await loop.catch(() => undefined);
    if (reader.isOpen) await reader.close().catch(() => reader.destroy());
  };
}
