/**
 * A small, bounded fake HTTP server on 127.0.0.1 for fault tests: it answers at most
 * `maxRequests` requests (then closes connections), and close() ends every open socket.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Answers one request; returning without ending `res` leaves the request hanging. */
export type FakeHandler = (req: FakeRequest, res: ServerResponse) => void;

export interface FakeServer extends AsyncDisposable {
  readonly port: number;
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(
  handler: FakeHandler,
  options: { maxRequests?: number } = {},
): Promise<FakeServer> {
  const maxRequests = options.maxRequests ?? 1000;
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      if (requests.length > maxRequests) {
        req.socket.destroy();
        return;
      }
      handler(request, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, requests, close, [Symbol.asyncDispose]: close };
}
