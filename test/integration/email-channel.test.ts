import { channelSession } from '../../api/views';
import { z } from 'zod';
import { createdApiKey, emailInboundResult, startedSession } from '../../api/views';
import type { ChatMessage } from '../../domain/message';
import { workingHoursSchema } from '../../domain/working-hours';
import { collections } from '../../stores/collections';
import { hoursStore } from '../../stores/hours';
import { call, callOk, operatorTenant, testOperatorToken } from '../support/api-client';
import { agentSend, agentToken, connectAgent, ok, type AgentSocket } from '../support/chat';
import {
  connectVisitor,
  eventually,
  postJson,
  startTestEngine,
  until,
  type TestEngine,
} from '../support/engine';
import { headerOf, mailById, mailsTo, rawMail, replyTo } from '../support/mailpit';
import { emailShop, emailShopper } from '../support/email-shop';
import { testStack, uniqueId } from '../support/stack';

/**
 * The email channel against the test stack's Mailpit: an agent's replies
 * reach a shopper who is not reading them by mail, batched; the shopper's
 * reply by mail comes back into the conversation through the inbound route.
 */

const batchMs = 1_500;
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({
    OPERATOR_TOKEN: testOperatorToken,
    EVENT_SETTLE_MS: 200,
    SMTP_URL: testStack.smtpUrl,
    EMAIL_BATCH_MS: batchMs,
  });
});
afterAll(async () => {
  await engine.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const shop = () => emailShop(engine);
const assignedShopper = (tenantId: string, email: string) => emailShopper(engine, tenantId, email);

const postMail = (key: string, mime: string) =>
  fetch(`${engine.app.url}/api/v1/channels/email/inbound`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'message/rfc822' },
    body: mime,
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));

async function say(agent: AgentSocket, sessionId: string, texts: string[], gapMs = 0) {
  const sent: ChatMessage[] = [];
  for (const text of texts) {
    if (sent.length && gapMs) await sleep(gapMs);
    sent.push(
      ok(await agentSend(agent, { sessionId, kind: 'text', clientMsgId: uniqueId('a'), text })),
    );
  }
  return sent;
}

/** The one mail to `to`, once it came; fails if a second one comes within two more windows. */
async function onlyMailTo(to: string) {
  const [first] = await eventually(async () => {
    const found = await mailsTo(to);
    return found.length ? found : undefined;
  }, 20_000);
  await sleep(2 * batchMs);
  expect(await mailsTo(to)).toHaveLength(1);
  if (!first) throw new Error('no mail');
  return first;
}

const visitorMessages = (tenantId: string, sessionId: string) =>
  collections(engine.db).messages.find({ tenantId, sessionId, 'sender.type': 'visitor' }).toArray();

describe('the email channel', () => {
  it('when an agent writes three quick lines to a shopper who left the widget, then they arrive as ONE mail, and the shopper’s reply by mail lands once in the same session, without the quoted mail', async () => {
    const { tenantId, key } = await shop();
    const email = `${uniqueId('mei')}@example.com`;
    const started = await assignedShopper(tenantId, email);
    const { sessionId } = started;
    // The shopper was on the widget, then left.
    const widget = await connectVisitor(engine.app, started.visitorToken);
    widget.close();

    const agent = await connectAgent(engine.app.url, agentToken(tenantId, 'ann'));
    try {
      const heard: ChatMessage[] = [];
      agent.on('message:new', (m) => heard.push(m));
      await say(
        agent,
        sessionId,
        ['Your parcel left our warehouse.', 'It should arrive on Friday.', 'Tracking: SF123456.'],
        // Apart by more than a worker round, within one batch window.
        400,
      );

      const mail = await onlyMailTo(email);
      const full = await mailById(mail.ID);
      expect(full.From).toMatchObject({ Name: 'Shop', Address: 'support@reception.localhost' });
      for (const line of ['warehouse', 'Friday', 'SF123456']) expect(full.Text).toContain(line);
      expect(full.ReplyTo?.[0]?.Address).toMatch(/^reply\+s\.[0-9a-f-]+\.[0-9a-f]{16}@localhost$/);
      const raw = await rawMail(mail.ID);
      expect(headerOf(raw, 'In-Reply-To')).toBeDefined();

      const reply = replyTo(raw, email, 'Thanks! Can it come on Saturday instead?', uniqueId('r'));
      const answered = await postMail(key, reply);
      expect(answered.status).toBe(201);
      const landed = emailInboundResult.parse(answered.body);
      expect(landed).toMatchObject({ thread: 'session', sessionId, opened: false });
      const seen = await until(() =>
        heard.find((m) => m.sender.type === 'visitor' && m.text.includes('Saturday')),
      );
      expect(seen.text).toBe('Thanks! Can it come on Saturday instead?');

      // The provider delivers the same mail again: the same message, nothing new.
      const again = await postMail(key, reply);
      expect(again.status).toBe(200);
      expect(emailInboundResult.parse(again.body)).toMatchObject({
        thread: 'session',
        message: { seq: seen.seq },
      });
      expect(await visitorMessages(tenantId, sessionId)).toHaveLength(1);
    } finally {
      agent.close();
    }
  }, 60_000);

  it('when the shopper read the agent’s lines on the widget, then no mail goes out; a line they did not read does, alone', async () => {
    const { tenantId } = await shop();
    const email = `${uniqueId('lin')}@example.com`;
    const started = await assignedShopper(tenantId, email);
    const { sessionId } = started;
    const widget = await connectVisitor(engine.app, started.visitorToken);
    // The widget marks what it shows the shopper as read, as console/visitor/widget.js does.
    widget.on('message:new', (m) => widget.emit('message:read', { seq: m.seq }, () => undefined));
    const agent = await connectAgent(engine.app.url, agentToken(tenantId, 'ann'));
    try {
      const read = await say(agent, sessionId, ['Hello Lin!', 'Your refund is on its way.']);
      const last = read.at(-1)?.seq ?? 0;
      await eventually(async () =>
        (await collections(engine.db).readMarks.findOne({ tenantId, sessionId }))?.seq === last
          ? true
          : undefined,
      );
      await sleep(3 * batchMs);
      expect(await mailsTo(email)).toEqual([]);

      widget.close();
      await say(agent, sessionId, ['One more thing: keep the receipt.']);
      const mail = await mailById((await onlyMailTo(email)).ID);
      expect(mail.Text).toContain('keep the receipt');
      expect(mail.Text).not.toContain('refund');
    } finally {
      widget.close();
      agent.close();
    }
  }, 60_000);

  it('when the shopper is in a session of the API channel, then the agent’s lines are never mailed, though their profile has an email', async () => {
    const { tenantId, key } = await shop();
    const email = `${uniqueId('app-user')}@example.com`;
    const opened = channelSession.parse(
      await callOk(engine.app, 'POST', '/api/v1/channels/api/sessions', {
        token: key,
        body: { shopper: { id: uniqueId('app-user'), email }, entry: { type: 'order' } },
      }),
    );
    await eventually(async () => {
      const doc = await collections(engine.db).sessions.findOne({ _id: opened.sessionId });
      return doc?.phase === 'assigned' ? doc : undefined;
    });
    const agent = await connectAgent(engine.app.url, agentToken(tenantId, 'ann'));
    try {
      await say(agent, opened.sessionId, ['Hello from the shop.']);
      await sleep(3 * batchMs);
      expect(await mailsTo(email)).toEqual([]);
    } finally {
      agent.close();
    }
  }, 60_000);

  it('when the shopper replies by mail after the session closed, then the reply opens a new session for them on channel email', async () => {
    const { tenantId, key } = await shop();
    const email = `${uniqueId('ivy')}@example.com`;
    const started = await assignedShopper(tenantId, email);
    const agent = await connectAgent(engine.app.url, agentToken(tenantId, 'ann'));
    try {
      await say(agent, started.sessionId, ['We are closing for today; write back any time.']);
    } finally {
      agent.close();
    }
    const raw = await rawMail((await onlyMailTo(email)).ID);
    await callOk(engine.app, 'POST', `/api/v1/sessions/${started.sessionId}/close`, {
      token: agentToken(tenantId, 'ann'),
    });
    await eventually(async () => {
      const doc = await collections(engine.db).sessions.findOne({ _id: started.sessionId });
      return doc?.phase === 'closed' || doc?.phase === 'rated' ? doc : undefined;
    });

    const answered = await postMail(key, replyTo(raw, email, 'One more question.', uniqueId('r')));
    expect(answered.status).toBe(201);
    const landed = emailInboundResult.parse(answered.body);
    expect(landed).toMatchObject({ thread: 'session', opened: true, visitorId: started.visitorId });
    if (landed.thread !== 'session') throw new Error('not a session');
    expect(landed.sessionId).not.toBe(started.sessionId);
    const opened = await eventually(
      async () =>
        (await collections(engine.db).sessions.findOne({ _id: landed.sessionId })) ?? undefined,
    );
    expect(opened).toMatchObject({ channel: 'email', visitorId: started.visitorId });
  }, 60_000);

  it('when a mail is garbage, names no thread, carries a forged token or comes with another tenant’s key, then it is refused and nothing is written', async () => {
    const a = await shop();
    const b = await shop();
    const email = `${uniqueId('kai')}@example.com`;
    const { sessionId } = await assignedShopper(a.tenantId, email);
    const agent = await connectAgent(engine.app.url, agentToken(a.tenantId, 'ann'));
    try {
      await say(agent, sessionId, ['Is the blue one fine?']);
    } finally {
      agent.close();
    }
    const raw = await rawMail((await onlyMailTo(email)).ID);
    const reply = replyTo(raw, email, 'Yes please.', uniqueId('r'));
    const before = await visitorMessages(a.tenantId, sessionId);

    const garbage = await postMail(a.key, '\u0000\u0001 not a mail at all');
    expect(garbage).toMatchObject({ status: 400, body: { error: { code: 'invalid_mail' } } });
    const json = await call(engine.app, 'POST', '/api/v1/channels/email/inbound', {
      token: a.key,
      body: { text: 'hi' },
    });
    expect(json.status).toBe(415);

    const token = /reply\+(s\.[0-9a-f-]+\.)([0-9a-f]{16})/.exec(reply);
    const forgedMac = token?.[2]?.replace(/^./, (c) => (c === '0' ? '1' : '0')) ?? '';
    const forged = reply
      .split(`${token?.[1] ?? ''}${token?.[2] ?? ''}`)
      .join(`${token?.[1] ?? ''}${forgedMac}`);
    expect(forged).not.toBe(reply);
    const refusedForged = await postMail(a.key, forged);
    expect(refusedForged).toMatchObject({
      status: 404,
      body: { error: { code: 'thread_not_found' } },
    });

    const otherTenant = await postMail(b.key, reply);
    expect(otherTenant).toMatchObject({
      status: 404,
      body: { error: { code: 'thread_not_found' } },
    });

    expect(await visitorMessages(a.tenantId, sessionId)).toEqual(before);
    expect(await collections(engine.db).messages.countDocuments({ tenantId: b.tenantId })).toBe(0);
    expect(await collections(engine.db).sessions.countDocuments({ tenantId: b.tenantId })).toBe(0);
  }, 60_000);

  it('when a ticket is resolved with an answer, then the answer reaches the ticket’s email, the reply lands on the ticket and reopens it, and its next resolution is mailed too', async () => {
    // The shop is closed: asking for a person opens the leave-message form.
    const { tenantId, adminKey } = await operatorTenant(engine.app);
    const key = createdApiKey.parse(
      await callOk(engine.app, 'POST', '/api/v1/api-keys', {
        token: adminKey,
        body: { name: 'mail provider', role: 'integration' },
      }),
    ).key;
    await hoursStore(engine.db).put(
      tenantId,
      '*',
      'reception',
      workingHoursSchema.parse({ timeZone: 'UTC', weekly: {} }),
    );
    const email = `${uniqueId('zoe')}@example.com`;
    // An anonymous shopper, with no profile email, leaves their address on the ticket.
    const response = await postJson(engine.app, '/api/v1/sessions', {
      tenantId,
      channel: 'web',
      entry: { type: 'shop' },
    });
    const started = startedSession.parse(response.body);
    const base = `/api/v1/sessions/${started.sessionId}`;
    await eventually(async () => {
      const asked = await call(engine.app, 'POST', `${base}/human`, {
        token: started.visitorToken,
      });
      return asked.status === 200 ? asked : undefined;
    });
    await callOk(engine.app, 'POST', `${base}/leave-message`, {
      token: started.visitorToken,
      body: { contact: { name: 'Zoe', email }, content: 'Do you ship to Iceland?' },
    });
    const ticketId = `ticket-${started.sessionId}`;
    await eventually(
      async () => (await collections(engine.db).tickets.findOne({ _id: ticketId })) ?? undefined,
    );
    await callOk(engine.app, 'POST', `/api/v1/tickets/${ticketId}/resolve`, {
      token: adminKey,
      body: { resolution: 'Yes, within 5 working days.' },
    });

    const mail = await onlyMailTo(email);
    const full = await mailById(mail.ID);
    expect(full.Text).toContain('Yes, within 5 working days.');
    expect(full.Text).toContain('Do you ship to Iceland?');
    expect(full.ReplyTo?.[0]?.Address).toMatch(/^reply\+t\./);

    const reply = replyTo(await rawMail(mail.ID), email, 'Great, and the cost?', uniqueId('r'));
    const answered = await postMail(key, reply);
    expect(answered.status).toBe(201);
    const landed = emailInboundResult.parse(answered.body);
    expect(landed).toMatchObject({
      thread: 'ticket',
      ticket: { ticketId, status: 'open', replies: [{ text: 'Great, and the cost?' }] },
    });
    expect((await postMail(key, reply)).status).toBe(200);
    const ticket = z
      .object({ replies: z.array(z.object({ text: z.string() })), status: z.string() })
      .parse(await callOk(engine.app, 'GET', `/api/v1/tickets/${ticketId}`, { token: adminKey }));
    expect(ticket.replies).toHaveLength(1);
    const events = await collections(engine.db)
      .events.find({ tenantId, type: 'ticket.replied' })
      .toArray();
    expect(events).toHaveLength(1);

    // Resolved again: a new resolution, a new answer by mail.
    await callOk(engine.app, 'POST', `/api/v1/tickets/${ticketId}/resolve`, {
      token: adminKey,
      body: { resolution: 'Shipping to Iceland is 12 EUR.' },
    });
    const second = await eventually(async () => {
      const found = await mailsTo(email);
      return found.length === 2 ? found[0] : undefined;
    }, 20_000);
    expect((await mailById(second?.ID ?? '')).Text).toContain('12 EUR');
  }, 60_000);
});
