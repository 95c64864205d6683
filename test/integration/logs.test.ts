import { createApp, type App } from '../../api/app';
import { startedSession } from '../../api/openapi';
import { createLogger, type LogLevel } from '../../runtime/logger';
import { desk, ok, visitorSend } from '../support/chat';
import { connectVisitor, postJson, startTestEngine, type TestEngine } from '../support/engine';
import { signedVisitor } from '../support/identity';
import { uniqueId } from '../support/stack';

/** The logs: pino JSON lines, a request id per HTTP request, and what they never show. */

/** A logger whose lines are kept here instead of going to stdout/stderr. */
function captured(level: LogLevel) {
  const lines: string[] = [];
  const log = createLogger(level, { process: 'api-logs' }, { write: (line) => lines.push(line) });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, log, parsed };
}

describe('the logger', () => {
  const secrets = {
    token: 'tok-1234567890',
    password: 'pass-1234567890',
    secret: 'sec-1234567890',
    headers: { authorization: 'Bearer auth-1234567890', cookie: 'sid=cookie-1234567890' },
    visitor: { token: 'vtok-1234567890' },
  };

  it('when a line carries a token, a password, a secret or an authorization header, then none of them is written, at any level', () => {
    for (const level of ['info', 'debug'] as const) {
      const { lines, log, parsed } = captured(level);
      log.info('signed in', { ...secrets, agentId: 'a-1' });
      expect(lines).toHaveLength(1);
      for (const value of ['tok-', 'pass-', 'sec-', 'auth-', 'cookie-', 'vtok-']) {
        expect(lines[0]).not.toContain(value);
      }
      expect(parsed()[0]).toMatchObject({
        level: 'info',
        message: 'signed in',
        process: 'api-logs',
        agentId: 'a-1',
        token: '[redacted]',
        headers: { authorization: '[redacted]' },
      });
    }
  });

  it('when a line carries message text, then it is hidden at info and shown at debug', () => {
    const info = captured('info');
    info.log.warn('message refused', { text: 'my card number is 4111', comment: 'rude agent' });
    expect(info.lines[0]).not.toContain('4111');
    expect(info.lines[0]).not.toContain('rude');
    expect(info.parsed()[0]).toMatchObject({ level: 'warn', text: '[redacted]' });
    const debug = captured('debug');
    debug.log.debug('message refused', { text: 'my card number is 4111' });
    expect(debug.parsed()[0]).toMatchObject({ level: 'debug', text: 'my card number is 4111' });
  });

  it('when a child logger is made, then its lines carry its bindings, and lines below the level are not written', () => {
    const { log, parsed } = captured('info');
    const child = log.child({ requestId: 'r-1' }).child({ sessionId: 's-1' });
    child.debug('not written');
    child.info('written');
    expect(parsed()).toEqual([
      expect.objectContaining({ requestId: 'r-1', sessionId: 's-1', message: 'written' }),
    ]);
    expect(typeof parsed()[0]?.time).toBe('string');
  });
});

describe('API request logs', () => {
  let engine: TestEngine;
  let app: App;
  const logs = captured('info');
  beforeAll(async () => {
    engine = await startTestEngine();
    // A second API node on the same servers, logging at the default level into `logs`.
    app = await createApp(engine.config, logs.log);
  });
  afterAll(async () => {
    await app.close();
    await engine.close();
  });

  it('when a request names its X-Request-Id, then the answer echoes it and the request line carries it, the route template and the session, and no token or message text', async () => {
    const tenantId = await desk(engine, []);
    const opened = startedSession.parse(
      (
        await postJson(app, '/api/v1/sessions', {
          tenantId,
          visitor: signedVisitor(tenantId, uniqueId('visitor')),
          channel: 'web',
          entry: { type: 'order', ref: 'o-1' },
        })
      ).body,
    );
    const visitor = await connectVisitor(app, opened.visitorToken);
    try {
      ok(await visitorSend(visitor, { kind: 'text', clientMsgId: 'c1', text: 'whisper-7531' }));
    } finally {
      visitor.close();
    }
    const requestId = uniqueId('trace');
    const answer = await fetch(
      `${app.url}/api/v1/sessions/${opened.sessionId}/messages?afterSeq=0`,
      { headers: { authorization: `Bearer ${opened.visitorToken}`, 'x-request-id': requestId } },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toBe(requestId);
    // The access line is written when the answer is done, just after the client has it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = logs.parsed().find((entry) => entry.requestId === requestId);
    expect(line).toMatchObject({
      level: 'info',
      message: 'request',
      process: 'api-logs',
      method: 'GET',
      route: '/api/v1/sessions/:sessionId/messages',
      status: 200,
      sessionId: opened.sessionId,
    });
    expect(typeof line?.durationMs).toBe('number');
    const all = logs.lines.join('');
    expect(all).not.toContain(opened.visitorToken);
    expect(all).not.toContain('whisper-7531');
  });

  it('when a request has no X-Request-Id or one that is not a plain token, then it gets a new one', async () => {
    for (const sent of [undefined, 'has spaces and {braces}', 'x'.repeat(129)]) {
      const answer = await fetch(`${app.url}/healthz`, {
        headers: sent === undefined ? {} : { 'x-request-id': sent },
      });
      const requestId = answer.headers.get('x-request-id') ?? '';
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(logs.parsed().find((entry) => entry.requestId === requestId)).toMatchObject({
        route: '/healthz',
        status: 200,
      });
    }
  });
});
