import type { Namespace } from 'socket.io';
import type { EngineMetrics } from '../../runtime/metrics';

/**
 * Counts a namespace's admitted connections (a gauge, up at connect, down at
 * disconnect) and the events its clients send. An event is labelled by its
 * name only when the gateway handles it: a client can send any name, and
 * each would otherwise become a series of its own.
 */
export function observeSockets(namespace: Namespace, metrics: EngineMetrics): void {
  const labels = { namespace: namespace.name };
  metrics.socketConnections.inc(labels, 0);
  namespace.on('connection', (socket) => {
    metrics.socketConnections.inc(labels);
    socket.once('disconnect', () => metrics.socketConnections.dec(labels));
    socket.onAny((event: unknown) => {
      const handled = typeof event === 'string' && socket.listeners(event).length > 0;
      metrics.socketMessages.inc({ ...labels, event: handled ? event : 'other' });
    });
  });
}
