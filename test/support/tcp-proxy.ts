import { connect, createServer, type Server, type Socket } from 'node:net';

// A loopback TCP proxy a fault test owns, between the service and one dependency (PostgreSQL,
// Redis, SMTP, the Twilio stand-in): the test cuts it or delays it, never the shared server other
// tests use.

export interface TcpProxy {
  /** The port the service is given instead of the dependency's. */
  port: number;
  /** Drops every open connection and refuses new ones, as a dependency gone away does. */
  cut(): void;
  /** Accepts connections again; the service reconnects on its own. */
  restore(): void;
  /** Holds every byte this long each way (0: none). */
  delay(ms: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let delayMs = 0;

  const pipe = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => {
      if (delayMs === 0) to.write(chunk);
      else setTimeout(() => to.destroyed || to.write(chunk), delayMs);
    });

  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // A reset on one side ends the pair; the service sees its connection drop.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    pipe(client, upstream);
    pipe(upstream, client);
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');

  return {
    port: address.port,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
    delay(ms) {
      delayMs = ms;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
