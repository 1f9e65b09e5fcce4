// What the fan-out benchmark (fanout.bench.ts) and its client processes (fanout-clients.ts) share:
// the clock both read, and what goes over the clients' control channel.

/**
 * Milliseconds since the epoch with sub-millisecond resolution, comparable between processes of
 * the same machine: the publisher stamps an event with it, a client process reads it when the
 * event arrives. (`Date.now()` is the same clock in every process but only to the millisecond;
 * `performance.now()` alone has a different origin in each process.) The benchmark checks the
 * offset between processes with round trips before and after each phase (fanout.bench.ts).
 */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** One console socket a client process is asked to open. */
export interface SocketPlan {
  /** The socket's number in the benchmark (0 … sockets − 1). */
  index: number;
  /** The Socket.IO server: an api process or a bare server. */
  url: string;
  /** `handshake.auth`: `{ token }` for the api, `{ rooms }` for a bare server. */
  auth: Record<string, unknown>;
}

export interface ConnectAnswer {
  connected: number;
  /** Handshakes refused or failed, with Socket.IO's message ("unauthorized" for a bad token). */
  failed: Array<{ index: number; message: string }>;
  ms: number;
}

/** What each event carries for the benchmark (in `data.bench`). */
export interface BenchStamp {
  run: string;
  seq: number;
  /** wallNow() just before the event was handed to the event bus (or the bare server). */
  sentAt: number;
}

/** What one socket received since the last collect: one entry per delivery, in arrival order. */
export interface SocketRecord {
  index: number;
  /** The stamp's seq of each delivery (−1: an event without this run's stamp). */
  seqs: number[];
  /** wallNow() at arrival − sentAt, ms. */
  latencies: number[];
  /** 'disconnect' events seen (reconnection is off: any is a failure). */
  disconnects: number;
  /** Messages other than 'event' (the gateway's 'presence', to supervisors and admins), by name. */
  others: Record<string, number>;
}

export interface CollectAnswer {
  records: SocketRecord[];
  /** The client process's event-loop delay since the last collect (ms): its own queueing. */
  loopDelayMs: { p50: number; p99: number; max: number };
}
