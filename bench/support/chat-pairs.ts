import type { Db } from 'mongodb';
import type { Socket } from 'socket.io-client';
import { startedSession } from '../../api/openapi';
import type { VisitorSend } from '../../domain/message-send';
import type { RedisClient } from '../../runtime/connections';
import { issueAgentToken } from '../../runtime/tokens';
import type { TemporalHandle } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { tenantStore } from '../../stores/tenants';
import { activityDeps } from '../../workers/session-worker';
import { connectAgent, connectVisitor, until } from './clients';
import { pairOf, type Pair } from './load';

export interface ChatBenchDeps {
  /** Where chats are opened over HTTP, and the gateway nodes shoppers and agents connect to. */
  urls: { http: string; shopper: string; agent: string };
  db: Db;
  redis: RedisClient;
  temporal: TemporalHandle;
  tokenSecret: string;
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
  // Bench agents are set online with no console socket (or connect one after assignment).
  await routing.configurePresence(tenantId, { mode: 'manual' });
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
      }, 'the assignment');
      const shopper = await connectVisitor(deps.urls.shopper, started.visitorToken);
      const token = issueAgentToken(deps.tokenSecret, { tenantId, agentId, role: 'agent' }, 3600);
      // Connected after the assignment, so the agent joins the session's room on connect.
      const agent = await connectAgent(deps.urls.agent, token.token);
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
