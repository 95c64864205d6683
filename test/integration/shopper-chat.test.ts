import { z } from 'zod';
import type { TypingNotice } from '../../domain/socket-events';
import { collections } from '../../stores/collections';
import { call, callOk } from '../support/api-client';
import {
  agentToken,
  connectAgent,
  desk,
  emitRaw,
  ok,
  openAssigned,
  visitorSend,
  waitFor,
} from '../support/chat';
import { asAdmin, consoleTenant } from '../support/console-tenant';
import {
  connectVisitor,
  eventually,
  postJson,
  startTestEngine,
  syncMessages,
  type TestEngine,
} from '../support/engine';
import { signedVisitor } from '../support/identity';
import { uniqueId } from '../support/stack';

/**
 * The shopper's side of the chat: typing both ways (relayed within one
 * session only, throttled, never stored), the flow's leave-message form
 * (required fields refused by name, nothing written), and the FAQ's
 * popular questions offered with the greeting.
 */

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.close();
});

const started = z.object({ sessionId: z.string(), visitorToken: z.string() });

async function openChat(tenantId: string) {
  const opened = await postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: signedVisitor(tenantId, uniqueId('visitor')),
    channel: 'web',
    entry: { type: 'order', ref: 'ord-1' },
  });
  return started.parse(opened.body);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the shopper chat', () => {
  it('when a shopper or an agent types, then only the other side of the same session hears it, throttled, and nothing is stored', async () => {
    const lin = uniqueId('lin');
    const mei = uniqueId('mei');
    const tenantId = await desk(engine, [lin, mei], 1);
    const a = await openAssigned(engine, tenantId);
    const b = await openAssigned(engine, tenantId);
    expect(b.agentId).not.toBe(a.agentId);
    const visitorA = await connectVisitor(engine.app, a.visitorToken);
    const visitorB = await connectVisitor(engine.app, b.visitorToken);
    const agentA = await connectAgent(engine.app.url, agentToken(tenantId, a.agentId));
    const agentB = await connectAgent(engine.app.url, agentToken(tenantId, b.agentId));
    const heard = { visitorA: [] as TypingNotice[], visitorB: [] as TypingNotice[] };
    const agentHeard = { a: [] as TypingNotice[], b: [] as TypingNotice[] };
    visitorA.on('typing', (n) => heard.visitorA.push(n));
    visitorB.on('typing', (n) => heard.visitorB.push(n));
    agentA.on('typing', (n) => agentHeard.a.push(n));
    agentB.on('typing', (n) => agentHeard.b.push(n));
    const before = await collections(engine.db).messages.countDocuments({ tenantId });
    try {
      // The shopper types in bursts: one notice reaches their agent, then the stop.
      for (let i = 0; i < 5; i++) ok(await emitRaw(visitorA, 'typing', { typing: true }));
      ok(await emitRaw(visitorA, 'typing', { typing: false }));
      await waitFor(() => agentHeard.a.length === 2);
      expect(agentHeard.a).toEqual([
        { sessionId: a.sessionId, by: 'visitor', typing: true },
        { sessionId: a.sessionId, by: 'visitor', typing: false },
      ]);

      // The agent types back: their shopper hears it.
      ok(await emitRaw(agentA, 'typing', { sessionId: a.sessionId, typing: true }));
      await waitFor(() => heard.visitorA.length === 1);
      expect(heard.visitorA).toEqual([{ sessionId: a.sessionId, by: 'agent', typing: true }]);

      // Another session's agent may not type into this one; bad payloads name the field.
      expect(
        await emitRaw(agentB, 'typing', { sessionId: a.sessionId, typing: true }),
      ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await emitRaw(visitorA, 'typing', { typing: 'yes' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_payload', message: expect.stringContaining('typing') as unknown },
      });
      expect(await emitRaw(agentA, 'typing', { typing: true })).toMatchObject({
        ok: false,
        error: {
          code: 'invalid_payload',
          message: expect.stringContaining('sessionId') as unknown,
        },
      });

      // Nobody else heard anything, and nothing was stored.
      await pause(500);
      expect(heard.visitorB).toEqual([]);
      expect(agentHeard.b).toEqual([]);
      expect(agentHeard.a).toHaveLength(2);
      expect(heard.visitorA).toHaveLength(1);
      expect(await collections(engine.db).messages.countDocuments({ tenantId })).toBe(before);
    } finally {
      for (const socket of [visitorA, visitorB, agentA, agentB]) socket.close();
    }
  });

  it('when the flow asks for a required phone, then a message without it is refused naming the field and nothing is written, and one with it becomes a ticket', async () => {
    const tenant = await consoleTenant(engine, {
      reserve: false,
      staff: [],
      closed: true,
      flow: {
        leaveMessageForm: [
          { name: 'phone', required: true },
          { name: 'email', required: false },
        ],
      },
    });
    const { sessionId, visitorToken } = await openChat(tenant.tenantId);
    const base = `/api/v1/sessions/${sessionId}`;
    expect(await call(engine.app, 'POST', `${base}/human`, { token: visitorToken })).toMatchObject({
      status: 200,
      body: { phase: 'leave_message' },
    });
    // The widget reads the form from the state.
    expect(await callOk(engine.app, 'GET', `${base}/state`, { token: visitorToken })).toMatchObject(
      {
        phase: 'leave_message',
        leaveMessageForm: [
          { name: 'phone', required: true },
          { name: 'email', required: false },
        ],
      },
    );
    const refused = await call(engine.app, 'POST', `${base}/leave-message`, {
      token: visitorToken,
      body: { contact: { email: 'mei@example.com' }, content: 'Call me about my order' },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('contact.phone') as unknown } },
    });
    const tickets = collections(engine.db).tickets;
    expect(await tickets.countDocuments({ tenantId: tenant.tenantId })).toBe(0);
    expect(await callOk(engine.app, 'GET', `${base}/state`, { token: visitorToken })).toMatchObject(
      {
        phase: 'leave_message',
      },
    );

    expect(
      await call(engine.app, 'POST', `${base}/leave-message`, {
        token: visitorToken,
        body: { contact: { phone: '+86 138 0000 0000' }, content: 'Call me about my order' },
      }),
    ).toMatchObject({ status: 200, body: { ticketId: expect.any(String) as unknown } });
    expect(await tickets.countDocuments({ tenantId: tenant.tenantId })).toBe(1);
  });

  it('when the FAQ marks popular questions, then the greeting offers them and asking one gets its answer', async () => {
    const tenant = await consoleTenant(engine, { reserve: false, staff: [] });
    await asAdmin(engine, tenant, 'POST', '/api/v1/faqs', {
      question: 'Do you ship abroad?',
      answer: 'We ship to 30 countries; see the delivery page.',
      keywords: ['abroad', 'international'],
      popular: true,
    });
    const { sessionId, visitorToken } = await openChat(tenant.tenantId);
    const visitor = await connectVisitor(engine.app, visitorToken);
    try {
      const greeting = await eventually(async () => {
        const messages = await syncMessages(visitor, 0);
        return messages.find((m) => m.messageId === 'wf:greeting');
      });
      expect(greeting.suggestions).toEqual(['Do you ship abroad?']);
      ok(
        await visitorSend(visitor, {
          kind: 'text',
          clientMsgId: 'tap-1',
          text: 'Do you ship abroad?',
        }),
      );
      await eventually(async () => {
        const messages = await syncMessages(visitor, 0);
        return messages.find((m) => m.sender.type === 'robot' && m.text.includes('30 countries'));
      });
    } finally {
      visitor.close();
    }
    expect(sessionId).toBeTruthy();
  });

  it('when the agent invites the rating mid-chat, then the card is posted once, the shopper rates while chatting, and the close records that rating without a second card', async () => {
    const lin = uniqueId('lin');
    const mei = uniqueId('mei');
    const boss = uniqueId('boss');
    const tenantId = await desk(engine, [lin, mei], 1);
    const { sessionId, visitorToken, agentId } = await openAssigned(engine, tenantId);
    const other = agentId === lin ? mei : lin;
    const base = `/api/v1/sessions/${sessionId}`;
    const holder = agentToken(tenantId, agentId);
    const ratingCards = () =>
      collections(engine.db).messages.countDocuments({ tenantId, sessionId, kind: 'rating' });

    // Not invited yet: the shopper cannot rate while the chat is on.
    expect(
      await call(engine.app, 'POST', `${base}/rating`, { token: visitorToken, body: { score: 4 } }),
    ).toMatchObject({ status: 409 });
    // Only the assigned agent invites: not a supervisor, not another agent, not the shopper.
    expect(
      (
        await call(engine.app, 'POST', `${base}/rating-invite`, {
          token: agentToken(tenantId, boss, 'supervisor'),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(engine.app, 'POST', `${base}/rating-invite`, {
          token: agentToken(tenantId, other),
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(engine.app, 'POST', `${base}/rating-invite`, { token: visitorToken })).status,
    ).toBe(403);
    expect(await ratingCards()).toBe(0);

    // Twice: one card.
    for (let i = 0; i < 2; i++) {
      expect(
        await call(engine.app, 'POST', `${base}/rating-invite`, { token: holder }),
      ).toMatchObject({ status: 200, body: { phase: 'assigned' } });
    }
    expect(await ratingCards()).toBe(1);

    // The shopper rates at once, once; the chat goes on.
    expect(
      await call(engine.app, 'POST', `${base}/rating`, {
        token: visitorToken,
        body: { score: 4, comment: 'Helpful so far' },
      }),
    ).toMatchObject({ status: 200, body: { phase: 'assigned', rating: { score: 4 } } });
    expect(
      await call(engine.app, 'POST', `${base}/rating`, { token: visitorToken, body: { score: 1 } }),
    ).toMatchObject({ status: 409 });

    // The close records the rating given, and posts no second card.
    expect(await call(engine.app, 'POST', `${base}/close`, { token: holder })).toMatchObject({
      status: 200,
    });
    const rated = await eventually(async () => {
      const doc = await collections(engine.db).sessions.findOne({ _id: sessionId, tenantId });
      return doc?.phase === 'rated' ? doc : undefined;
    });
    expect(rated.rating).toMatchObject({ score: 4, comment: 'Helpful so far' });
    expect(await ratingCards()).toBe(1);
  });

  it('when a mid-chat invitation is not answered before the close, then the close posts no second card and the shopper rates afterwards', async () => {
    const tenantId = await desk(engine, [uniqueId('ann')], 1);
    const { sessionId, visitorToken, agentId } = await openAssigned(engine, tenantId);
    const base = `/api/v1/sessions/${sessionId}`;
    const holder = agentToken(tenantId, agentId);
    expect(
      (await call(engine.app, 'POST', `${base}/rating-invite`, { token: holder })).status,
    ).toBe(200);
    expect(await call(engine.app, 'POST', `${base}/close`, { token: holder })).toMatchObject({
      status: 200,
      body: { phase: 'closed' },
    });
    expect(
      await call(engine.app, 'POST', `${base}/rating`, { token: visitorToken, body: { score: 5 } }),
    ).toMatchObject({ status: 200, body: { phase: 'rated', rating: { score: 5 } } });
    expect(
      await collections(engine.db).messages.countDocuments({ tenantId, sessionId, kind: 'rating' }),
    ).toBe(1);
  });
});
