import type { Queue } from 'bullmq';
import type { OutboxDeps } from '../messaging/outbox.service.js';
import type { Templates } from '../messaging/templates.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/client.js';
import type { Logger } from '../platform/logger.js';
import type { LinkSigner } from '../platform/signed-links.js';
import type { EventBus } from '../realtime/event-bus.js';

/** What telling customers about their alerts needs: channels, templates, timers, signed links. */
export interface NoticeDeps {
  db: Db;
  events: EventBus;
  outbox: OutboxDeps;
  templates: Templates;
  clock: Clock;
  logger: Logger;
  /** The `alerts` queue: reminders wait there as delayed jobs. */
  queue: Queue;
  reminders: { count: number; everyMs: number };
  links: LinkSigner;
  /** How long the acknowledgement link of an e-mail works. */
  linkTtlMs: number;
  publicBaseUrl: string;
  zone: string;
}

// Deterministic ids: scheduling a reminder twice schedules it once; acknowledging removes it.
export const reminderJobId = (alertId: string, n: number) => `alert-${alertId}-reminder-${n}`;
export const ACK_LINK_PURPOSE = 'alert-ack';
