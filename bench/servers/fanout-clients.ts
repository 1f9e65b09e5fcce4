// Console sockets for the fan-out benchmark (fanout.bench.ts), in a process of their own so that
// receiving 1,000 sockets' events does not share an event loop with the publisher. A small HTTP
// control server on PORT (127.0.0.1) takes the benchmark's orders; every socket is a real
// socket.io-client connection of its own (forceNew: no multiplexing), WebSocket transport.
//   POST /connect  [SocketPlan…]  → ConnectAnswer, once every handshake is answered
//   GET  /count                   → { received }: deliveries of this run's events since the last collect
//   POST /collect                 → CollectAnswer, and starts over
//   POST /close                   → closes every socket
//   GET  /clock                   → { now }: wallNow(), for the benchmark's offset check
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { BenchStamp, CollectAnswer, ConnectAnswer, SocketPlan, SocketRecord } from '../fanout-shared.js';
import { wallNow } from '../fanout-shared.js';

const port = Number(process.env.PORT);
// Events stamped by another run (or not at all) are recorded as seq −1: foreign.
const run = process.env.BENCH_FANOUT_RUN;
// Handshakes in flight at once: 500 at a time would time some out on two busy cores.
const CONNECT_LANES = 50;

interface Client {
  socket: Socket;
  record: SocketRecord;
}
const clients: Client[] = [];
let received = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

const freshRecord = (index: number): SocketRecord => ({
  index,
  seqs: [],
  latencies: [],
  disconnects: 0,
  others: {},
});

function open(plan: SocketPlan): Promise<{ ok: true } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    const socket = io(plan.url, {
      auth: plan.auth,
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
    });
    const client: Client = { socket, record: freshRecord(plan.index) };
    socket.on('event', (event: { data?: { bench?: BenchStamp } }) => {
      const at = wallNow(); // first: what follows is this process's work, not the delivery's
      const stamp = event?.data?.bench;
      const ours = stamp?.run === run && typeof stamp?.seq === 'number';
      client.record.seqs.push(ours ? stamp.seq : -1);
      client.record.latencies.push(ours ? at - stamp.sentAt : Number.NaN);
      if (ours) received++;
    });
    socket.onAny((name: string) => {
      if (name !== 'event') client.record.others[name] = (client.record.others[name] ?? 0) + 1;
    });
    socket.once('connect', () => {
      socket.on('disconnect', () => {
        client.record.disconnects++;
      });
      clients.push(client);
      resolve({ ok: true });
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve({ ok: false, message: err.message });
    });
  });
}

async function connect(plans: SocketPlan[]): Promise<ConnectAnswer> {
  const started = performance.now();
  const failed: ConnectAnswer['failed'] = [];
  let next = 0;
  const lane = async () => {
    while (next < plans.length) {
      const plan = plans[next++]!;
      const result = await open(plan);
      if (!result.ok) failed.push({ index: plan.index, message: result.message });
    }
  };
  await Promise.all(Array.from({ length: CONNECT_LANES }, lane));
  return { connected: plans.length - failed.length, failed, ms: Math.round(performance.now() - started) };
}

function collect(): CollectAnswer {
  const records = clients.map((c) => c.record);
  for (const c of clients) c.record = freshRecord(c.record.index);
  received = 0;
  const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
  const loopDelayMs = {
    p50: ms(loopDelay.percentile(50)),
    p99: ms(loopDelay.percentile(99)),
    max: ms(loopDelay.max),
  };
  loopDelay.reset();
  return { records, loopDelayMs };
}

async function close(): Promise<{ closed: number }> {
  const closed = clients.length;
  for (const c of clients.splice(0)) c.socket.close();
  received = 0;
  return { closed };
}

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

async function answer(request: IncomingMessage): Promise<unknown> {
  const route = `${request.method} ${request.url}`;
  if (route === 'POST /connect') return connect((await body(request)) as SocketPlan[]);
  if (route === 'GET /count') return { received };
  if (route === 'POST /collect') return collect();
  if (route === 'POST /close') return close();
  if (route === 'GET /clock') return { now: wallNow() };
  throw new Error(`unknown control request ${route}`);
}

const control = createServer((request: IncomingMessage, response: ServerResponse) => {
  answer(request).then(
    (value) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    },
    (err: Error) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(err.stack ?? err.message);
    },
  );
});
control.listen(port, '127.0.0.1', () => process.stdout.write(`READY ${port}\n`));

// SIGINT (the harness's stop) and a lost IPC channel (the benchmark is gone) end it.
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
