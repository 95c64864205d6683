import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { pairOf, type Pair } from './load';

/**
 * The baseline: a bare socket.io server that relays each `message:send` to
 * the pair's room and acks it — no validation, no storage, in-memory adapter.
 * What the engine adds on top of this is what the benchmark prices.
 */
export async function startRelay() {
  const http = createServer();
  const io = new Server(http);
  io.on('connection', (socket) => {
    const room = String(socket.handshake.auth.room);
    void socket.join(room);
    socket.on('message:send', (message: { clientMsgId: string }, ack: (r: object) => void) => {
      // To the whole room, the sender too, as the engine does.
      io.to(room).emit('message:new', message);
      ack({ ok: true });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const sockets: Socket[] = [];
  const connect = (room: string) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connectSocket(url, {
        auth: { room },
        transports: ['websocket'],
        reconnection: false,
      });
      sockets.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });

  return {
    async pairs(count: number): Promise<Pair[]> {
      return Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const shopper = await connect(`pair-${i}`);
          const agent = await connect(`pair-${i}`);
          return pairOf(
            async (clientMsgId) => {
              const ack = (await shopper
                .timeout(30_000)
                .emitWithAck('message:send', { clientMsgId })) as { ok: boolean };
              return ack.ok;
            },
            (deliver) =>
              agent.on('message:new', (m: { clientMsgId: string }) => deliver(m.clientMsgId)),
          );
        }),
      );
    },
    async close() {
      sockets.forEach((s) => s.close());
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
