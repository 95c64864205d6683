import { createdApiKey } from '../../api/views';
import { eventPage } from '../../api/routes/events';
import type { DomainEvent, EventType } from '../../domain/events';
import { eventFeed } from '../../events/feed';
import { recordSessionEvent } from '../../events/session-events';
import { closeRedis, connectRedis, type RedisClient } from '../../runtime/connections';
import { agentStore } from '../../stores/agents';
import { ticketStore } from '../../stores/tickets';
import { buildStores } from '../../wiring/engine';
import { collections } from '../../stores/collections';
import { call, callOk, testOperatorToken } from '../support/api-client';
import {
  agentSend,
  agentToken,
  connectAgent,
  connectVisitorAt,
  desk,
  ok,
  openAssigned,
  visitorSend,
} from '../support/chat';
import { startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { eventually } from '../support/engine';
import { activityDeps } from '../../workers/session-worker';
import { transferActivities } from '../../activities/transfer';
import { newWorld, type World } from '../support/validation-world';

/**
 * Domain events recorded by the steps that record their facts: one event per
 * fact, whether the step runs once, is repeated, or is retried after dying
 * between the fact and its event; and the feed that serves them, per tenant.
 * Webhook delivery has its own suite (webhook-delivery.test.ts).
 */

let engine: TestEngine;
let redis: RedisClient;
beforeAll(async () => {
  engine = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken, EVENT_SETTLE_MS: 200 });
  redis = await connectRedis(engine.config.REDIS_URL, () => undefined);
});
afterAll(async () => {
  await closeRedis(redis);
  await engine.close();
});

/** Everything in the tenant's feed, straight from the database (no settle wait: tests wait themselves). */
async function feedOf(tenantId: string, types?: EventType[]): Promise<DomainEvent[]> {
  const feed = eventFeed(engine.db, { settleMs: 0, retentionDays: 30 });
  const events: DomainEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await feed.read(tenantId, { after, types, limit: 100 });
    events.push(...page.entries.map((e) => e.event));
    if (page.entries.length < 100) return events;
    after = page.next;
  }
}

const ofType = async (tenantId: string, type: EventType) => feedOf(tenantId, [type]);

async function integrationKey(world: World): Promise<string> {
  const body = await callOk(engine.app, 'POST', '/api/v1/api-keys', {
    token: world.adminKey,
    body: { name: 'erp', role: 'integration' },
  });
  return createdApiKey.parse(body).key;
}

describe('domain events', () => {
  it('when an agent status is set, set again to the same, and changed, then one agent.status_changed per change', async () => {
    const world = await newWorld(engine);
    const agentId = await world.agent();
    const status = (value: string) =>
      callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}/status`, {
        token: world.adminKey,
        body: { status: value },
      });
    await status('online');
    await status('online');
    await status('away');
    const events = await ofType(world.tenantId, 'agent.status_changed');
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ agentId, status: 'online', previousStatus: 'offline' }),
      expect.objectContaining({ agentId, status: 'away', previousStatus: 'online' }),
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });

  it('when a process dies after writing a status and before its event, then the retried call records the event once', async () => {
    const world = await newWorld(engine);
    const agentId = await world.agent();
    // The fact alone, as a process that died right after it left it.
    await agentStore(engine.db).setStatus(world.tenantId, agentId, 'online');
    expect(await ofType(world.tenantId, 'agent.status_changed')).toEqual([]);
    for (let retry = 0; retry < 2; retry += 1) {
      await callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}/status`, {
        token: world.adminKey,
        body: { status: 'online' },
      });
    }
    const events = await ofType(world.tenantId, 'agent.status_changed');
    expect(events.map((e) => e.data.status)).toEqual(['online']);
  });

  it('when a ticket is opened (and the step retried), assigned twice to one agent, then to another, and resolved twice, then each fact is one event whose body is the REST view', async () => {
    const world = await newWorld(engine);
    const { sessionId, visitorId } = await world.session();
    const agentId = await world.agent();
    await callOk(engine.app, 'PUT', '/api/v1/agents/bo', {
      token: world.adminKey,
      body: { capacity: 2, groups: [await world.group()] },
    });
    const { tickets } = buildStores(engine.db, redis);
    const request = { contact: { phone: '+86 138 0000 0000' }, content: 'Call me back' };
    const ticketId = await tickets.open(world.tenantId, sessionId, visitorId, undefined, request);
    const asCreated = await callOk(engine.app, 'GET', `/api/v1/tickets/${ticketId}`, {
      token: world.adminKey,
    });
    // The leave-message activity retried: the same ticket, no second event.
    await tickets.open(world.tenantId, sessionId, visitorId, undefined, request);

    const assign = (to: string) =>
      callOk(engine.app, 'POST', `/api/v1/tickets/${ticketId}/assign`, {
        token: world.adminKey,
        body: { agentId: to },
      });
    const firstAssignment = await assign(agentId);
    await assign(agentId);
    await assign('bo');
    const resolve = () =>
      callOk(engine.app, 'POST', `/api/v1/tickets/${ticketId}/resolve`, {
        token: world.adminKey,
        body: { resolution: 'Called back' },
      });
    const resolved = await resolve();
    await resolve();

    const events = await feedOf(world.tenantId, [
      'ticket.created',
      'ticket.assigned',
      'ticket.resolved',
    ]);
    expect(events.map((e) => [e.type, e.data.assigneeId])).toEqual([
      ['ticket.created', undefined],
      ['ticket.assigned', agentId],
      ['ticket.assigned', 'bo'],
      ['ticket.resolved', 'bo'],
    ]);
    expect(events[0]?.data).toEqual(asCreated);
    expect(events[1]?.data).toEqual(firstAssignment);
    expect(events[3]?.data).toEqual(resolved);
  });

  it('when a process dies after opening a ticket and before its event, then the retried step records ticket.created once', async () => {
    const world = await newWorld(engine);
    const { sessionId, visitorId } = await world.session();
    const request = { contact: { email: 'a@example.com' }, content: 'Where is my order?' };
    await ticketStore(engine.db).open(world.tenantId, sessionId, visitorId, undefined, request);
    expect(await ofType(world.tenantId, 'ticket.created')).toEqual([]);
    const { tickets } = buildStores(engine.db, redis);
    await tickets.open(world.tenantId, sessionId, visitorId, undefined, request);
    await tickets.open(world.tenantId, sessionId, visitorId, undefined, request);
    expect(await ofType(world.tenantId, 'ticket.created')).toHaveLength(1);
  });

  it('when a session tag is put twice, taken off twice and put again, and a customer tag put twice, then one tag event per change', async () => {
    const world = await newWorld(engine);
    const { sessionId, visitorId } = await world.session();
    const sessionTag = await world.tag('session');
    const customerTag = await world.tag('customer');
    const path = `/api/v1/sessions/${sessionId}/tags/${sessionTag}`;
    const as = { token: world.adminKey };
    await callOk(engine.app, 'PUT', path, as);
    await callOk(engine.app, 'PUT', path, as);
    await callOk(engine.app, 'DELETE', path, as);
    await callOk(engine.app, 'DELETE', path, as);
    await callOk(engine.app, 'PUT', path, as);
    const customerPath = `/api/v1/customers/${visitorId}/tags/${customerTag}`;
    await callOk(engine.app, 'PUT', customerPath, as);
    await callOk(engine.app, 'PUT', customerPath, as);

    const events = await feedOf(world.tenantId, ['tag.added', 'tag.removed']);
    expect(events.map((e) => [e.type, e.data.target, e.data.tagId, e.data.tags])).toEqual([
      ['tag.added', 'session', sessionTag, [sessionTag]],
      ['tag.removed', 'session', sessionTag, []],
      ['tag.added', 'session', sessionTag, [sessionTag]],
      ['tag.added', 'customer', customerTag, [customerTag]],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
  });

  it('when a session event is recorded by a step and the step is retried, then it is one event whose body is the session as GET answers it', async () => {
    const world = await newWorld(engine);
    const { sessionId } = await world.session();
    const { outbox, sessions } = buildStores(engine.db, redis);
    const fact = { tenantId: world.tenantId, sessionId, type: 'session.opened' } as const;
    const id = await recordSessionEvent({ outbox, sessions }, fact);
    expect(await recordSessionEvent({ outbox, sessions }, fact)).toBe(id);
    const events = await ofType(world.tenantId, 'session.opened');
    expect(events.map((e) => e.id)).toEqual([id]);
    expect(events[0]?.data).toEqual(
      await callOk(engine.app, 'GET', `/api/v1/sessions/${sessionId}`, { token: world.adminKey }),
    );
  });

  it('when a session is opened, assigned, transferred, closed and rated, then each of its facts is one session event, in order, whose body is the session', async () => {
    const [first, second] = [uniqueId('agent'), uniqueId('agent')];
    const tenantId = await desk(engine, [first]);
    const { sessionId, visitorToken, agentId } = await openAssigned(engine, tenantId);
    expect(agentId).toBe(first);
    const redisDeps = await connectRedis(engine.config.REDIS_URL, () => undefined);
    try {
      const { routing } = activityDeps(engine.db, redisDeps, engine.temporal.client);
      await routing.configureAgent(tenantId, { agentId: second, capacity: 5, groups: ['default'] });
      await routing.setStatus(tenantId, second, 'online');
    } finally {
      await closeRedis(redisDeps);
    }
    const base = `/api/v1/sessions/${sessionId}`;
    await callOk(engine.app, 'POST', `${base}/transfer`, {
      token: agentToken(tenantId, first),
      body: { toAgentId: second },
    });
    await callOk(engine.app, 'POST', `${base}/close`, { token: agentToken(tenantId, second) });
    await callOk(engine.app, 'POST', `${base}/rating`, { token: visitorToken, body: { score: 4 } });

    const sessionEvents = async () =>
      (await feedOf(tenantId)).filter(
        (e) => e.type.startsWith('session.') && e.data.sessionId === sessionId,
      );
    const events = await eventually(async () => {
      const all = await sessionEvents();
      return all.some((e) => e.type === 'session.rated') ? all : undefined;
    });
    expect(events.map((e) => e.type)).toEqual([
      'session.opened',
      'session.assigned',
      'session.transferred',
      'session.assigned',
      'session.closed',
      'session.rated',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events[2]?.data).toMatchObject({ transfer: { fromAgentId: first, toAgentId: second } });
    expect(events[3]?.data).toMatchObject({ sessionId, visitorId: expect.any(String) as unknown });
    expect(events[5]?.data).toMatchObject({ phase: 'rated', rating: { score: 4 } });
  });

  it('when the transfer step is run again after a worker died inside it, by a retry of the step or by the next attempt of its workflow task (a later clock), then the session keeps one transfer record, one note and one session.transferred', async () => {
    const [first, second] = [uniqueId('agent'), uniqueId('agent')];
    const tenantId = await desk(engine, [first, second]);
    const { sessionId } = await openAssigned(engine, tenantId);
    const redisDeps = await connectRedis(engine.config.REDIS_URL, () => undefined);
    try {
      const deps = activityDeps(engine.db, redisDeps, engine.temporal.client);
      const step = transferActivities(deps);
      const input = {
        at: new Date().toISOString(),
        fromAgentId: first,
        toAgentId: second,
        note: 'Wants a refund',
        by: first,
        heldSince: new Date(Date.now() - 60_000).toISOString(),
      };
      await step.recordTransfer(tenantId, sessionId, input);
      await step.recordTransfer(tenantId, sessionId, { ...input });
      const nextAttempt = { ...input, at: new Date(Date.now() + 1_500).toISOString() };
      await step.recordTransfer(tenantId, sessionId, nextAttempt);
    } finally {
      await closeRedis(redisDeps);
    }
    const stored = await buildStores(engine.db, redis).sessions.get(tenantId, sessionId);
    expect(stored?.transfers?.map((t) => [t.fromAgentId, t.toAgentId])).toEqual([[first, second]]);
    const transferred = (await ofType(tenantId, 'session.transferred')).filter(
      (e) => e.data.sessionId === sessionId,
    );
    expect(transferred).toHaveLength(1);
    const notes = await collections(engine.db).notes.find({ tenantId, sessionId }).toArray();
    expect(notes.map((n) => n.text)).toEqual(['Wants a refund']);
  });

  it('when a shopper and an agent each send a message and resend it, then each message is one message.created, in seq order, with the message as its body', async () => {
    const tenantId = await desk(engine, [uniqueId('agent')]);
    const { sessionId, visitorToken, agentId } = await openAssigned(engine, tenantId);
    const visitor = await connectVisitorAt(engine.app.url, visitorToken);
    const agent = await connectAgent(engine.app.url, agentToken(tenantId, agentId));
    try {
      const shopper = {
        clientMsgId: uniqueId('c'),
        kind: 'text',
        text: 'Where is my parcel?',
      } as const;
      const sent = ok(await visitorSend(visitor, shopper));
      ok(await visitorSend(visitor, shopper));
      const reply = {
        sessionId,
        clientMsgId: uniqueId('a'),
        kind: 'text',
        text: 'On its way',
      } as const;
      const answered = ok(await agentSend(agent, reply));
      ok(await agentSend(agent, reply));

      const created = (await ofType(tenantId, 'message.created')).filter(
        (e) => e.data.sessionId === sessionId,
      );
      const seqs = created.map((e) => e.data.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(created.map((e) => e.id)).size).toBe(created.length);
      const ofMessage = (messageId: string) =>
        created.filter((e) => e.data.messageId === messageId);
      expect(ofMessage(sent.messageId).map((e) => e.data)).toEqual([sent]);
      expect(ofMessage(answered.messageId).map((e) => e.data)).toEqual([answered]);
      // Every stored message of the session is in the feed, once.
      const transcript = await engine.db
        .collection('messages')
        .countDocuments({ tenantId, sessionId });
      expect(created).toHaveLength(transcript);
    } finally {
      visitor.close();
      agent.close();
    }
  });
});

describe('the event feed and transcripts', () => {
  it('when an integrator pages the feed with its cursor and a type filter, then it reads every event once, in order, after they settle', async () => {
    const world = await newWorld(engine);
    const agentId = await world.agent();
    const key = await integrationKey(world);
    for (const status of ['online', 'away', 'online', 'offline']) {
      await callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}/status`, {
        token: world.adminKey,
        body: { status },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    const read: unknown[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const query = new URLSearchParams({ types: 'agent.status_changed', limit: '1' });
      if (after) query.set('after', after);
      const body = eventPage.parse(
        await callOk(engine.app, 'GET', `/api/v1/events?${query.toString()}`, { token: key }),
      );
      expect(body.retentionDays).toBe(30);
      if (!body.items.length) {
        expect(body.next).toBe(after);
        break;
      }
      read.push(...body.items.map((item) => item.data.status));
      after = body.next;
    }
    expect(read).toEqual(['online', 'away', 'online', 'offline']);
  });

  it('when the feed is asked with a cursor it did not hand out or a type that does not exist, then 400 names the parameter', async () => {
    const world = await newWorld(engine);
    for (const [query, field] of [
      ['after=not-a-cursor', 'after'],
      ['after=W1swLCJ4IiwieSJdXQ', 'after'],
      ['types=session.exploded', 'types'],
      ['types=ticket.created,,tag.added', 'types'],
    ] as const) {
      const answer = await call(engine.app, 'GET', `/api/v1/events?${query}`, {
        token: world.adminKey,
      });
      expect({ query, status: answer.status, body: answer.body }).toMatchObject({
        status: 400,
        body: { error: { fields: [expect.objectContaining({ path: field })] } },
      });
    }
  });

  it('when tenant A reads the feed and transcripts, then tenant B’s events and sessions are invisible, and B’s integration key reads its own transcript by seq', async () => {
    const a = await newWorld(engine);
    const b = await newWorld(engine);
    const bSession = await b.session();
    const bAgent = await b.agent();
    await callOk(engine.app, 'PUT', `/api/v1/agents/${bAgent}/status`, {
      token: b.adminKey,
      body: { status: 'online' },
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const aKey = await integrationKey(a);
    const bKey = await integrationKey(b);

    const aFeed = eventPage.parse(
      await callOk(engine.app, 'GET', '/api/v1/events', { token: aKey }),
    );
    expect(aFeed.items.filter((item) => item.tenantId !== a.tenantId)).toEqual([]);
    const bFeed = eventPage.parse(
      await callOk(engine.app, 'GET', '/api/v1/events', { token: bKey }),
    );
    expect(bFeed.items.map((item) => item.type)).toEqual(
      expect.arrayContaining(['agent.status_changed', 'message.created']),
    );
    // B's cursor in A's hands reads A's feed after that time, never B's events.
    const replayed = eventPage.parse(
      await callOk(engine.app, 'GET', `/api/v1/events?after=${bFeed.items[0]?.cursor ?? ''}`, {
        token: aKey,
      }),
    );
    expect(replayed.items.filter((item) => item.tenantId !== a.tenantId)).toEqual([]);

    const path = `/api/v1/sessions/${bSession.sessionId}/transcript`;
    expect(await call(engine.app, 'GET', path, { token: aKey })).toMatchObject({ status: 404 });
    const own = (await callOk(engine.app, 'GET', `${path}?afterSeq=0&limit=1`, {
      token: bKey,
    })) as { messages: { seq: number }[]; hasMore: boolean };
    expect(own.messages.map((m) => m.seq)).toEqual([1]);
  });
});

describe('webhook subscriptions: bad input', () => {
  it.each([
    ['a URL that is not http(s)', { url: 'ftp://hooks.example.com/in' }, 'url'],
    ['a malformed URL', { url: 'hooks example com' }, 'url'],
    ['a loopback address', { url: 'http://127.0.0.1:8080/in' }, 'url'],
    ['a private address', { url: 'https://10.1.2.3/in' }, 'url'],
    ['a link-local (metadata) address', { url: 'http://169.254.169.254/latest' }, 'url'],
    ['an IPv6 loopback', { url: 'http://[::1]/in' }, 'url'],
    ['localhost', { url: 'http://localhost:3000/in' }, 'url'],
    ['a URL with a password', { url: 'https://u:p@hooks.example.com/in' }, 'url'],
    ['an event type that does not exist', { types: ['session.exploded'] }, 'types.0'],
    ['no event types', { types: [] }, 'types'],
  ])(
    'when a webhook names %s, then 400 names the field and nothing is written',
    async (_, change, field) => {
      const world = await newWorld(engine);
      const answer = await call(engine.app, 'POST', '/api/v1/webhooks', {
        token: world.adminKey,
        body: { url: 'https://hooks.example.com/in', types: ['ticket.created'], ...change },
      });
      expect(answer).toMatchObject({
        status: 400,
        body: { error: { fields: [expect.objectContaining({ path: field })] } },
      });
      expect(
        await callOk(engine.app, 'GET', '/api/v1/webhooks', { token: world.adminKey }),
      ).toEqual({ items: [] });
      expect(
        await engine.db.collection('webhooks').countDocuments({ tenantId: world.tenantId }),
      ).toBe(0);
    },
  );
});
