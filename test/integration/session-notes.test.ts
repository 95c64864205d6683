import type { SessionNote } from '../../domain/notes';
import type { SessionSummary } from '../../domain/socket-events';
import { apiKeyStore } from '../../stores/api-keys';
import { call, callOk } from '../support/api-client';
import {
  agentSend,
  agentToken,
  connectAgent,
  desk,
  emitRaw,
  ok,
  openAssigned,
  waitFor,
} from '../support/chat';
import {
  connectVisitor,
  eventually,
  startTestEngine,
  syncMessages,
  type TestEngine,
} from '../support/engine';
import { uniqueId } from '../support/stack';

/**
 * Private notes: staff write them in a session for each other; no path that
 * serves the shopper (their socket's live events and sync, the HTTP resync,
 * the notes route itself, the integrator's transcript and event feed, which
 * feed the API channel's webhooks) ever carries one.
 */

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine({ EVENT_SETTLE_MS: 200 });
});
afterAll(async () => {
  await engine.close();
});

const noteOf = (body: unknown) => body as SessionNote;

describe('private notes in a session', () => {
  it('when an agent writes a note, then the agent side and supervisors see it and no path that serves the shopper does', async () => {
    const lin = uniqueId('lin');
    const mei = uniqueId('mei');
    const boss = uniqueId('boss');
    const tenantId = await desk(engine, [lin, mei], 1);
    const { sessionId, visitorToken, agentId } = await openAssigned(engine, tenantId);
    const holder = agentId;
    const other = agentId === lin ? mei : lin;
    const secret = `Customer sounds upset ${uniqueId('n')}`;

    const visitor = await connectVisitor(engine.app, visitorToken);
    const heardByVisitor: string[] = [];
    visitor.onAny((event: string, ...args: unknown[]) => {
      heardByVisitor.push(`${event} ${JSON.stringify(args)}`);
    });
    const agent = await connectAgent(engine.app.url, agentToken(tenantId, holder));
    const notesHeard: SessionNote[] = [];
    agent.on('note:new', (note) => notesHeard.push(note));
    const supervisor = await connectAgent(engine.app.url, agentToken(tenantId, boss, 'supervisor'));
    ok(await emitRaw(supervisor, 'session:join', { sessionId }));
    const notesHeardBySupervisor: SessionNote[] = [];
    supervisor.on('note:new', (note) => notesHeardBySupervisor.push(note));
    try {
      const path = `/api/v1/sessions/${sessionId}/notes`;
      const holderToken = agentToken(tenantId, holder);
      const written = await call(engine.app, 'POST', path, {
        token: holderToken,
        body: { text: secret, clientNoteId: 'n-1' },
      });
      expect(written).toMatchObject({
        status: 201,
        body: { sessionId, authorId: holder, text: secret, noteId: `a:${holder}:n-1` },
      });
      // A resend with the same client id is the same note, stored once.
      const again = await call(engine.app, 'POST', path, {
        token: holderToken,
        body: { text: secret, clientNoteId: 'n-1' },
      });
      expect(noteOf(again.body).createdAt).toBe(noteOf(written.body).createdAt);
      // After the note, the agent writes to the shopper: the shopper's paths must work.
      ok(
        await agentSend(agent, {
          sessionId,
          kind: 'text',
          clientMsgId: 'after-note',
          text: 'Let me check that for you',
        }),
      );

      // The agent side: live on both sockets, and read back by the supervisor.
      await waitFor(() => notesHeard.length === 1 && notesHeardBySupervisor.length === 1);
      expect(notesHeard[0]?.text).toBe(secret);
      const read = await callOk(engine.app, 'GET', path, {
        token: agentToken(tenantId, boss, 'supervisor'),
      });
      expect(read).toEqual([noteOf(written.body)]);
      // Another agent of the tenant, who does not hold it, and a bad body, are refused.
      expect(
        (await call(engine.app, 'GET', path, { token: agentToken(tenantId, other) })).status,
      ).toBe(403);
      expect(
        await call(engine.app, 'POST', path, { token: holderToken, body: { text: ' ' } }),
      ).toMatchObject({ status: 400 });

      // The shopper: the notes route refuses their token...
      expect((await call(engine.app, 'GET', path, { token: visitorToken })).status).toBe(403);
      expect(
        (
          await call(engine.app, 'POST', path, {
            token: visitorToken,
            body: { text: 'mine', clientNoteId: 'v-1' },
          })
        ).status,
      ).toBe(403);
      // ...their socket heard the agent's message but nothing of the note...
      await waitFor(() => heardByVisitor.some((line) => line.includes('Let me check')));
      expect(heardByVisitor.join('\n')).not.toContain(secret);
      expect(heardByVisitor.some((line) => line.startsWith('note:new'))).toBe(false);
      // ...their sync and the HTTP resync are gapless and note-free...
      const synced = await syncMessages(visitor, 0);
      expect(synced.map((m) => m.seq)).toEqual(synced.map((_, i) => i + 1));
      expect(JSON.stringify(synced)).toContain('Let me check');
      expect(JSON.stringify(synced)).not.toContain(secret);
      const resync = await callOk(engine.app, 'GET', `/api/v1/sessions/${sessionId}/messages`, {
        token: visitorToken,
      });
      expect(JSON.stringify(resync)).toContain('Let me check');
      expect(JSON.stringify(resync)).not.toContain(secret);

      // ...and the integrator's transcript and event feed (the API channel's webhooks) carry none.
      const adminKey = (await apiKeyStore(engine.db).create(tenantId, 'notes test', 'admin')).key;
      const transcript = await callOk(
        engine.app,
        'GET',
        `/api/v1/sessions/${sessionId}/transcript`,
        { token: adminKey },
      );
      expect(JSON.stringify(transcript)).toContain('Let me check');
      expect(JSON.stringify(transcript)).not.toContain(secret);
      const feed = await eventually(async () => {
        const page = await callOk(engine.app, 'GET', '/api/v1/events?limit=200', {
          token: adminKey,
        });
        return JSON.stringify(page).includes('Let me check') ? JSON.stringify(page) : undefined;
      });
      expect(feed).not.toContain(secret);
    } finally {
      visitor.close();
      agent.close();
      supervisor.close();
    }
  });

  it('when an agent transfers a chat with a note, then the note is kept as a private note and the receiving agent reads it in its list and in the chat', async () => {
    const lin = uniqueId('lin');
    const mei = uniqueId('mei');
    const tenantId = await desk(engine, [lin, mei], 1);
    const { sessionId, visitorToken, agentId } = await openAssigned(engine, tenantId);
    const receiver = agentId === lin ? mei : lin;
    const note = `Wants a refund for order o-1 ${uniqueId('t')}`;
    const receiving = await connectAgent(engine.app.url, agentToken(tenantId, receiver));
    const lines: SessionSummary[] = [];
    receiving.on('session:updated', (line) => lines.push(line));
    const visitor = await connectVisitor(engine.app, visitorToken);
    const heardByVisitor: string[] = [];
    visitor.onAny((event: string, ...args: unknown[]) => {
      heardByVisitor.push(`${event} ${JSON.stringify(args)}`);
    });
    try {
      expect(
        await call(engine.app, 'POST', `/api/v1/sessions/${sessionId}/transfer`, {
          token: agentToken(tenantId, agentId),
          body: { toAgentId: receiver, note },
        }),
      ).toMatchObject({ status: 200, body: { agentId: receiver } });

      const line = await eventually(() =>
        Promise.resolve(lines.find((s) => s.sessionId === sessionId && s.transferNote)),
      );
      expect(line.transferNote).toEqual({ fromAgentId: agentId, note });
      const notes = await callOk(engine.app, 'GET', `/api/v1/sessions/${sessionId}/notes`, {
        token: agentToken(tenantId, receiver),
      });
      expect(notes).toEqual([
        expect.objectContaining({
          noteId: expect.stringMatching(/^transfer:/) as unknown,
          authorId: agentId,
          text: note,
          transfer: { fromAgentId: agentId, toAgentId: receiver },
        }),
      ]);
      // The shopper hears of the transfer, never of its note.
      await waitFor(() => heardByVisitor.some((l) => l.includes('transferred')));
      const synced = await syncMessages(visitor, 0);
      expect(JSON.stringify(synced)).not.toContain(note);
      expect(heardByVisitor.join('\n')).not.toContain(note);
      const state = await callOk(engine.app, 'GET', `/api/v1/sessions/${sessionId}/state`, {
        token: visitorToken,
      });
      expect(JSON.stringify(state)).not.toContain(note);
    } finally {
      receiving.close();
      visitor.close();
    }
  });
});
