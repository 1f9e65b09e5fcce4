import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from '../redis.js';

// Limits for the public routes that declare one (`config.rateLimit`; no route is limited by
// default). The counts live in Redis, so that every api process shares them: a limit of 5 a
// minute stays 5 whatever the number of processes behind the load balancer. With Redis away the
// request goes through (skipOnError): a customer's message is worth more than the limit.

const PREFIX = 'rate-limit:';

type Counted = { current: number; ttl: number };
type RouteLimit = { timeWindow?: unknown; routeInfo?: { method?: string | string[]; url?: string } };

/** A fixed window per route and key: the first hit of a window sets its expiry. */
function redisWindowStore(redis: Redis) {
  return class RedisWindowStore {
    private readonly windowMs: number;
    constructor(
      params: { timeWindow?: unknown },
      private readonly route = '',
    ) {
      this.windowMs = typeof params.timeWindow === 'number' ? params.timeWindow : 60_000;
    }

    // The plugin passes the route's window too (its typings leave it out).
    incr(key: string, done: (error: Error | null, result?: Counted) => void, timeWindow?: number): void {
      const name = `${PREFIX}${this.route}:${key}`;
      redis
        .multi()
        .incr(name)
        .pExpire(name, timeWindow ?? this.windowMs, 'NX')
        .pTTL(name)
        .exec()
        .then((replies) => done(null, { current: Number(replies[0]), ttl: Math.max(0, Number(replies[2])) }))
        .catch((err: Error) => done(err));
    }

    // Given the route's settings with the route itself as `routeInfo`: what the plugin passes,
    // whatever its typings say.
    child(params: object) {
      const { routeInfo: route, timeWindow } = params as RouteLimit;
      return new RedisWindowStore({ timeWindow }, `${route?.method ?? ''}${route?.url ?? ''}`);
    }
  };
}

export async function registerRateLimits(app: FastifyInstance, redis: Redis): Promise<void> {
  await app.register(fastifyRateLimit, {
    global: false,
    skipOnError: true,
    store: redisWindowStore(redis),
    // Thrown, then answered by the api's error handler: { error: 'too_many_requests', message }.
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'too_many_requests',
      message: `too many requests: try again in ${context.after}`,
    }),
  });
}
