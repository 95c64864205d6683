import type { Db } from 'mongodb';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { startedSession } from '../../api/openapi';
import { namespaces } from '../../domain/rooms';
import type { VisitorSend } from '../../domain/message-send';
import type {
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
} from '../../domain/socket-events';
import type { RedisClient } from '../../runtime/connections';
import { issueAgentToken } from '../../runtime/tokens';
import type { TemporalHandle } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { tenantStore } from '../../stores/tenants';
import { activityDeps } from '../../workers/session-worker';
import { pairOf, type Pair } from './load';

type VisitorSocket = Socket<VisitorServerToClientEvents, VisitorClientToServerEvents>;
type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

export interface ChatBenchDeps {
  /** Where chats are opened over HTTP, and the gateway nodes shoppers and agents connect to. */
  urls: { http: string; shopper: string; agent: string };
  db: Db;
  redis: RedisClient;
  temporal: TemporalHandle;
  tokenSecret: string;
}

function connect<S extends Socket>(url: string, token: string): Promise<S> {
  const socket = connectSocket(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  }) as S;
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for the stack');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * `count` conversations as production has them: a tenant without the robot,
 * one online agent of capacity 1 per pair, a chat opened over HTTP and
 * assigned by the workflow, then the shopper's and the agent's sockets
 * connected with their own tokens — so every send is authorized against the
 * stored assignment, as in production.
 */
export async function chatPairs(deps: ChatBenchDeps, count: number) {
  const tenantId = 'bench-chat';
  await tenantStore(deps.db).ensure(tenantId, 'Bench shop', { robot: { enabled: false } });
  const { routing } = activityDeps(deps.db, deps.redis, deps.temporal.client);
  await routing.configureGroup(tenantId, 'default', {});
  for (let i = 0; i < count; i++) {
    await routing.configureAgent(tenantId, {
      agentId: `agent${i}`,
      capacity: 1,
      groups: ['default'],
    });
    await routing.setStatus(tenantId, `agent${i}`, 'online');
  }
  const sockets: Socket[] = [];
  const pairs = await Promise.all(
    Array.from({ length: count }, async (_, i): Promise<Pair> => {
      const response = await fetch(`${deps.urls.http}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          tenantId,
          channel: 'web',
          entry: { type: 'order', ref: `o-${i}` },
        }),
      });
      if (response.status !== 201) throw new Error(`open chat: ${response.status}`);
      const started = startedSession.parse(await response.json());
      const agentId = await until(async () => {
        const doc = await collections(deps.db).sessions.findOne({
          _id: started.sessionId,
          tenantId,
        });
        return doc?.phase === 'assigned' ? doc.agentId : undefined;
      });
      const shopper = await connect<VisitorSocket>(
        `${deps.urls.shopper}${namespaces.visitor}`,
        started.visitorToken,
      );
      const token = issueAgentToken(deps.tokenSecret, { tenantId, agentId, role: 'agent' }, 3600);
      // Connected after the assignment, so the agent joins the session's room on connect.
      const agent = await connect<AgentSocket>(
        `${deps.urls.agent}${namespaces.agent}`,
        token.token,
      );
      sockets.push(shopper, agent);
      return pairOf(
        (clientMsgId) => {
          const message: VisitorSend = { kind: 'text', clientMsgId, text: 'Where is my order?' };
          return new Promise<boolean>((resolve) => {
            shopper.emit('message:send', message, (ack) => resolve(ack.ok));
            setTimeout(() => resolve(false), 30_000).unref();
          });
        },
        (deliver) =>
          agent.on('message:new', (m) => {
            if (m.sender.type === 'visitor' && m.clientMsgId) deliver(m.clientMsgId);
          }),
      );
    }),
  );
  return { pairs, close: () => sockets.forEach((s) => s.close()) };
}
