import type { Server } from 'socket.io';
import { namespaces } from '../../domain/rooms';

/**
 * Disconnects every socket of a tenant, shoppers' and staff's, on every
 * gateway node (the Redis adapter asks the others); returns how many. Used
 * when the tenant is suspended: reconnecting is refused at the handshake.
 */
export function tenantDisconnector(io: Server) {
  return async (tenantId: string): Promise<number> => {
    let disconnected = 0;
    for (const name of [namespaces.visitor, namespaces.agent]) {
      for (const socket of await io.of(name).fetchSockets()) {
        const data: unknown = socket.data;
        const ofTenant =
          typeof data === 'object' &&
          data !== null &&
          'tenantId' in data &&
          data.tenantId === tenantId;
        if (!ofTenant) continue;
        socket.disconnect(true);
        disconnected++;
      }
    }
    return disconnected;
  };
}
