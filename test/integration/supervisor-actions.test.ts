import { defaultTemplates } from '../../domain/flow';
import type { ChatMessage } from '../../domain/message';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { collections } from '../../stores/collections';
import { activityDeps } from '../../workers/session-worker';
import { startedSession } from '../../api/openapi';
import {
  agentSend,
  agentToken,
  connectAgent,
  openAssigned,
  waitFor,
  type AgentSocket,
} from '../support/chat';
import {
  connectVisitor,
  eventually,
  postJson,
  startTestEngine,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { signedVisitor } from '../support/identity';
import { uniqueId } from '../support/stack';

/**
 * A supervisor's hand on the desk, through the real API, worker, Redis and
 * Temporal: a queued session given to a chosen agent, and a supervisor
 * joining a chat to write in it. Agents may not; another tenant's sessions
 * are not found.
 */

let engine: TestEngine;
let redis: RedisClient;
const sockets: (AgentSocket | VisitorSocket)[] = [];

beforeAll(async () => {
  engine = await startTestEngine();
  redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await closeRedis(redis);
  await engine.close();
});

const zh = defaultTemplates['zh-CN'];

/** A tenant whose sessions skip the robot; agents given as id → [capacity, group]. */
async function tenantWith(agents: Record<string, [number, string]>): Promise<string> {
  const { routing } = activityDeps(engine.db, redis, engine.temporal.client);
  const tenantId = await engine.createTenant({
    robot: { enabled: false },
    queue: { positionNoticeMs: 1_000 },
  });
  await routing.configureGroup(tenantId, 'default', {});
  await routing.configureGroup(tenantId, 'vip', {});
  for (const [agentId, [capacity, group]] of Object.entries(agents)) {
    await routing.configureAgent(tenantId, { agentId, capacity, groups: [group] });
    await routing.setStatus(tenantId, agentId, 'online');
  }
  return tenantId;
}

async function openQueued(tenantId: string, position: number) {
  const response = await postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: signedVisitor(tenantId, uniqueId('visitor')),
    channel: 'web',
    entry: { type: 'order', ref: 'o-1' },
  });
  const started = startedSession.parse(response.body);
  await eventually(async () => {
    const state = await call(
      'GET',
      `/api/v1/sessions/${started.sessionId}/state`,
      started.visitorToken,
    );
    return state.body.phase === 'queued' && state.body.queuePosition === position
      ? true
      : undefined;
  });
  return started;
}

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${engine.app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      error?: { code: string; fields?: { path: string }[] };
    },
  };
}

const session = (sessionId: string) => collections(engine.db).sessions.findOne({ _id: sessionId });

describe('supervisor actions', () => {
  it('when a supervisor assigns a queued session to an agent, then that agent gets it and the queue moves up', async () => {
    const tenantId = await tenantWith({ ann: [1, 'default'], xia: [2, 'vip'] });
    const sue = agentToken(tenantId, 'sue', 'supervisor');
    await openAssigned(engine, tenantId);
    const first = await openQueued(tenantId, 1);
    const second = await openQueued(tenantId, 2);
    const assign = (sessionId: string, body: unknown, token = sue) =>
      call('POST', `/api/v1/sessions/${sessionId}/assign`, token, body);

    // An agent of the tenant, of any group: unknown ones and full ones are refused, naming agentId.
    const unknown = await assign(first.sessionId, { agentId: 'nobody' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error?.fields?.map((f) => f.path)).toEqual(['agentId']);
    const full = await assign(first.sessionId, { agentId: 'ann' });
    expect(full.status).toBe(422);
    expect(full.body.error?.fields?.map((f) => f.path)).toEqual(['agentId']);

    const given = await assign(first.sessionId, { agentId: 'xia' });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ sessionId: first.sessionId, agentId: 'xia' });
    await eventually(async () => {
      const doc = await session(first.sessionId);
      return doc?.phase === 'assigned' && doc.agentId === 'xia' ? true : undefined;
    });
    // The one behind moves up to first place, and is told so.
    await eventually(async () => {
      const state = await call(
        'GET',
        `/api/v1/sessions/${second.sessionId}/state`,
        second.visitorToken,
      );
      return state.body.queuePosition === 1 ? true : undefined;
    });

    // Forced: past capacity. A session no longer queued is a conflict.
    const forced = await assign(second.sessionId, { agentId: 'ann', force: true });
    expect(forced.status).toBe(200);
    await eventually(async () =>
      (await session(second.sessionId))?.agentId === 'ann' ? true : undefined,
    );
    const again = await assign(second.sessionId, { agentId: 'xia' });
    expect(again.status).toBe(409);
  });

  it('when an agent, or a supervisor of another tenant, asks, then it is refused (403, 404) and nothing moves', async () => {
    const tenantId = await tenantWith({ bea: [1, 'default'], yan: [1, 'vip'] });
    const otherTenant = await tenantWith({ cy: [1, 'default'] });
    await openAssigned(engine, tenantId);
    const waiting = await openQueued(tenantId, 1);

    const byAgent = await call(
      'POST',
      `/api/v1/sessions/${waiting.sessionId}/assign`,
      agentToken(tenantId, 'bea'),
      { agentId: 'yan' },
    );
    expect(byAgent.status).toBe(403);
    const joinByAgent = await call(
      'POST',
      `/api/v1/sessions/${waiting.sessionId}/supervisor-join`,
      agentToken(tenantId, 'bea'),
    );
    expect(joinByAgent.status).toBe(403);

    const stranger = agentToken(otherTenant, 'sam', 'supervisor');
    const elsewhere = await call('POST', `/api/v1/sessions/${waiting.sessionId}/assign`, stranger, {
      agentId: 'cy',
    });
    expect(elsewhere.status).toBe(404);
    const joinElsewhere = await call(
      'POST',
      `/api/v1/sessions/${waiting.sessionId}/supervisor-join`,
      stranger,
    );
    expect(joinElsewhere.status).toBe(404);
    const closeElsewhere = await call(
      'POST',
      `/api/v1/sessions/${waiting.sessionId}/close`,
      stranger,
    );
    expect(closeElsewhere.status).toBe(404);

    expect(await session(waiting.sessionId)).toMatchObject({ phase: 'queued' });
  });

  it('when a supervisor joins a chat, then the shopper is told and sees the supervisor’s messages', async () => {
    const tenantId = await tenantWith({ dee: [2, 'default'] });
    const sue = agentToken(tenantId, 'sue', 'supervisor');
    const chat = await openAssigned(engine, tenantId);
    const visitor = await connectVisitor(engine.app, chat.visitorToken);
    sockets.push(visitor);
    const seen: ChatMessage[] = [];
    visitor.on('message:new', (m) => seen.push(m));
    const supervisor = await connectAgent(engine.app.url, sue);
    sockets.push(supervisor);

    // Watching is not writing: before the join, a supervisor's send is refused.
    const early = await agentSend(supervisor, {
      sessionId: chat.sessionId,
      clientMsgId: uniqueId('c'),
      kind: 'text',
      text: 'too early',
    });
    expect(early).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const joined = await call('POST', `/api/v1/sessions/${chat.sessionId}/supervisor-join`, sue);
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ kind: 'system', text: zh.supervisorJoined });
    // A second join tells nobody twice.
    const twice = await call('POST', `/api/v1/sessions/${chat.sessionId}/supervisor-join`, sue);
    expect(twice.body.seq).toBe(joined.body.seq);

    const sent = await agentSend(supervisor, {
      sessionId: chat.sessionId,
      clientMsgId: uniqueId('c'),
      kind: 'text',
      text: 'I am looking into it',
    });
    expect(sent.ok).toBe(true);
    await waitFor(() => seen.some((m) => m.text === 'I am looking into it'));
    expect(seen.filter((m) => m.text === zh.supervisorJoined)).toHaveLength(1);
    expect(seen.find((m) => m.text === 'I am looking into it')?.sender).toEqual({
      type: 'agent',
      id: 'sue',
    });

    // A supervisor closes any live session of the tenant.
    const closed = await call('POST', `/api/v1/sessions/${chat.sessionId}/close`, sue);
    expect(closed.status).toBe(200);
    const late = await agentSend(supervisor, {
      sessionId: chat.sessionId,
      clientMsgId: uniqueId('c'),
      kind: 'text',
      text: 'too late',
    });
    expect(late.ok).toBe(false);
  });
});
