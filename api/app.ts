import { createServer, type Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { createAdapter } from '@socket.io/redis-adapter';
import express from 'express';
import { Server } from 'socket.io';
import swaggerUi from 'swagger-ui-express';
import { namespaces } from '../domain/rooms';
import type { ApiConfig } from '../runtime/config';
import {
  closeRedis,
  connectMongo,
  connectRedis,
  connectTemporal,
  publishingQuietly,
  watchForStalls,
} from '../runtime/connections';
import { createLogger, type Logger } from '../runtime/logger';
import { packageRoot } from '../runtime/package-root';
import { hubBroadcaster, localMessageDelivery } from '../messaging/broadcast';
import { messagePublisher, newOrigin, subscribeToMessages } from '../messaging/message-fanout';
import type { ChatDeps } from '../messaging/chat-deps';
import { sendRateLimiter } from '../messaging/rate-limit';
import { sessionLists } from '../messaging/session-lists';
import { turnTracker } from '../messaging/turns';
import { ensureIndexes } from '../stores/indexes';
import { wireEngine } from '../wiring/engine';
import { errorHandler } from './errors';
import { wireAgentNamespace, type AgentNamespace } from './gateway/agent-namespace';
import { wireVisitorNamespace, type VisitorNamespace } from './gateway/visitor-namespace';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { idempotencyStore } from '../stores/idempotency';
import { endpoints, type DeclaredRoute } from './http/endpoint';
import { listRoutes, type RouteInfo } from './http/route-list';
import { jsonBody, refuseMalformedPath, refuseQuery } from './http/transport';
import { buildOpenApiDocument, registerBasePaths } from './openapi';
import { accessRoutes } from './routes/access';
import { configRoutes } from './routes/config';
import { operationsRoutes } from './routes/operations';
import { routingConfigRoutes } from './routes/routing-config';
import { outreachRoutes } from './routes/outreach';
import { quickReplyRoutes } from './routes/quick-replies';
import { taggingRoutes } from './routes/tagging';
import { tagRoutes } from './routes/tags';
import { readinessCheck } from './readiness';
import { healthRoutes } from './routes/health';
import { customerSessionRoutes } from './routes/customer-sessions';
import { messageRoutes } from './routes/messages';
import { liveStatsRoutes } from './routes/live-stats';
import { sessionCommandRoutes } from './routes/session-commands';
import { sessionRoutes } from './routes/sessions';
import { staffAccessCheck, staffAccessChannel, subscribeToStaffAccess } from './auth/staff-access';
import { accessRevocation } from './auth/access-revocation';
import { loginThrottle } from './auth/login-throttle';
import { auditTrail } from './audit-trail';
import { auditRoutes } from './routes/audit';
import { staffAccountRoutes } from './routes/staff-accounts';
import { identityRoutes } from './routes/identity';
import { customerRoutes } from './routes/customers';
import { tenantSuspension } from './auth/tenant-suspension';
import { tenantDisconnector } from './gateway/disconnect-tenant';
import { customerDataRoutes } from './routes/customer-data';
import { retentionRoutes } from './routes/retention';
import { tenantRoutes } from './routes/tenants';
import { customerDataStore } from '../stores/customer-data';
import { webhookStore } from '../stores/webhooks';
import { eventFeed } from '../events/feed';
import { webhookRoutes } from './routes/webhooks';
import { eventRoutes } from './routes/events';
import { transcriptRoutes } from './routes/transcripts';

export interface App {
  http: HttpServer;
  io: Server;
  /** The bound port (useful with PORT=0 in tests). */
  port: number;
  url: string;
  /** Every method and path express answers, for the documentation check. */
  routes: () => RouteInfo[];
  /** The routes declared through `endpoints()`, with the schemas they validate with. */
  declaredRoutes: () => readonly DeclaredRoute[];
  close: () => Promise<void>;
}

const consoleDir = join(packageRoot(), 'console');

/**
 * The composition root of the API process: connects to the servers, builds
 * the stores and routing (wiring/engine.ts, as the worker does), wires REST
 * and socket.io, and listens. Entry points and tests call the same function.
 * Over 300 lines because it lists every route group with the dependencies it
 * gets, in one place; each group's behaviour lives in its own file.
 */
export async function createApp(
  config: ApiConfig,
  log: Logger = createLogger(config.LOG_LEVEL, { process: 'api' }),
): Promise<App> {
  const mongo = await connectMongo(config.MONGODB_URL, config.MONGODB_DATABASE);
  await ensureIndexes(mongo.db);
  const redis = await connectRedis(
    config.REDIS_URL,
    (error) => log.warn('redis unreachable; retrying', { error: error.message }),
    () => log.info('redis reachable again'),
  );
  // The socket.io adapter's clients; the main client above reports outages.
  const pub = redis.duplicate();
  const sub = redis.duplicate();
  pub.on('error', () => undefined);
  sub.on('error', () => undefined);
  await Promise.all([pub.connect(), sub.connect()]);
  // Publishes are not awaited, so on a stalled connection they would pile up unanswered.
  watchForStalls(pub, () => log.warn('redis stopped answering publishes; reconnecting'));
  const temporal = await connectTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);

  // The stores and the routing service, built as the worker builds them.
  const { stores, routing, signals } = wireEngine({
    db: mongo.db,
    redis,
    temporal: temporal.client,
    log,
  });

  const app = express();
  // Routes are added below; the server only calls the app per request.
  const http = createServer(app);
  // A frame a little above the largest valid message: bigger ones are dropped by socket.io itself.
  const io = new Server(http, {
    adapter: createAdapter(publishingQuietly(pub), sub),
    serveClient: true,
    maxHttpBufferSize: 64 * 1024,
  });
  // Messages: to this node's sockets at once, to the other nodes' with one publish.
  const origin = newOrigin();
  const deliverHere = localMessageDelivery(io);
  const publishMessage = messagePublisher(pub, origin);
  await subscribeToMessages(sub, origin, deliverHere);
  const broadcaster = hubBroadcaster(io, (message) => {
    deliverHere(message);
    publishMessage(message);
  });

  // Every tenant credential is checked against it (a 1 s per-process cache).
  const suspension = tenantSuspension(stores.tenants);
  // Staff tokens: every node refuses a revoked one at once (see api/auth/staff-access.ts).
  const staffAccess = staffAccessCheck({
    staff: stores.staff,
    publish: (payload) => pub.publish(staffAccessChannel, payload),
  });
  await subscribeToStaffAccess(sub, staffAccess);
  const revocation = accessRevocation({
    agents: io.of(namespaces.agent) as AgentNamespace,
    check: staffAccess,
  });
  const audit = auditTrail(stores.audit, log);

  const registry = new OpenAPIRegistry();
  registerBasePaths(registry);
  const api = endpoints({
    registry,
    auth: {
      apiKeys: stores.apiKeys,
      tokenSecret: config.TOKEN_SECRET,
      operatorToken: config.OPERATOR_TOKEN,
      staffAccess,
    },
    idempotency: idempotencyStore(mongo.db, config.IDEMPOTENCY_TTL_SECONDS),
    suspension,
  });
  accessRoutes(api, {
    tenants: stores.tenants,
    apiKeys: stores.apiKeys,
    staff: stores.staff,
    routing,
    agents: stores.agents,
    tokenSecret: config.TOKEN_SECRET,
    agentTokenTtlSeconds: config.AGENT_TOKEN_TTL_SECONDS,
    throttle: loginThrottle(redis, {
      perAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      perAddress: config.LOGIN_FAILURES_PER_ADDRESS,
      windowSeconds: config.LOGIN_WINDOW_SECONDS,
    }),
    audit,
    suspension,
  });
  routingConfigRoutes(api, {
    agents: stores.agents,
    staff: stores.staff,
    routing,
    flows: stores.flows,
    hours: stores.hours,
    sessions: stores.sessions,
    onAgentChanged: (tenantId) => broadcaster.statsChanged(tenantId, 'presence'),
    audit,
  });
  staffAccountRoutes(api, {
    temporal: temporal.client,
    sessions: stores.sessions,
    agents: stores.agents,
    seats: routing,
    staff: stores.staff,
    routing,
    quickReplies: stores.quickReplies,
    tickets: stores.tickets,
    revocation,
    audit,
    log,
    onAgentChanged: (tenantId) => broadcaster.statsChanged(tenantId, 'presence'),
  });
  auditRoutes(api, { audit: stores.audit });
  configRoutes(api, {
    flows: stores.flows,
    hours: stores.hours,
    faqs: stores.faqs,
    agents: stores.agents,
    audit,
  });
  operationsRoutes(api, {
    sessions: stores.sessions,
    tickets: stores.tickets,
    agents: stores.agents,
    tags: stores.tags,
  });
  sessionCommandRoutes(api, {
    temporal: temporal.client,
    sessions: stores.sessions,
    flows: stores.flows,
    tenants: stores.tenants,
    agents: stores.agents,
  });
  liveStatsRoutes(api, {
    agents: stores.agents,
    staff: stores.staff,
    sessions: stores.sessions,
    routing,
  });
  quickReplyRoutes(api, { quickReplies: stores.quickReplies, audit });
  tagRoutes(api, { tags: stores.tags, audit });
  taggingRoutes(api, { tags: stores.tags, sessions: stores.sessions });
  outreachRoutes(api, { sessions: stores.sessions, outreach: stores.outreach });
  customerSessionRoutes(api, { sessions: stores.sessions, tags: stores.tags });
  identityRoutes(api, { identity: stores.identity, audit });
  customerRoutes(api, {
    customers: stores.customers,
    sessions: stores.sessions,
    tags: stores.tags,
  });
  customerDataRoutes(api, {
    temporal: temporal.client,
    customers: customerDataStore(mongo.db),
    sessions: stores.sessions,
    routing,
    redis,
  });
  tenantRoutes(api, {
    temporal: temporal.client,
    db: mongo.db,
    redis,
    tenants: stores.tenants,
    sessions: stores.sessions,
    suspension,
    disconnect: tenantDisconnector(io),
    audit,
  });
  retentionRoutes(api, { tenants: stores.tenants, audit });
  webhookRoutes(api, {
    webhooks: webhookStore(mongo.db),
    audit,
    allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
  });
  eventRoutes(api, {
    feed: eventFeed(mongo.db, {
      settleMs: config.EVENT_SETTLE_MS,
      retentionDays: config.EVENT_RETENTION_DAYS,
    }),
  });
  transcriptRoutes(api, { sessions: stores.sessions, messages: stores.messages });

  app.disable('x-powered-by');
  // Whose X-Forwarded-For to believe: login throttling counts per client address (req.ip).
  app.set('trust proxy', config.TRUST_PROXY);
  // Before any route decodes its parameters: a malformed escape is named, not a 500.
  app.use(refuseMalformedPath(() => Object.keys(openApi.paths ?? {})));
  app.use(jsonBody());
  app.use(
    healthRoutes(
      readinessCheck(
        { temporal: temporal.connection, db: mongo.db, redis },
        config.READINESS_TIMEOUT_MS,
      ),
    ),
  );
  app.use(api.router);
  const openApi = buildOpenApiDocument(registry);
  app.get('/api/v1/openapi.json', refuseQuery, (_req, res) => {
    res.json(openApi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApi));
  app.use(
    sessionRoutes({
      temporal: temporal.client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      tenants: stores.tenants,
      sessions: stores.sessions,
      identity: stores.identity,
      customers: stores.customers,
      tags: stores.tags,
      tokenSecret: config.TOKEN_SECRET,
      visitorTokenTtlSeconds: config.VISITOR_TOKEN_TTL_SECONDS,
      visitorCredentialTtlSeconds: config.VISITOR_CREDENTIAL_TTL_DAYS * 86_400,
    }),
  );
  const chat: ChatDeps = {
    ...stores,
    broadcaster,
    lists: sessionLists({ ...stores, seats: routing, broadcaster }),
    turns: turnTracker(redis),
    signals,
    sendRate: sendRateLimiter(redis, {
      limit: config.VISITOR_SEND_LIMIT,
      windowMs: config.VISITOR_SEND_WINDOW_SECONDS * 1000,
    }),
    log,
  };
  app.use(messageRoutes({ tokenSecret: config.TOKEN_SECRET, chat, staffAccess, suspension }));
  app.use(express.static(consoleDir, { index: 'index.html' }));
  app.get('/', (_req, res) => {
    res.redirect('/visitor/');
  });
  app.use((req, res) => {
    res
      .status(404)
      .json({ error: { code: 'not_found', message: `No route for ${req.method} ${req.path}` } });
  });
  app.use(errorHandler(log));

  wireVisitorNamespace(io.of(namespaces.visitor) as VisitorNamespace, {
    tokenSecret: config.TOKEN_SECRET,
    chat,
    suspension,
  });
  wireAgentNamespace(io.of(namespaces.agent) as AgentNamespace, {
    tokenSecret: config.TOKEN_SECRET,
    chat,
    staffAccess,
    suspension,
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;

  return {
    http,
    io,
    port,
    url: `http://${host}:${port}`,
    routes: () => listRoutes(app.router),
    declaredRoutes: api.declared,
    close: async () => {
      revocation.stop();
      // io.close() also closes the HTTP server.
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await temporal.connection.close();
      await mongo.client.close();
      await Promise.all([sub, pub, redis].map(closeRedis));
    },
  };
}
