import { errorBody, startedSession } from '../../api/openapi';
import type { ChatMessage } from '../../domain/message';
import type { Ack, MessagePage } from '../../domain/socket-events';
import { sessionWorkflowId } from '../../domain/session';
import { collections } from '../../stores/collections';
import { searchAttributes, stateQuery } from '../../workflows/contract';
import { signedVisitor } from '../support/identity';
import { uniqueId } from '../support/stack';
import {
  connectVisitor,
  eventually,
  postJson,
  startTestEngine,
  syncMessages,
  type TestEngine,
} from '../support/engine';

// Answers are checked against the schemas the OpenAPI document publishes.
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.close();
});

const openChat = (tenantId: string, visitorId: string) =>
  postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: { ...signedVisitor(tenantId, visitorId), name: 'Lin', tags: ['vip'] },
    channel: 'web',
    entry: { type: 'product', ref: 'sku-1001' },
  });

describe('POST /api/v1/sessions', () => {
  it('when a visitor opens chat, then a session workflow starts, greets them over socket.io and is findable by tenant', async () => {
    const tenantId = await engine.createTenant({ locale: 'en' });
    const visitorId = uniqueId('visitor');

    const response = await openChat(tenantId, visitorId);
    expect(response.status).toBe(201);
    const started = startedSession.parse(response.body);
    expect(started.attached).toBe(false);
    expect(started.workflowId).toBe(sessionWorkflowId(tenantId, started.sessionId));

    // The visitor joins their room; the greeting arrives live or is pulled by sync.
    const socket = await connectVisitor(engine.app, started.visitorToken);
    try {
      const live = new Promise<ChatMessage>((resolve) => socket.on('message:new', resolve));
      const greeting = await Promise.race([
        live,
        eventually(async () => (await syncMessages(socket))[0]),
      ]);
      expect(greeting).toMatchObject({
        tenantId,
        sessionId: started.sessionId,
        seq: 1,
        kind: 'text',
        sender: { type: 'robot' },
        text: 'Hello and welcome! How can we help you today?',
      });
      expect(await syncMessages(socket)).toHaveLength(1);
    } finally {
      socket.close();
    }

    const handle = engine.temporal.client.workflow.getHandle(started.workflowId);
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.typedSearchAttributes.get(searchAttributes.tenantId)).toBe(tenantId);
    expect(description.typedSearchAttributes.get(searchAttributes.visitorId)).toBe(visitorId);
    expect(description.typedSearchAttributes.get(searchAttributes.channel)).toBe('web');
    expect(description.typedSearchAttributes.get(searchAttributes.phase)).toBe('robot');
    expect(await handle.query(stateQuery)).toMatchObject({ phase: 'robot', tenantId, visitorId });

    const projection = await eventually(() =>
      collections(engine.db)
        .sessions.findOne({ _id: started.sessionId, tenantId })
        .then((doc) => doc ?? undefined),
    );
    expect(projection).toMatchObject({
      visitorId,
      channel: 'web',
      phase: 'robot',
      entry: { type: 'product', ref: 'sku-1001' },
    });

    await handle.terminate('test done');
  });

  it('when the visitor opens chat again while the session is open, then they attach to the same session', async () => {
    const tenantId = await engine.createTenant();
    const visitorId = uniqueId('visitor');
    const first = startedSession.parse((await openChat(tenantId, visitorId)).body);

    const again = await openChat(tenantId, visitorId);
    expect(again.status).toBe(200);
    expect(startedSession.parse(again.body)).toMatchObject({
      sessionId: first.sessionId,
      attached: true,
    });

    // Attaching never adds a second greeting.
    const socket = await connectVisitor(engine.app, startedSession.parse(again.body).visitorToken);
    try {
      const messages = await eventually(async () => {
        const list = await syncMessages(socket);
        return list.length > 0 ? list : undefined;
      });
      expect(messages.map((m) => m.seq)).toEqual([1]);
    } finally {
      socket.close();
    }
    await engine.temporal.client.workflow.getHandle(first.workflowId).terminate('test done');
  });

  it('when a visitor opens chat ten times at once, then exactly one session exists', async () => {
    const tenantId = await engine.createTenant();
    const visitorId = uniqueId('visitor');
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => openChat(tenantId, visitorId)),
    );
    const sessions = responses.map((r) => startedSession.parse(r.body));
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(1);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);

    // Visibility may lag a moment behind the starts; a second workflow would never go away.
    const query = `TenantId = "${tenantId}" AND VisitorId = "${visitorId}" AND ExecutionStatus = "Running"`;
    const running = await eventually(async () => {
      const { count } = await engine.temporal.client.workflow.count(query);
      return count > 0 ? count : undefined;
    });
    expect(running).toBe(1);
    await engine.temporal.client.workflow.getHandle(sessions[0]!.workflowId).terminate('test done');
  });

  it('when the open session has ended, then opening chat starts a new session', async () => {
    const tenantId = await engine.createTenant();
    const visitorId = uniqueId('visitor');
    const first = startedSession.parse((await openChat(tenantId, visitorId)).body);
    // Ended by ops: nothing released the visitor's pointer.
    await engine.temporal.client.workflow.getHandle(first.workflowId).terminate('ops closed it');

    const next = await openChat(tenantId, visitorId);
    expect(next.status).toBe(201);
    const second = startedSession.parse(next.body);
    expect(second.sessionId).not.toBe(first.sessionId);
    await engine.temporal.client.workflow.getHandle(second.workflowId).terminate('test done');
  });

  it('when the tenant does not exist, then 404 and no workflow', async () => {
    const tenantId = uniqueId('missing');
    const response = await openChat(tenantId, uniqueId('visitor'));
    expect(response.status).toBe(404);
    expect(errorBody.parse(response.body).error.code).toBe('tenant_not_found');
    const { count } = await engine.temporal.client.workflow.count(`TenantId = "${tenantId}"`);
    expect(count).toBe(0);
  });

  it.each([
    [
      'a visitor hash without the id it signs',
      {
        tenantId: 'x',
        visitor: { hash: 'ab'.repeat(32) },
        channel: 'web',
        entry: { type: 'shop' },
      },
      'visitor.id',
    ],
    [
      'an unknown channel',
      { tenantId: 'x', visitor: { id: 'v1' }, channel: 'fax', entry: { type: 'shop' } },
      'channel',
    ],
    [
      'an unknown entry type',
      { tenantId: 'x', visitor: { id: 'v1' }, channel: 'web', entry: { type: 'cart' } },
      'entry.type',
    ],
    [
      'a visitor id with spaces',
      { tenantId: 'x', visitor: { id: 'a b' }, channel: 'web', entry: { type: 'shop' } },
      'visitor.id',
    ],
    [
      'an unknown field',
      {
        tenantId: 'x',
        visitor: { id: 'v1' },
        channel: 'web',
        entry: { type: 'shop' },
        admin: true,
      },
      'admin',
    ],
  ])(
    'when the body has %s, then 400 naming the field and nothing is written',
    async (_case, body, field) => {
      const before = await collections(engine.db).openSessions.countDocuments();
      const response = await postJson(engine.app, '/api/v1/sessions', body);
      expect(response.status).toBe(400);
      const { error } = errorBody.parse(response.body);
      expect(error.code).toBe('invalid_request');
      expect(error.fields?.map((f) => f.path)).toContain(field);
      expect(await collections(engine.db).openSessions.countDocuments()).toBe(before);
    },
  );

  it('when the body is not JSON, then 400 invalid_json', async () => {
    const response = await postJson(engine.app, '/api/v1/sessions', '{"tenantId":');
    expect(response.status).toBe(400);
    expect(errorBody.parse(response.body).error.code).toBe('invalid_json');
  });
});

describe('visitor socket', () => {
  it('when the token is missing or forged, then the connection is refused', async () => {
    await expect(connectVisitor(engine.app, undefined)).rejects.toThrow(/unauthorized/);
    await expect(connectVisitor(engine.app, 'v1.e30.forged')).rejects.toThrow(/unauthorized/);
  });

  it('when a sync payload is malformed, then the ack names the field', async () => {
    const tenantId = await engine.createTenant();
    const started = startedSession.parse((await openChat(tenantId, uniqueId('visitor'))).body);
    const socket = await connectVisitor(engine.app, started.visitorToken);
    try {
      const result = await new Promise<Ack<MessagePage>>((resolve) =>
        socket.emit('message:sync', { afterSeq: -1 }, resolve),
      );
      if (result.ok) throw new Error('a negative afterSeq was accepted');
      expect(result.error.code).toBe('invalid_payload');
      expect(result.error.message).toContain('afterSeq');
    } finally {
      socket.close();
    }
    await engine.temporal.client.workflow.getHandle(started.workflowId).terminate('test done');
  });
});
