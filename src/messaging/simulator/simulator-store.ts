import { randomBytes } from 'node:crypto';
import type { Redis } from '../../platform/redis.js';
import type { EventBus } from '../../realtime/event-bus.js';
import type { SimulatorOutboundItem } from './simulator.schemas.js';

// What the simulator "sent": kept in Redis so every process (and the simulator panel) sees it.

export interface SimulatedItem extends SimulatorOutboundItem {
  twimlUrl?: string;
  statusCallbackUrl?: string;
}

const LIST = 'sim:outbound';
const KEEP = 500;
const itemKey = (sid: string) => `sim:item:${sid}`;

/**
 * What the panel shows, and what the "simulator.outbound" live event carries: our own callback
 * URLs stay on the server.
 */
export function forDisplay(item: SimulatedItem): SimulatorOutboundItem {
  const { twimlUrl: _twiml, statusCallbackUrl: _callback, ...shown } = item;
  return shown;
}

export function simulatedSid(prefix: 'SM' | 'CA' | 'EM' | 'RE'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

export interface SimulatorStore {
  record(item: SimulatedItem): Promise<void>;
  update(sid: string, status: string): Promise<SimulatedItem | null>;
  get(sid: string): Promise<SimulatedItem | null>;
  recent(limit?: number): Promise<SimulatedItem[]>;
}

export function createSimulatorStore(redis: Redis, events: EventBus): SimulatorStore {
  const store: SimulatorStore = {
    async record(item) {
      await redis
        .multi()
        .set(itemKey(item.sid), JSON.stringify(item), { EX: 7 * 24 * 3600 })
        .lPush(LIST, item.sid)
        .lTrim(LIST, 0, KEEP - 1)
        .exec();
      await events.publish({ type: 'simulator.outbound', data: forDisplay(item) });
    },
    async update(sid, status) {
      const item = await store.get(sid);
      if (!item) return null;
      const next = { ...item, status };
      await redis.set(itemKey(sid), JSON.stringify(next), { KEEPTTL: true });
      await events.publish({ type: 'simulator.outbound', data: forDisplay(next) });
      return next;
    },
    async get(sid) {
      const raw = await redis.get(itemKey(sid));
      return raw ? (JSON.parse(raw) as SimulatedItem) : null;
    },
    async recent(limit = 100) {
      const sids = await redis.lRange(LIST, 0, limit - 1);
      if (sids.length === 0) return [];
      const raws = await redis.mGet(sids.map(itemKey));
      return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as SimulatedItem);
    },
  };
  return store;
}
