import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startedSession } from '../../api/openapi';
import { collections } from '../../stores/collections';
import {
  agentSend,
  agentToken,
  connectAgent,
  desk,
  ok,
  openAssigned,
  visitorSend,
  type AgentSocket,
} from '../support/chat';
import {
  connectVisitor,
  eventually,
  postJson,
  startTestEngine,
  type TestEngine,
  type VisitorSocket,
} from '../support/engine';
import { callOk, testOperatorToken } from '../support/api-client';
import { signedVisitor } from '../support/identity';
import { newWorld } from '../support/validation-world';
import { parsePrometheusText, sampleValue, type Family } from '../support/prometheus-text';
import { uniqueId } from '../support/stack';
import { startWorkerProcess } from '../support/worker-process';

/** The ops metrics: the API's and the worker's /metrics, as Prometheus scrapes them. */

/** A port nobody listens on now, for the Temporal SDK's exporter. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

let engine: TestEngine;
const sockets: (VisitorSocket | AgentSocket)[] = [];
beforeAll(async () => {
  engine = await startTestEngine(
    {
      // Webhooks to a receiver on this machine, delivered within a second.
      OPERATOR_TOKEN: testOperatorToken,
      EVENT_SETTLE_MS: 200,
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: true,
      WEBHOOK_RETRY_BASE_MS: 100,
      WEBHOOK_RETRY_MAX_MS: 200,
      WEBHOOK_POLL_MS: 100,
    },
    { temporalMetricsAddress: `127.0.0.1:${await freePort()}` },
  );
});
afterEach(() => {
  sockets.splice(0).forEach((s) => s.close());
});
afterAll(async () => {
  await engine.close();
});

const apiMetricsUrl = () => `${engine.app.url}/metrics`;
const workerMetricsUrl = () => {
  if (!engine.workerMetricsUrl) throw new Error('the test engine has no in-process worker');
  return engine.workerMetricsUrl;
};

/** One scrape, read strictly: a malformed exposition fails the test here. */
async function scrape(url: string): Promise<Map<string, Family>> {
  const answer = await fetch(url);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await answer.text());
}

const count = (families: Map<string, Family>, name: string, labels: Record<string, string>) =>
  sampleValue(families, name, labels) ?? 0;

/** Every label value of every series. */
const labelValues = (families: Map<string, Family>) =>
  [...families.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));

describe('/metrics', () => {
  it('when a session is opened, assigned and chatted in, then the http, socket and assignment figures move on the API and the worker, and no label names a tenant, session, visitor or agent', async () => {
    const agentId = uniqueId('agent');
    const tenantId = await desk(engine, [agentId]);
    const apiBefore = await scrape(apiMetricsUrl());
    const workerBefore = await scrape(workerMetricsUrl());

    const session = await openAssigned(engine, tenantId);
    const visitor = await connectVisitor(engine.app, session.visitorToken);
    const agent = await connectAgent(engine.app.url, agentToken(tenantId, session.agentId));
    sockets.push(visitor, agent);
    for (const n of [1, 2]) {
      ok(await visitorSend(visitor, { kind: 'text', clientMsgId: `v${n}`, text: `hello ${n}` }));
    }
    ok(
      await agentSend(agent, {
        sessionId: session.sessionId,
        kind: 'text',
        clientMsgId: 'a1',
        text: 'how can I help?',
      }),
    );
    const page = await fetch(
      `${engine.app.url}/api/v1/sessions/${session.sessionId}/messages?afterSeq=0`,
      { headers: { authorization: `Bearer ${session.visitorToken}` } },
    );
    expect(page.status).toBe(200);

    const api = await scrape(apiMetricsUrl());
    const worker = await scrape(workerMetricsUrl());
    const messagesRoute = {
      method: 'GET',
      route: '/api/v1/sessions/:sessionId/messages',
      status: '200',
    };
    const http = 'reception_http_request_duration_seconds_count';
    expect(count(api, http, messagesRoute) - count(apiBefore, http, messagesRoute)).toBe(1);
    const opening = { method: 'POST', route: '/api/v1/sessions' };
    expect(count(api, http, opening) - count(apiBefore, http, opening)).toBeGreaterThanOrEqual(1);
    const socketMessages = 'reception_socket_messages_total';
    const visitorSends = { namespace: '/visitor', event: 'message:send' };
    const agentSends = { namespace: '/agent', event: 'message:send' };
    expect(
      count(api, socketMessages, visitorSends) - count(apiBefore, socketMessages, visitorSends),
    ).toBe(2);
    expect(
      count(api, socketMessages, agentSends) - count(apiBefore, socketMessages, agentSends),
    ).toBe(1);
    expect(
      count(api, 'reception_socket_connections', { namespace: '/visitor' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      count(api, 'reception_socket_connections', { namespace: '/agent' }),
    ).toBeGreaterThanOrEqual(1);
    // The session was assigned by the worker's enqueue, at once: one observation there.
    const assigned = { kind: 'assigned' };
    const latency = 'reception_assignment_latency_seconds_count';
    expect(
      count(worker, latency, assigned) - count(workerBefore, latency, assigned),
    ).toBeGreaterThanOrEqual(1);

    // Node's own metrics on both, the Temporal SDK's worker metrics on the worker.
    for (const families of [api, worker]) {
      expect(families.has('process_cpu_user_seconds_total')).toBe(true);
      expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
    }
    const sdk = [...worker.keys()].filter((name) => name.startsWith('temporal_'));
    expect(sdk).toEqual(expect.arrayContaining(['temporal_workflow_task_execution_latency']));
    // The Grafana dashboard charts the SDK's metrics under the names it exports.
    const dashboard = readFileSync(
      join(__dirname, '..', '..', 'deploy', 'grafana', 'dashboards', 'reception-engine.json'),
      'utf8',
    );
    const charted = [...new Set(dashboard.match(/\btemporal_[a-z0-9_]+/g) ?? [])];
    expect(charted.length).toBeGreaterThan(2);
    expect(
      charted.map((name) => name.replace(/_bucket$/, '')).filter((n) => !worker.has(n)),
    ).toEqual([]);
    expect(api.has('reception_queue_waiting_sessions')).toBe(true);

    // Ids never become labels: not the tenant's, the session's, the visitor's or the agent's.
    const ids = [tenantId, session.sessionId, session.visitorId, session.agentId];
    for (const value of [...labelValues(api), ...labelValues(worker)]) {
      for (const id of ids) expect(value).not.toContain(id);
    }
  });

  it('when shoppers wait in a queue, then the queue gauges count them and how long the first has waited', async () => {
    const tenantId = await desk(engine, []);
    const waiting = async () => {
      const families = await scrape(apiMetricsUrl());
      return {
        sessions: sampleValue(families, 'reception_queue_waiting_sessions'),
        longest: sampleValue(families, 'reception_queue_longest_wait_seconds'),
      };
    };
    expect(await waiting()).toEqual({ sessions: 0, longest: 0 });
    const opened: string[] = [];
    for (const n of [1, 2]) {
      const answer = await postJson(engine.app, '/api/v1/sessions', {
        tenantId,
        visitor: signedVisitor(tenantId, uniqueId(`visitor${n}`)),
        channel: 'web',
        entry: { type: 'order', ref: 'o-1' },
      });
      opened.push(startedSession.parse(answer.body).sessionId);
    }
    await eventually(async () => {
      const queued = await collections(engine.db).sessions.countDocuments({
        tenantId,
        _id: { $in: opened },
        phase: 'queued',
      });
      return queued === 2 ? true : undefined;
    });
    const first = await waiting();
    expect(first.sessions).toBe(2);
    expect(first.longest).toBeGreaterThan(0);
    expect(first.longest).toBeLessThan(60);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const later = await waiting();
    expect(later.sessions).toBe(2);
    expect(later.longest).toBeGreaterThanOrEqual((first.longest ?? 0) + 1);
  });

  it('when a path names no route, then its requests count as unmatched, not under their URL', async () => {
    const path = `/no-such-page-${uniqueId('x')}`;
    expect((await fetch(`${engine.app.url}${path}`)).status).toBe(404);
    const api = await scrape(apiMetricsUrl());
    expect(
      count(api, 'reception_http_request_duration_seconds_count', {
        route: 'unmatched',
        status: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(labelValues(api).some((value) => value.includes(path))).toBe(false);
  });

  it('when `npm run worker` runs with WORKER_METRICS_PORT and TEMPORAL_METRICS_ADDRESS, then its /metrics has its own and the Temporal SDK worker metrics, and it logs JSON lines', async () => {
    const worker = await startWorkerProcess(engine.config, {
      WORKER_METRICS_PORT: '0',
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    try {
      const lines = worker
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const ready = lines.find((line) => line.message === 'worker ready');
      expect(ready).toMatchObject({ level: 'info', process: 'worker' });
      expect(typeof ready?.time).toBe('string');
      const port = Number(ready?.metricsPort);
      expect(port).toBeGreaterThan(0);
      const families = await eventually(async () => {
        const read = await scrape(`http://127.0.0.1:${port}/metrics`);
        // The SDK's exporter reports its worker's figures once the worker has polled.
        return read.has('temporal_worker_task_slots_available') ? read : undefined;
      });
      expect(families.has('reception_assignment_latency_seconds')).toBe(true);
      expect(families.has('reception_webhook_delivery_lag_seconds')).toBe(true);
      expect(families.has('process_resident_memory_bytes')).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await worker.kill();
    }
  });

  it('when a webhook receiver answers 2xx only after a while, then the worker’s delivery lag counts from the event, not from the last attempt', async () => {
    const world = await newWorld(engine);
    // Refused until 1.5 s after the status change (set below): the event is older than that when it lands.
    let refuseUntil = Number.POSITIVE_INFINITY;
    let answered = 0;
    const receiver = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const ok = Date.now() >= refuseUntil;
        if (ok) answered++;
        res.writeHead(ok ? 200 : 503).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      await callOk(engine.app, 'POST', '/api/v1/webhooks', {
        token: world.adminKey,
        body: { url: `http://127.0.0.1:${port}/hooks`, types: ['agent.status_changed'] },
      });
      const lag = async () => {
        const families = await scrape(workerMetricsUrl());
        return {
          count: sampleValue(families, 'reception_webhook_delivery_lag_seconds_count') ?? 0,
          sum: sampleValue(families, 'reception_webhook_delivery_lag_seconds_sum') ?? 0,
        };
      };
      const before = await lag();
      const agentId = await world.agent();
      await callOk(engine.app, 'PUT', `/api/v1/agents/${agentId}/status`, {
        token: world.adminKey,
        body: { status: 'online' },
      });
      refuseUntil = Date.now() + 1_500;
      await eventually(() => Promise.resolve(answered >= 1 ? true : undefined), 20_000);
      const after = await eventually(async () => {
        const read = await lag();
        return read.count > before.count ? read : undefined;
      });
      expect(after.count - before.count).toBe(1);
      // The event happened before the receiver's outage ended: at least about that long ago.
      expect(after.sum - before.sum).toBeGreaterThan(1);
      expect(after.sum - before.sum).toBeLessThan(30);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
