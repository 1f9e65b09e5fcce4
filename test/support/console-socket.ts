import { io as connect, type Socket } from 'socket.io-client';
import type { Harness } from './harness.js';

// A console's Socket.IO connection to a listening harness, as the browser opens it (token in the
// handshake, WebSocket, no reconnection so that a test sees a drop). Resolves once connected.
export function consoleSocket(h: Harness, token: string, opened: Socket[] = []): Promise<Socket> {
  const address = h.app.server.address();
  if (!address || typeof address === 'string') throw new Error('the harness is not listening');
  const socket = connect(`http://127.0.0.1:${address.port}`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', reject);
  });
}
