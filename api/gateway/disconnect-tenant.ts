import type { Server } from 'socket.io';
import { namespaces } from '../../domain/rooms';

/**
 * Disconnects every socket of a tenant, shoppers' and staff's, on every
 * gateway node (the Redis adapter asks the others); returns how many. Used
 * when the tenant is suspended: reconnecting is refused at the handshake.
 */
export function tenantDisconnector(io: Server) {
  return async (tenantId: string): Promise<number> => {
    const found = [];
    for (const name of [namespaces.visitor, namespaces.agent]) {
      for (const socket of await io.of(name).fetchSockets()) {
        const data: unknown = socket.data;
        const ofTenant =
          typeof data === 'object' &&
          data !== null &&
          'tenantId' in data &&
          data.tenantId === tenantId;
        if (ofTenant) found.push(socket);
      }
    }
    // All found before any goes: closing one connection also drops the other
    // namespaces' sockets that share it (one browser, two namespaces).
    for (const socket of found) socket.disconnect(true);
    return found.length;
  };
}
