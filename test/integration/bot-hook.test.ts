import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { startedSession } from '../../api/openapi';
import { eventPage } from '../../api/routes/events';
import { botHookView, createdBotHook } from '../../api/views';
import type { BotRequest } from '../../domain/bot-hook';
import type { ChatMessage } from '../../domain/message';
import { verify } from '../../events/signature';
import { collections } from '../../stores/collections';
import { faqStore } from '../../stores/faqs';
import { stateQuery } from '../../workflows/contract';
import { call, callOk, operatorTenant, testOperatorToken } from '../support/api-client';
import { ok, visitorSend, waitFor } from '../support/chat';
import {
  connectVisitor,
  eventually,
  postJson,
  startTestEngine,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { installIdentitySecret, signedVisitor } from '../support/identity';
import { uniqueId } from '../support/stack';

/**
 * The bot hook against a real bot: an HTTP server on this machine that
 * answers as each test says. The engine lets hooks reach 127.0.0.1
 * (WEBHOOK_ALLOW_PRIVATE_ADDRESSES); the configuration tests run on an
 * engine with the production policy, where private addresses are refused.
 */

let engine: TestEngine;
const sockets: VisitorSocket[] = [];
const bots: { close: () => Promise<void> }[] = [];
beforeAll(async () => {
  engine = await startTestEngine({
    OPERATOR_TOKEN: testOperatorToken,
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: true,
    EVENT_SETTLE_MS: 200,
  });
});
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await Promise.all(bots.splice(0).map((b) => b.close()));
});
afterAll(async () => {
  await engine.close();
});

interface BotCallSeen {
  body: string;
  signature: string;
  request: BotRequest;
}

interface BotAnswer {
  status?: number;
  /** A string is sent as it is; anything else as JSON. */
  body: unknown;
  delayMs?: number;
}

/** A bot: answers what `answer(request)` says, and keeps every request it got. */
async function bot(answer: (request: BotRequest) => BotAnswer) {
  const calls: BotCallSeen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = JSON.parse(body) as BotRequest;
      calls.push({
        body,
        signature: req.headers['reception-signature']?.toString() ?? '',
        request,
      });
      const reply = answer(request);
      const send = () => {
        if (res.destroyed) return;
        res
          .writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
          .end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle = {
    url: `http://127.0.0.1:${port}/bot`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  bots.push(handle);
  return handle;
}

/** A tenant (English texts, one FAQ entry) with its admin key. */
async function shop() {
  const tenant = await operatorTenant(engine.app, { flow: { locale: 'en' } });
  await installIdentitySecret(engine.db, tenant.tenantId);
  await faqStore(engine.db).add(tenant.tenantId, {
    question: 'When will my order ship?',
    keywords: ['ship'],
    answer: 'Orders ship within 24 hours.',
  });
  return tenant;
}
const faqAnswer = 'Orders ship within 24 hours.';

async function putHook(adminKey: string, body: Record<string, unknown>) {
  return call(engine.app, 'PUT', '/api/v1/bot-hook', { token: adminKey, body });
}

/** A shopper in the robot phase, past the greeting, with their socket and what it received. */
async function openChat(tenantId: string) {
  const visitorId = uniqueId('visitor');
  const started = startedSession.parse(
    (
      await postJson(engine.app, '/api/v1/sessions', {
        tenantId,
        visitor: signedVisitor(tenantId, visitorId),
        channel: 'web',
        entry: { type: 'order', ref: 'o-77' },
      })
    ).body,
  );
  const socket = await connectVisitor(engine.app, started.visitorToken);
  sockets.push(socket);
  const received: ChatMessage[] = [];
  socket.on('message:new', (message) => received.push(message));
  await eventually(() =>
    collections(engine.db)
      .messages.findOne({ tenantId, sessionId: started.sessionId, sender: { type: 'robot' } })
      .then((found) => found ?? undefined),
  );
  const say = async (text: string) =>
    ok(await visitorSend(socket, { kind: 'text', clientMsgId: uniqueId('c'), text }));
  const handle = engine.temporal.client.workflow.getHandle(started.workflowId);
  return { ...started, visitorId, socket, received, say, handle };
}

/** The robot's answer to the shopper's message (stored under `wf:robot:<its id>`). */
const answerTo = (tenantId: string, sessionId: string, shopperMessage: ChatMessage) =>
  eventually(() =>
    collections(engine.db)
      .messages.findOne({
        tenantId,
        sessionId,
        messageId: `wf:robot:${shopperMessage.messageId}`,
      })
      .then((found) => found ?? undefined),
  );

/** Each marker the session recorded (local activities, patches), as the text of its details. */
async function markers(workflowId: string): Promise<string[]> {
  const { events } = await engine.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (!marker) return [];
    const details = Object.values(marker.details ?? {}).flatMap((d) => d.payloads ?? []);
    return [details.map((p) => Buffer.from(p.data ?? []).toString()).join(' ')];
  });
}

/** The local activities a session ran, by name, in order (markers name their activity type). */
async function localActivities(workflowId: string): Promise<string[]> {
  return (await markers(workflowId)).flatMap((text) => {
    const type = /"activity_type":"(\w+)"/.exec(text)?.[1];
    return type ? [type] : [];
  });
}

/**
 * The local activities once the history holds `count` of `type`: a step's
 * marker is written when its workflow task completes, which may be after the
 * message it posted is readable.
 */
function settledActivities(workflowId: string, type: string, count: number): Promise<string[]> {
  return eventually(async () => {
    const types = await localActivities(workflowId);
    return types.filter((t) => t === type).length >= count ? types : undefined;
  });
}

describe('bot hook: the bot answers', () => {
  it('when the bot answers a text with suggestions, then the shopper sees it as the robot’s message (widget, transcript, message.created), and the request was signed with the secret and carried the session’s context', async () => {
    const { tenantId, adminKey } = await shop();
    const robot = await bot((request) => ({
      body: {
        type: 'text',
        text: `Bot here: you said "${request.message.text}"`,
        suggestions: ['Track my parcel', 'Change address'],
        extra: 'ignored',
      },
    }));
    const created = await putHook(adminKey, { url: robot.url });
    expect(created.status).toBe(201);
    const { secret } = createdBotHook.parse(created.body);
    const chat = await openChat(tenantId);

    const sent = await chat.say('when will it ship?');
    const answer = await answerTo(tenantId, chat.sessionId, sent);
    expect(answer).toMatchObject({
      sender: { type: 'robot' },
      kind: 'text',
      text: 'Bot here: you said "when will it ship?"',
      suggestions: ['Track my parcel', 'Change address'],
    });
    // The widget got it live, and the FAQ robot (which knows this question) said nothing.
    await waitFor(() => chat.received.some((m) => m.seq === answer.seq));
    const robotTexts = await collections(engine.db)
      .messages.find({ tenantId, sessionId: chat.sessionId, sender: { type: 'robot' } })
      .toArray();
    expect(robotTexts.map((m) => m.text)).not.toContain(faqAnswer);

    expect(robot.calls).toHaveLength(1);
    const [seen] = robot.calls;
    expect(verify(secret, seen?.body ?? '', seen?.signature ?? '')).toBe(true);
    expect(verify('whsec_not-the-secret', seen?.body ?? '', seen?.signature ?? '')).toBe(false);
    expect(seen?.request).toMatchObject({
      type: 'message.received',
      tenantId,
      sessionId: chat.sessionId,
      message: { id: sent.messageId, text: 'when will it ship?' },
      visitor: { id: chat.visitorId, tags: [] },
      entry: { type: 'order', ref: 'o-77' },
      channel: 'web',
    });
    expect(seen?.request.recentMessages.at(-1)).toMatchObject({
      seq: sent.seq,
      sender: 'visitor',
      text: 'when will it ship?',
    });

    // The transcript and the event feed hold it as they hold the FAQ robot's messages.
    const transcript = z.object({ messages: z.array(z.object({ text: z.string() })) }).parse(
      await callOk(engine.app, 'GET', `/api/v1/sessions/${chat.sessionId}/transcript?afterSeq=0`, {
        token: adminKey,
      }),
    );
    expect(transcript.messages.map((m) => m.text)).toContain(answer.text);
    const feed = await eventually(async () => {
      const page = eventPage.parse(
        await callOk(engine.app, 'GET', '/api/v1/events?types=message.created&limit=200', {
          token: adminKey,
        }),
      );
      return page.items.find((e) => e.data['messageId'] === answer.messageId);
    });
    expect(feed.data).toMatchObject({ sender: { type: 'robot' }, text: answer.text });

    // A card answer is a card message; after a rotation, calls sign with the new secret only.
    const rotated = z
      .object({ secret: z.string() })
      .parse(
        await callOk(engine.app, 'POST', '/api/v1/bot-hook/rotate-secret', { token: adminKey }),
      );
    expect(rotated.secret).not.toBe(secret);
    const card = { type: 'product', ref: 'sku-1', title: 'Blue kettle', price: '¥199.00' };
    const second = await bot(() => ({ body: { type: 'card', card, text: 'This one?' } }));
    await putHook(adminKey, { url: second.url });
    // The session asks the hook's current URL and secret on each text.
    const asked = await chat.say('show me a kettle');
    expect(await answerTo(tenantId, chat.sessionId, asked)).toMatchObject({
      sender: { type: 'robot' },
      kind: 'card',
      card,
      text: 'This one?',
    });
    const [signed] = second.calls;
    expect(verify(rotated.secret, signed?.body ?? '', signed?.signature ?? '')).toBe(true);
    expect(verify(secret, signed?.body ?? '', signed?.signature ?? '')).toBe(false);
    expect(await chat.handle.query(stateQuery)).toMatchObject({ phase: 'robot', robotMisses: 0 });
    await chat.handle.terminate('test done');
  });

  it('when the bot answers handover, then the session leaves the robot for the queue, as when the shopper asks for a person', async () => {
    const { tenantId, adminKey } = await shop();
    const robot = await bot(() => ({
      body: { type: 'handover', text: 'Let me find you a person.' },
    }));
    expect((await putHook(adminKey, { url: robot.url })).status).toBe(201);
    const chat = await openChat(tenantId);

    const sent = await chat.say('I want a refund for a broken kettle');
    expect(await answerTo(tenantId, chat.sessionId, sent)).toMatchObject({
      sender: { type: 'robot' },
      text: 'Let me find you a person.',
    });
    const state = await eventually(async () => {
      const s = await chat.handle.query(stateQuery);
      return s.phase === 'queued' ? s : undefined;
    });
    expect(state).toMatchObject({ groupId: 'default', queuePosition: 1 });
    // The hand-over notice the FAQ robot's hand-over posts, after the bot's line.
    const texts = (
      await collections(engine.db)
        .messages.find({ tenantId, sessionId: chat.sessionId })
        .sort({ seq: 1 })
        .toArray()
    ).map((m) => m.text);
    expect(texts.indexOf('Let me find you a person.')).toBeLessThan(
      texts.indexOf('Connecting you to a person, one moment please.'),
    );
    expect(texts).not.toContain(faqAnswer);
    await chat.handle.terminate('test done');
  });
});

describe('bot hook: the bot fails, the FAQ robot answers', () => {
  it('when the bot answers after its deadline, then the FAQ robot answers instead, once, and the session goes on with the bot', async () => {
    const { tenantId, adminKey } = await shop();
    let slow = true;
    const robot = await bot(() => ({
      body: { type: 'text', text: 'Too late, or just in time' },
      delayMs: slow ? 2_500 : 0,
    }));
    expect((await putHook(adminKey, { url: robot.url, timeoutMs: 800 })).status).toBe(201);
    const chat = await openChat(tenantId);

    const started = Date.now();
    const late = await chat.say('when will it ship?');
    expect(await answerTo(tenantId, chat.sessionId, late)).toMatchObject({
      sender: { type: 'robot' },
      text: faqAnswer,
    });
    expect(Date.now() - started).toBeLessThan(2_500);
    // The bot's late answer, had it come through, would be a second answer to the same text.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const answers = await collections(engine.db)
      .messages.find({ tenantId, sessionId: chat.sessionId, sender: { type: 'robot' } })
      .toArray();
    expect(answers.map((m) => m.text)).toEqual([
      'Hello and welcome! How can we help you today?',
      faqAnswer,
    ]);

    slow = false;
    const next = await chat.say('and the colour?');
    expect(await answerTo(tenantId, chat.sessionId, next)).toMatchObject({
      text: 'Too late, or just in time',
    });
    expect(await chat.handle.query(stateQuery)).toMatchObject({ phase: 'robot', robotMisses: 0 });
    await chat.handle.terminate('test done');
  });

  it('when the bot answers 500, not JSON, or JSON that is not an answer, then the FAQ robot answers each text, a 500 having been retried within the deadline', async () => {
    const { tenantId, adminKey } = await shop();
    let reply: BotAnswer = { status: 500, body: { error: 'boom' } };
    const robot = await bot(() => reply);
    expect((await putHook(adminKey, { url: robot.url, timeoutMs: 1_500 })).status).toBe(201);
    const chat = await openChat(tenantId);

    const failing = await chat.say('when will it ship?');
    expect(await answerTo(tenantId, chat.sessionId, failing)).toMatchObject({ text: faqAnswer });
    expect(robot.calls.length).toBeGreaterThan(1);

    for (const [i, body] of [
      '<html>Bad gateway</html>',
      { type: 'text' },
      { type: 'text', text: '   ' },
      { type: 'shrug', text: 'hm' },
      { type: 'card', card: { type: 'product', title: 'no ref' } },
    ].entries()) {
      reply = { body };
      const callsBefore = robot.calls.length;
      const sent = await chat.say(`ship ${i}?`);
      expect(await answerTo(tenantId, chat.sessionId, sent)).toMatchObject({
        sender: { type: 'robot' },
        text: faqAnswer,
      });
      // An answer that is not one is not asked for again.
      expect(robot.calls.length - callsBefore).toBe(1);
    }
    const types = await settledActivities(chat.workflowId, 'robotReply', 6);
    expect(types.filter((t) => t === 'botReply')).toHaveLength(6);
    expect(types.filter((t) => t === 'robotReply')).toHaveLength(6);
    expect(await chat.handle.query(stateQuery)).toMatchObject({ phase: 'robot' });
    await chat.handle.terminate('test done');
  });

  it('when the tenant has no hook, or turned it off, then a shopper text costs no bot step: only the FAQ robot’s', async () => {
    const { tenantId, adminKey } = await shop();
    const robot = await bot(() => ({ body: { type: 'text', text: 'never asked' } }));
    const without = await openChat(tenantId);
    await answerTo(tenantId, without.sessionId, await without.say('when will it ship?'));
    expect(await settledActivities(without.workflowId, 'robotReply', 1)).toEqual([
      'openSession',
      'robotReply',
    ]);
    expect((await markers(without.workflowId)).filter((m) => m.includes('bot-hook'))).toEqual([]);

    expect((await putHook(adminKey, { url: robot.url, active: false })).status).toBe(201);
    const off = await openChat(tenantId);
    await answerTo(tenantId, off.sessionId, await off.say('when will it ship?'));
    expect(await settledActivities(off.workflowId, 'robotReply', 1)).toEqual([
      'openSession',
      'robotReply',
    ]);
    expect(robot.calls).toHaveLength(0);
    await without.handle.terminate('test done');
    await off.handle.terminate('test done');
  });
});

describe('bot hook: configuration', () => {
  let strict: TestEngine;
  beforeAll(async () => {
    // The production address policy: private addresses refused.
    strict = await startTestEngine({ OPERATOR_TOKEN: testOperatorToken });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('when the URL is not http(s), private, local or malformed, or the deadline is out of range, then 400 names the field and nothing is written', async () => {
    const { adminKey } = await operatorTenant(strict.app);
    const put = (body: unknown) =>
      call(strict.app, 'PUT', '/api/v1/bot-hook', { token: adminKey, body });
    const cases: [unknown, string][] = [
      [{ url: 'ftp://bot.example.com/hook' }, 'url'],
      [{ url: 'javascript:alert(1)' }, 'url'],
      [{ url: 'http://127.0.0.1:8080/bot' }, 'url'],
      [{ url: 'http://10.1.2.3/bot' }, 'url'],
      [{ url: 'http://169.254.169.254/latest' }, 'url'],
      [{ url: 'http://localhost/bot' }, 'url'],
      [{ url: 'http://[::1]/bot' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'https://user:pw@bot.example.com/' }, 'url'],
      [{ url: '' }, 'url'],
      [{}, 'url'],
      [{ url: 'https://bot.example.com/', timeoutMs: 100 }, 'timeoutMs'],
      [{ url: 'https://bot.example.com/', timeoutMs: 20_000 }, 'timeoutMs'],
      [{ url: 'https://bot.example.com/', timeoutMs: 1_500.5 }, 'timeoutMs'],
      [{ url: 'https://bot.example.com/', timeoutMs: '3000' }, 'timeoutMs'],
      [{ url: 'https://bot.example.com/', active: 'yes' }, 'active'],
      [{ url: 'https://bot.example.com/', secret: 'mine' }, 'secret'],
    ];
    const problems: string[] = [];
    for (const [body, field] of cases) {
      const answer = await put(body);
      const error = z
        .object({
          error: z.object({ code: z.string(), fields: z.array(z.object({ path: z.string() })) }),
        })
        .safeParse(answer.body).data?.error;
      if (answer.status !== 400 || !error?.fields.some((f) => f.path === field)) {
        problems.push(`${JSON.stringify(body)}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(problems).toEqual([]);
    expect((await call(strict.app, 'GET', '/api/v1/bot-hook', { token: adminKey })).status).toBe(
      404,
    );

    // With a hook set, a bad change leaves it as it was; a good one keeps the secret (none shown).
    const created = createdBotHook.parse(
      (await put({ url: 'https://bot.example.com/a', timeoutMs: 2_000 })).body,
    );
    expect((await put({ url: 'http://192.168.1.1/b', timeoutMs: 2_000 })).status).toBe(400);
    const read = botHookView
      .strict()
      .parse(await callOk(strict.app, 'GET', '/api/v1/bot-hook', { token: adminKey }));
    expect(read).toMatchObject({
      url: 'https://bot.example.com/a',
      timeoutMs: 2_000,
      active: true,
    });
    const changed = await put({ url: 'https://bot.example.com/c', active: false });
    expect(changed.status).toBe(200);
    expect(botHookView.strict().parse(changed.body)).toMatchObject({
      url: 'https://bot.example.com/c',
      timeoutMs: 3_000,
      active: false,
    });
    // The secret of the create is the one kept.
    expect(await collections(strict.db).botHooks.countDocuments({ secret: created.secret })).toBe(
      1,
    );
  });

  it('when tenant B calls the bot-hook routes, then it sees and changes only its own hook, never tenant A’s', async () => {
    const a = await operatorTenant(strict.app);
    const b = await operatorTenant(strict.app);
    const hookA = createdBotHook.parse(
      await callOk(strict.app, 'PUT', '/api/v1/bot-hook', {
        token: a.adminKey,
        body: { url: 'https://a.example.com/bot', timeoutMs: 1_000 },
      }),
    );
    expect((await call(strict.app, 'GET', '/api/v1/bot-hook', { token: b.adminKey })).status).toBe(
      404,
    );
    expect(
      (await call(strict.app, 'POST', '/api/v1/bot-hook/rotate-secret', { token: b.adminKey }))
        .status,
    ).toBe(404);
    expect(
      (await call(strict.app, 'DELETE', '/api/v1/bot-hook', { token: b.adminKey })).status,
    ).toBe(404);
    const hookB = createdBotHook.parse(
      await callOk(strict.app, 'PUT', '/api/v1/bot-hook', {
        token: b.adminKey,
        body: { url: 'https://b.example.com/bot' },
      }),
    );
    expect(hookB.secret).not.toBe(hookA.secret);
    await callOk(strict.app, 'POST', '/api/v1/bot-hook/rotate-secret', { token: b.adminKey });
    await callOk(strict.app, 'DELETE', '/api/v1/bot-hook', { token: b.adminKey });

    const stillA = await collections(strict.db).botHooks.findOne({ _id: a.tenantId });
    expect(stillA).toMatchObject({
      tenantId: a.tenantId,
      url: 'https://a.example.com/bot',
      timeoutMs: 1_000,
      secret: hookA.secret,
    });
    expect(await collections(strict.db).botHooks.findOne({ _id: b.tenantId })).toBeNull();
  });

  it('when a suspended tenant is deleted, then its bot hook and its secret go with it', async () => {
    const { tenantId, adminKey } = await operatorTenant(strict.app);
    await callOk(strict.app, 'PUT', '/api/v1/bot-hook', {
      token: adminKey,
      body: { url: 'https://bot.example.com/gone' },
    });
    await callOk(strict.app, 'POST', `/api/v1/tenants/${tenantId}/suspend`, {
      token: testOperatorToken,
    });
    await callOk(strict.app, 'DELETE', `/api/v1/tenants/${tenantId}`, {
      token: testOperatorToken,
    });
    expect(await collections(strict.db).botHooks.countDocuments({ tenantId })).toBe(0);
  });
});
