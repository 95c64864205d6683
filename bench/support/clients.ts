import { performance } from 'node:perf_hooks';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { startedSession } from '../../api/openapi';
import type { ChatMessage } from '../../domain/message';
import type { AgentSend, VisitorSend } from '../../domain/message-send';
import { namespaces } from '../../domain/rooms';
import type {
  Ack,
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  SessionSummary,
  VisitorClientToServerEvents,
  VisitorServerToClientEvents,
} from '../../domain/socket-events';

/**
 * The engine as its clients reach it, for the benchmarks that drive whole
 * sessions: opening chat over HTTP, the widget's and the console's sockets,
 * the session commands over HTTP with a bearer token. Nothing here reaches
 * into the engine's stores or Temporal.
 */

export type VisitorSocket = Socket<VisitorServerToClientEvents, VisitorClientToServerEvents>;
export type AgentSocket = Socket<AgentServerToClientEvents, AgentClientToServerEvents>;

/** Opens chat as an anonymous shopper (the engine makes the visitor id). */
export async function openChat(url: string, tenantId: string, ref = 'sku-1') {
  const response = await fetch(`${url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      tenantId,
      visitor: { name: 'Bench' },
      channel: 'web',
      entry: { type: 'product', ref },
    }),
  });
  if (response.status !== 201) throw new Error(`open chat: ${response.status}`);
  return startedSession.parse(await response.json());
}

function connected<S extends Socket>(url: string, token: string): Promise<S> {
  const socket = connectSocket(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  }) as S;
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

export const connectVisitor = (url: string, token: string) =>
  connected<VisitorSocket>(`${url}${namespaces.visitor}`, token);

export const connectAgent = (url: string, token: string) =>
  connected<AgentSocket>(`${url}${namespaces.agent}`, token);

/** One HTTP call with a bearer token; the body parsed when there is one. */
export async function call(
  url: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A call that must succeed: anything but a 2xx fails the run with what came back. */
export async function callOk(...args: Parameters<typeof call>): Promise<unknown> {
  const result = await call(...args);
  if (result.status < 200 || result.status > 299) {
    throw new Error(`${args[1]} ${args[2]}: ${result.status} ${JSON.stringify(result.body)}`);
  }
  return result.body;
}

/**
 * Resolves with the first pushed message that passes `match`; a sync at once
 * and every second covers a message stored before this socket had joined its
 * room (from the last seq seen, as the widget syncs).
 */
export function awaitMessage(
  socket: VisitorSocket,
  match: (m: ChatMessage) => boolean,
): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const sync = () =>
      socket.emit('message:sync', { afterSeq: seen }, (result) => {
        if (!result.ok) return;
        for (const message of result.data.messages) seen = Math.max(seen, message.seq);
        if (result.data.messages.some(match)) done();
      });
    const timer = setInterval(sync, 1_000);
    const onMessage = (message: ChatMessage) => {
      if (match(message)) done();
    };
    const done = () => {
      clearInterval(timer);
      socket.off('message:new', onMessage);
      resolve();
    };
    socket.on('message:new', onMessage);
    sync();
  });
}

/** Fails a step that takes longer than `ms`, so one stuck session cannot hang the run. */
export function within<T>(ms: number, step: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([step, expired]).finally(() => clearTimeout(timer));
}

/** Polls `probe` every 50 ms until it returns something, for at most `timeoutMs`. */
export async function until<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `count` jobs, `concurrency` at a time; returns each job's duration and the rate. */
export async function pool(count: number, concurrency: number, job: (n: number) => Promise<void>) {
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n < count; n = next++) {
        const t = performance.now();
        await job(n);
        durations.push(performance.now() - t);
      }
    }),
  );
  return { durations, perSecond: count / ((performance.now() - started) / 1000) };
}

/** The shopper's `message:send`, answered with its ack (rejected after 30 s without one). */
export const shopperSends = (shopper: VisitorSocket, message: VisitorSend) =>
  within(
    30_000,
    new Promise<Ack<ChatMessage>>((resolve) => shopper.emit('message:send', message, resolve)),
    'a shopper ack',
  );

/** An agent's `message:send`, answered with its ack (rejected after 30 s without one). */
export const agentSends = (agent: AgentSocket, message: AgentSend) =>
  within(
    30_000,
    new Promise<Ack<ChatMessage>>((resolve) => agent.emit('message:send', message, resolve)),
    'an agent ack',
  );

/** The agent opens the chat, as the console does (`session:join`); fails when refused. */
export async function joinChat(agent: AgentSocket, sessionId: string): Promise<void> {
  const joined = await within(
    30_000,
    new Promise<Ack<SessionSummary>>((resolve) =>
      agent.emit('session:join', { sessionId }, resolve),
    ),
    'the join',
  );
  if (!joined.ok) throw new Error(`join refused: ${JSON.stringify(joined)}`);
}
