import type { Client } from '@temporalio/client';
import { faqStore } from '../../stores/faqs';
import { tenantStore } from '../../stores/tenants';
import { activityDeps } from '../../workers/session-worker';
import {
  closeUpdate,
  rateUpdate,
  requestHumanUpdate,
  stateQuery,
  visitorTextSignal,
} from '../../workflows/contract';
import { awaitMessage, connectVisitor, openChat, within } from './clients';
import type { BenchStack } from './stack';

/** The robot's answer to the benchmark's question. */
const ANSWER = 'Orders ship within 24 hours.';

/**
 * One full session as the lifecycle benchmark measures it: open chat over
 * HTTP, ask the robot an FAQ question and get its answer over socket.io, ask
 * for a person, get assigned, the agent closes, the shopper rates 5, the
 * workflow ends. Returns the session's workflow id.
 */
export async function fullSession(
  baseUrl: string,
  client: Client,
  tenantId: string,
  questionId: string,
): Promise<string> {
  const started = await openChat(baseUrl, tenantId);
  const socket = await connectVisitor(baseUrl, started.visitorToken);
  try {
    const handle = client.workflow.getHandle(started.workflowId);
    const answered = awaitMessage(socket, (m) => m.kind === 'text' && m.text === ANSWER);
    await handle.signal(visitorTextSignal, {
      messageId: questionId,
      text: 'when will my order ship?',
      at: Date.now(),
    });
    await within(60_000, answered, 'the robot answer');
    // The shopper is told who joined: waiting for that notice, as the widget does, rather
    // than querying the workflow in a loop (each query is a workflow task of its own).
    const joined = awaitMessage(socket, (m) => m.messageId.startsWith('wf:joined-'));
    await handle.executeUpdate(requestHumanUpdate);
    await within(60_000, joined, 'the assignment');
    const { agentId } = await handle.query(stateQuery);
    await handle.executeUpdate(closeUpdate, {
      args: [{ by: { type: 'agent', agentId: agentId ?? '', supervisor: false } }],
    });
    await handle.executeUpdate(rateUpdate, { args: [{ score: 5 }] });
    await handle.result();
    return started.workflowId;
  } finally {
    socket.close();
  }
}

/** A tenant for full sessions: the FAQ entry the robot answers, ten agents online (capacity 50). */
export async function setUpSessionTenant(b: BenchStack, tenantId: string, idleMs?: number) {
  await tenantStore(b.mongo.db).ensure(tenantId, 'Bench shop', {
    locale: 'en',
    ...(idleMs ? { timeouts: { robotIdleMs: idleMs } } : {}),
  });
  await faqStore(b.mongo.db).add(tenantId, {
    question: 'When will my order ship?',
    keywords: ['ship'],
    answer: ANSWER,
  });
  const { routing } = activityDeps(b.mongo.db, b.redis, b.temporal.client);
  // Bench agents are set online with no console socket (or connect one after assignment).
  await routing.configurePresence(tenantId, { mode: 'manual' });
  await routing.configureGroup(tenantId, 'default', {});
  for (let i = 0; i < 10; i++) {
    await routing.configureAgent(tenantId, {
      agentId: `agent${i}`,
      capacity: 50,
      groups: ['default'],
    });
    await routing.setStatus(tenantId, `agent${i}`, 'online');
  }
}
