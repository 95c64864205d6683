import { z } from 'zod';
import { channelMessage, channelSession, createdApiKey, createdWebhook } from '../../api/views';
import { verify } from '../../events/signature';
import {
  call,
  callOk,
  operatorTenant,
  testOperatorToken,
  useManualPresence,
} from '../support/api-client';
import { agentSend, agentToken, connectAgent, ok } from '../support/chat';
import { eventually, startTestEngine, until, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';
import { collections } from '../../stores/collections';
import { webhookReceiver } from '../support/webhook-receiver';

/**
 * The API channel as a merchant's backend uses it: its shoppers' messages go
 * in over HTTP with an integration key, everything the shopper should see
 * comes back on its webhook, and the session lives the widget's life.
 */

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({
    OPERATOR_TOKEN: testOperatorToken,
    EVENT_SETTLE_MS: 200,
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: true,
    WEBHOOK_POLL_MS: 100,
  });
});
afterAll(async () => {
  await engine.close();
});

const hookEvent = z.object({
  id: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});
const messageData = z.object({
  sessionId: z.string(),
  seq: z.number(),
  text: z.string(),
  sender: z.object({ type: z.string(), id: z.string().optional() }),
});

/** A tenant with an agent online in its default group, and an integration key. */
async function shop() {
  const { tenantId, adminKey } = await operatorTenant(engine.app);
  const agentId = 'ann';
  await useManualPresence(engine.app, adminKey);
  await callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}`, {
    token: adminKey,
    body: { name: 'Ann Lee', capacity: 3, groups: ['default'], password: 'correct horse battery' },
  });
  await callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}/status`, {
    token: adminKey,
    body: { status: 'online' },
  });
  const key = createdApiKey.parse(
    await callOk(engine.app, 'POST', '/api/v1/api-keys', {
      token: adminKey,
      body: { name: 'app backend', role: 'integration' },
    }),
  ).key;
  return { tenantId, adminKey, agentId, key };
}

describe('the API channel', () => {
  it('when a merchant backend relays a shopper over HTTP, then robot, agent, close and rating happen as in the widget, and every message the shopper should see comes back on its webhook, signed', async () => {
    const { tenantId, adminKey, agentId, key } = await shop();
    const hooks = await webhookReceiver();
    try {
      const webhook = createdWebhook.parse(
        await callOk(engine.app, 'POST', '/api/v1/webhooks', {
          token: adminKey,
          body: { url: hooks.url, types: ['message.created', 'session.assigned', 'session.rated'] },
        }),
      );
      const events = () => hooks.received.map((r) => hookEvent.parse(JSON.parse(r.body)));
      const messagesOf = (sessionId: string) =>
        events()
          .filter((e) => e.type === 'message.created')
          .map((e) => messageData.parse(e.data))
          .filter((m) => m.sessionId === sessionId);
      const shopper = { id: uniqueId('app-user'), name: 'Mei', email: 'mei@example.com' };

      // The shopper's first message opens the session; a resend is the same message.
      const first = await call(engine.app, 'POST', '/api/v1/channels/api/messages', {
        token: key,
        body: { shopper, messageId: 'm-1', text: 'Is this jacket waterproof?' },
      });
      expect(first.status).toBe(201);
      const opened = channelMessage.parse(first.body);
      expect(opened).toMatchObject({ visitorId: shopper.id, opened: true });
      const resent = await call(engine.app, 'POST', '/api/v1/channels/api/messages', {
        token: key,
        body: { shopper, messageId: 'm-1', text: 'Is this jacket waterproof?' },
      });
      expect(resent.status).toBe(200);
      expect(channelMessage.parse(resent.body).message.seq).toBe(opened.message.seq);
      const { sessionId } = opened;

      // The robot's answer comes back on the webhook.
      await until(() =>
        messagesOf(sessionId).some((m) => m.sender.type === 'robot' && m.seq > opened.message.seq)
          ? true
          : undefined,
      );

      // The backend asks for a person with its key; the agent gets the session.
      await callOk(engine.app, 'POST', `/api/v1/sessions/${sessionId}/human`, { token: key });
      await until(() =>
        events().some((e) => e.type === 'session.assigned' && e.data.sessionId === sessionId)
          ? true
          : undefined,
      );
      // The shopper is told who joined by the name the admin gave the agent, not by the id.
      const joined = await until(() =>
        messagesOf(sessionId).find((m) => m.sender.type === 'system' && m.text.includes('Ann Lee')),
      );
      expect(joined.text).not.toContain(agentId);
      const console = await connectAgent(engine.app.url, agentToken(tenantId, agentId));
      try {
        const reply = ok(
          await agentSend(console, {
            sessionId,
            kind: 'text',
            clientMsgId: 'a-1',
            text: 'Yes, fully taped seams.',
          }),
        );
        await until(() =>
          messagesOf(sessionId).some((m) => m.seq === reply.seq && m.sender.id === agentId)
            ? true
            : undefined,
        );
        // The shopper answers through the backend into the same session.
        const answer = channelMessage.parse(
          await callOk(engine.app, 'POST', '/api/v1/channels/api/messages', {
            token: key,
            body: { shopper, messageId: 'm-2', text: 'Great, thanks!' },
          }),
        );
        expect(answer).toMatchObject({ sessionId, opened: false });
        expect(answer.message.seq).toBeGreaterThan(reply.seq);
      } finally {
        console.close();
      }

      // The agent closes; the backend rates the session for its shopper.
      await callOk(engine.app, 'POST', `/api/v1/sessions/${sessionId}/close`, {
        token: agentToken(tenantId, agentId),
      });
      await eventually(async () => {
        const rated = await call(engine.app, 'POST', `/api/v1/sessions/${sessionId}/rating`, {
          token: key,
          body: { score: 5, comment: 'Quick answer' },
        });
        return rated.status === 200 ? true : undefined;
      });
      const rated = await until(() =>
        events().find((e) => e.type === 'session.rated' && e.data.sessionId === sessionId),
      );
      expect(rated.data).toMatchObject({ channel: 'api', rating: { score: 5 } });

      // Every message of the transcript the shopper should see reached the webhook, in seq order.
      const transcript = z.object({ messages: z.array(messageData) }).parse(
        await callOk(engine.app, 'GET', `/api/v1/sessions/${sessionId}/transcript?limit=200`, {
          token: key,
        }),
      );
      await until(() => {
        const delivered = new Set(messagesOf(sessionId).map((m) => m.seq));
        return transcript.messages.every((m) => delivered.has(m.seq)) ? true : undefined;
      });
      const seqs = messagesOf(sessionId).map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      for (const hook of hooks.received) {
        expect(verify(webhook.secret, hook.body, hook.signature)).toBe(true);
      }
    } finally {
      await hooks.close();
    }
  });

  it('when a backend names a shopper with an engine-made id, another tenant’s session, or a bad message, then it is refused naming the field, and nothing is written', async () => {
    const a = await shop();
    const b = await shop();
    const bad = await call(engine.app, 'POST', '/api/v1/channels/api/messages', {
      token: a.key,
      body: { shopper: { id: 'anon-123' }, messageId: 'm-1', text: 'hi' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('shopper.id');
    const empty = await call(engine.app, 'POST', '/api/v1/channels/api/messages', {
      token: a.key,
      body: { shopper: { id: 'u-1' }, messageId: 'm-1', text: '   ' },
    });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('text');
    const { sessions, customers, messages } = collections(engine.db);
    for (const stored of [sessions, customers, messages]) {
      expect(await stored.countDocuments({ tenantId: a.tenantId })).toBe(0);
    }

    const opened = channelSession.parse(
      await callOk(engine.app, 'POST', '/api/v1/channels/api/sessions', {
        token: b.key,
        body: { shopper: { id: uniqueId('app-user') }, entry: { type: 'order', ref: 'o-9' } },
      }),
    );
    for (const path of ['human', 'close']) {
      const crossed = await call(
        engine.app,
        'POST',
        `/api/v1/sessions/${opened.sessionId}/${path}`,
        { token: a.key },
      );
      expect(crossed.status).toBe(404);
    }
    const attached = await call(engine.app, 'POST', '/api/v1/channels/api/sessions', {
      token: b.key,
      body: { shopper: { id: opened.visitorId }, entry: { type: 'shop' } },
    });
    expect(attached.status).toBe(200);
    expect(channelSession.parse(attached.body)).toMatchObject({
      sessionId: opened.sessionId,
      opened: false,
    });
  });
});
