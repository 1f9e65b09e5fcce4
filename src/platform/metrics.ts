import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  voiceFallbacks: Counter<'reason'>;
  webhooksRejected: Counter<'route'>;
  messagesSent: Counter<'channel' | 'outcome'>;
  redisErrors: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    voiceFallbacks: new Counter({
      name: 'voice_fallbacks_total',
      help: 'Callers sent to the apology and voicemail, or to the flow fallback, because something failed (reason: the webhook, or action:<name>)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    webhooksRejected: new Counter({
      name: 'twilio_webhooks_rejected_total',
      help: 'Webhooks refused for a bad or missing signature',
      labelNames: ['route'],
      registers: [registry],
    }),
    messagesSent: new Counter({
      name: 'outbox_deliveries_total',
      help: 'Outbox delivery attempts by channel and outcome',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: 'redis_connection_errors_total',
      help: "Errors on the service's Redis connection (lost, refused); it reconnects on its own",
      registers: [registry],
    }),
  };
}
