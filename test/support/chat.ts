import { io as connectSocket, type Socket } from 'socket.io-client';
import { startedSession } from '../../api/openapi';
import type { ChatMessage } from '../../domain/message';
import type { AgentSend, VisitorSend } from '../../domain/message-send';
import { namespaces } from '../../domain/rooms';
import { seqInbox } from '../../domain/seq-inbox';
import type {
  Ack,
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  MessagePage,
} from '../../domain/socket-events';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import type { StaffRole } from '../../domain/staff-roles';
import { issueAgentToken } from '../../runtime/tokens';
import { collections } from '../../stores/collections';
import { activityDeps } from '../../workers/session-worker';
import {
  connectVisitor,
  eventually,
  postJson,
  type TestEngine,
  type VisitorSocket,
} from './engine';
import { testSecret, uniqueId } from './stack';
import { signedVisitor } from './identity';

export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

export function agentToken(tenantId: string, agentId: string, role: StaffRole = 'agent'): string {
  return issueAgentToken(testSecret, { tenantId, agentId, role }, 3600).token;
}

/** An agent console's socket, connected (or rejected) on `url` (any gateway node). */
export function connectAgent(url: string, token: string | undefined): Promise<AgentSocket> {
  const socket: AgentSocket = connectSocket(`${url}${namespaces.agent}`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** A visitor socket on any node. */
export function connectVisitorAt(url: string, token: string): Promise<VisitorSocket> {
  return connectVisitor({ url }, token);
}

/** Polls a synchronous condition (e.g. over received events) until it holds, with a deadline. */
export function waitFor(check: () => boolean, timeoutMs?: number): Promise<true> {
  return eventually(() => Promise.resolve(check() ? true : undefined), timeoutMs);
}

/** Emits any payload (valid or not) and resolves with the ack: bad-input tests need the raw emit. */
export function emitRaw(
  socket: VisitorSocket | AgentSocket,
  event: string,
  payload: unknown,
): Promise<Ack<unknown>> {
  const untyped: Socket = socket;
  return untyped.timeout(30_000).emitWithAck(event, payload);
}

export function visitorSend(
  socket: VisitorSocket,
  message: VisitorSend,
): Promise<Ack<ChatMessage>> {
  return socket.timeout(30_000).emitWithAck('message:send', message);
}

export function agentSend(socket: AgentSocket, message: AgentSend): Promise<Ack<ChatMessage>> {
  return socket.timeout(30_000).emitWithAck('message:send', message);
}

export function agentSync(
  socket: AgentSocket,
  sessionId: string,
  afterSeq: number,
  limit = 200,
): Promise<Ack<MessagePage>> {
  return socket.timeout(30_000).emitWithAck('message:sync', { sessionId, afterSeq, limit });
}

/** The stored value of a successful ack; fails the test with the error otherwise. */
export function ok<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

/**
 * A tenant whose sessions skip the robot and go to the `default` group, where
 * the given agents are online: a new session is assigned at once.
 */
export async function desk(engine: TestEngine, agents: string[], capacity = 5) {
  const redis: RedisClient = await connectRedis(engine.config.REDIS_URL, () => undefined);
  try {
    const { routing } = activityDeps(engine.db, redis, engine.temporal.client);
    const tenantId = await engine.createTenant({ robot: { enabled: false } });
    await routing.configureGroup(tenantId, 'default', {});
    for (const agentId of agents) {
      await routing.configureAgent(tenantId, { agentId, capacity, groups: ['default'] });
      await routing.setStatus(tenantId, agentId, 'online');
    }
    return tenantId;
  } finally {
    await closeRedis(redis);
  }
}

/** Opens chat as a new visitor and waits until the workflow has assigned the session and said so. */
export async function openAssigned(engine: TestEngine, tenantId: string) {
  const response = await postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: signedVisitor(tenantId, uniqueId('visitor')),
    channel: 'web',
    entry: { type: 'order', ref: 'o-1' },
  });
  const started = startedSession.parse(response.body);
  const doc = await eventually(async () => {
    const found = await collections(engine.db).sessions.findOne({
      _id: started.sessionId,
      tenantId,
    });
    return found?.phase === 'assigned' && found.agentId ? found : undefined;
  });
  const agentId = doc.agentId ?? '';
  // The workflow announces the agent after projecting the assignment; tests count from there.
  await eventually(() =>
    collections(engine.db)
      .messages.findOne({ tenantId, sessionId: started.sessionId, text: { $regex: agentId } })
      .then((found) => found ?? undefined),
  );
  return { ...started, agentId };
}

/** Collects `message:new` seqs a socket receives, for order and gap checks. */
export function collectSeqs(socket: VisitorSocket | AgentSocket, sessionId: string): number[] {
  const seqs: number[] = [];
  (socket as unknown as Socket).on('message:new', (message: ChatMessage) => {
    if (message.sessionId === sessionId) seqs.push(message.seq);
  });
  return seqs;
}

export function visitorSync(
  socket: VisitorSocket,
  afterSeq: number,
  limit = 200,
): Promise<Ack<MessagePage>> {
  return socket.timeout(30_000).emitWithAck('message:sync', { afterSeq, limit });
}

/**
 * A client as the consoles should be written: live messages go through a
 * seq inbox, and a gap triggers a resync from the last seq in order, so what
 * it delivers is every message once, in order.
 */
export function orderedReceiver(
  socket: VisitorSocket | AgentSocket,
  sessionId: string,
  sync: (afterSeq: number) => Promise<Ack<MessagePage>>,
  startSeq = 0,
) {
  const inbox = seqInbox(startSeq);
  const delivered: ChatMessage[] = [];
  let syncing = false;
  const take = (message: ChatMessage) => delivered.push(...inbox.accept(message));
  const resync = async () => {
    if (syncing) return;
    syncing = true;
    try {
      // Seq N+1 is only stored after N, so a page from the last seq always closes the gap.
      for (let more = true; more;) {
        const page = ok(await sync(inbox.lastSeq));
        page.messages.forEach(take);
        more = page.hasMore;
      }
    } finally {
      syncing = false;
    }
    if (inbox.hasGap) await resync();
  };
  (socket as unknown as Socket).on('message:new', (message: ChatMessage) => {
    if (message.sessionId !== sessionId) return;
    take(message);
    if (inbox.hasGap) void resync();
  });
  return { delivered, resync, inbox };
}
