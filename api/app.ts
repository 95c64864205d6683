import { createServer, type Server as HttpServer } from 'node:http';
import { dirname, join } from 'node:path';
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
import { createMetrics } from '../runtime/metrics';
import { metricsText } from '../runtime/metrics-server';
import { watchQueueTotals } from '../wiring/queue-gauges';
import { noteRoute, requestContext } from './http/request-context';
import { observeSockets } from './gateway/socket-metrics';
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
import { agentPresence } from './gateway/agent-presence';
import { wireVisitorNamespace, type VisitorNamespace } from './gateway/visitor-namespace';
import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { idempotencyStore } from '../stores/idempotency';
import { endpoints, type DeclaredRoute } from './http/endpoint';
import { listRoutes, type RouteInfo } from './http/route-list';
import { jsonBody, refuseMalformedPath } from './http/transport';
import { buildOpenApiDocument, registerSecuritySchemes } from './openapi';
import { readinessCheck } from './readiness';
import { staffAccessCheck, staffAccessChannel, subscribeToStaffAccess } from './auth/staff-access';
import { accessRevocation } from './auth/access-revocation';
import { loginThrottle } from './auth/login-throttle';
import { auditTrail } from './audit-trail';
import { tenantSuspension } from './auth/tenant-suspension';
import { tenantDisconnector } from './gateway/disconnect-tenant';
import { agentAccountRoutes } from './routes/agent-accounts';
import { agentRoutes } from './routes/agents';
import { apiKeyRoutes } from './routes/api-keys';
import { auditRoutes } from './routes/audit';
import { authRoutes } from './routes/auth';
import { customerExportRoutes } from './routes/customer-export';
import { customerOutreachRoutes } from './routes/customer-outreach';
import { customerSessionRoutes } from './routes/customer-sessions';
import { customerTagRoutes } from './routes/customer-tags';
import { customerRoutes } from './routes/customers';
import { faqRoutes } from './routes/faqs';
import { flowRoutes } from './routes/flow';
import { groupRoutes } from './routes/groups';
import { healthRoutes } from './routes/health';
import { identityRoutes } from './routes/identity';
import { openApiRoutes } from './routes/openapi';
import { quickReplyRoutes } from './routes/quick-replies';
import { ratingRoutes } from './routes/ratings';
import { presenceRoutes } from './routes/presence';
import { retentionRoutes } from './routes/retention';
import { sessionCommandRoutes } from './routes/session-commands';
import { sessionSupervisionRoutes } from './routes/session-supervision';
import { sessionMessageRoutes } from './routes/session-messages';
import { sessionNoteRoutes } from './routes/session-notes';
import { sessionRoutes } from './routes/sessions';
import { apiChannelRoutes } from './routes/channel-api';
import { emailChannelRoutes } from './routes/channel-email';
import { sessionTagRoutes } from './routes/session-tags';
import { statsRoutes } from './routes/stats';
import { reportRoutes } from './routes/reports';
import { tagExternalIdRoutes } from './routes/tag-external-ids';
import { tagGroupRoutes } from './routes/tag-groups';
import { tagRoutes } from './routes/tags';
import { tenantRoutes } from './routes/tenants';
import { ticketRoutes } from './routes/tickets';
import { transferTargetRoutes } from './routes/transfer-targets';
import { workingHoursRoutes } from './routes/working-hours';
import { customerDataStore } from '../stores/customer-data';
import { webhookStore } from '../stores/webhooks';
import { eventFeed } from '../events/feed';
import { webhookRoutes } from './routes/webhooks';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries';
import { botHookRoutes } from './routes/bot-hook';
import { eventRoutes } from './routes/events';
import { transcriptRoutes } from './routes/transcripts';
import { orderLookupHookRoutes } from './routes/order-lookup-hook';
import { orderContextRoutes } from './routes/order-context';
import { sessionTicketRoutes } from './routes/session-tickets';
import { earlierChatRoutes } from './routes/earlier-chats';
import { orderContextCache } from '../stores/order-context-cache';
import { orderLookupLimits } from '../domain/order-lookup';
import { attachmentRoutes } from './routes/attachments';
import { linkKey, linkSigner } from '../messaging/attachment-links';
import { attachmentStore } from '../stores/attachments';
import { gridFsBlobs } from '../stores/attachment-blobs';

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
/** uPlot's dist/ (its main file lives there): only that folder is served. */
const uplotDist = dirname(require.resolve('uplot'));

/**
 * The composition root of the API process (over ~300 lines because it is the
 * one list of everything the process wires: one line per route resource and
 * per socket namespace): connects to the servers, builds
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

  // This engine's Prometheus metrics (a registry per app: tests start several in one process).
  const metrics = createMetrics('api');
  watchQueueTotals(metrics, { db: mongo.db, redis, log });

  // The stores and the routing service, built as the worker builds them.
  const { stores, routing, signals } = wireEngine({
    db: mongo.db,
    redis,
    temporal: temporal.client,
    log,
    metrics,
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
  registerSecuritySchemes(registry);
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
  /**
   * Agents' status or capacity changed: supervisors' monitors re-read, and
   * each named agent's own sockets (every tab, every node) hear its status
   * now, read back so a later change is never overtaken by an earlier one.
   */
  const onAgentChanged = (tenantId: string, agentIds: readonly string[] = []) => {
    broadcaster.statsChanged(tenantId, 'presence');
    for (const agentId of agentIds) {
      stores.agents.getAgent(tenantId, agentId).then(
        (doc) => {
          if (!doc) return;
          broadcaster.agentStatus(tenantId, agentId, {
            status: doc.status,
            ...(doc.statusReason ? { reason: doc.statusReason } : {}),
          });
        },
        (error: unknown) =>
          log.warn('agent status notice failed', { tenantId, agentId, error: String(error) }),
      );
    }
  };
  // Attachments: records in MongoDB, bytes in GridFS (stores/attachment-blobs.ts), links signed.
  const links = linkSigner(
    linkKey(config.TOKEN_SECRET, config.ATTACHMENT_LINK_SECRET),
    config.ATTACHMENT_LINK_TTL_SECONDS,
  );
  const attachments = attachmentStore(mongo.db);
  const chat: ChatDeps = {
    ...stores,
    attachments,
    links,
    broadcaster,
    lists: sessionLists({ ...stores, broadcaster }),
    turns: turnTracker(redis),
    signals,
    sendRate: sendRateLimiter(redis, {
      limit: config.VISITOR_SEND_LIMIT,
      windowMs: config.VISITOR_SEND_WINDOW_SECONDS * 1000,
    }),
    log,
  };

  // One line per URL resource (api/routes/<resource>.ts); opening chat's POST comes
  // before the session search, so the document lists /api/v1/sessions as post, get.
  const { sessions, tags, agents, staff, tenants } = stores;
  const customerData = customerDataStore(mongo.db);
  const readiness = { temporal: temporal.connection, db: mongo.db, redis };
  healthRoutes(api, readinessCheck(readiness, config.READINESS_TIMEOUT_MS));
  openApiRoutes(api, () => openApi);
  tenantRoutes(api, {
    temporal: temporal.client,
    db: mongo.db,
    redis,
    tenants,
    sessions,
    suspension,
    disconnect: tenantDisconnector(io),
    apiKeys: stores.apiKeys,
    agents,
    routing,
    audit,
  });
  apiKeyRoutes(api, { apiKeys: stores.apiKeys, audit });
  authRoutes(api, {
    staff,
    tokenSecret: config.TOKEN_SECRET,
    agentTokenTtlSeconds: config.AGENT_TOKEN_TTL_SECONDS,
    throttle: loginThrottle(redis, {
      perAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      perAddress: config.LOGIN_FAILURES_PER_ADDRESS,
      windowSeconds: config.LOGIN_WINDOW_SECONDS,
    }),
    suspension,
    revocation,
  });
  groupRoutes(api, { agents, routing, flows: stores.flows, hours: stores.hours, sessions, audit });
  agentRoutes(api, { agents, staff, routing, onAgentChanged, audit });
  agentAccountRoutes(api, {
    temporal: temporal.client,
    sessions,
    agents,
    seats: routing,
    staff,
    routing,
    quickReplies: stores.quickReplies,
    tickets: stores.tickets,
    revocation,
    audit,
    log,
    onAgentChanged,
  });
  auditRoutes(api, { audit: stores.audit });
  flowRoutes(api, { flows: stores.flows, agents, audit });
  workingHoursRoutes(api, { hours: stores.hours, agents, audit });
  faqRoutes(api, { faqs: stores.faqs, audit });
  const start = {
    temporal: temporal.client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    tenants,
    sessions,
    identity: stores.identity,
    customers: stores.customers,
    tags,
    tokenSecret: config.TOKEN_SECRET,
    visitorTokenTtlSeconds: config.VISITOR_TOKEN_TTL_SECONDS,
    visitorCredentialTtlSeconds: config.VISITOR_CREDENTIAL_TTL_DAYS * 86_400,
  };
  sessionRoutes(api, { start, sessions, tags });
  apiChannelRoutes(api, { start, chat });
  emailChannelRoutes(api, {
    start,
    chat,
    tickets: stores.tickets,
    temporal: temporal.client,
    tokenSecret: config.TOKEN_SECRET,
    log,
  });
  sessionCommandRoutes(api, { temporal: temporal.client, sessions, agents });
  sessionSupervisionRoutes(api, { sessions, agents, routing, flows: stores.flows, chat });
  sessionMessageRoutes(api, { chat });
  sessionNoteRoutes(api, { ...stores, broadcaster });
  attachmentRoutes(api, {
    sessions,
    attachments,
    blobs: gridFsBlobs(mongo.db),
    links,
    limits: {
      image: config.ATTACHMENT_MAX_IMAGE_BYTES,
      video: config.ATTACHMENT_MAX_VIDEO_BYTES,
      file: config.ATTACHMENT_MAX_FILE_BYTES,
    },
  });
  ratingRoutes(api, { sessions });
  ticketRoutes(api, { tickets: stores.tickets, agents });
  sessionTicketRoutes(api, {
    sessions,
    tickets: stores.tickets,
    customers: stores.customers,
    messages: stores.messages,
    agents,
  });
  transferTargetRoutes(api, { agents, staff, sessions, routing });
  statsRoutes(api, { agents, staff, sessions, routing, db: mongo.db });
  reportRoutes(api, { db: mongo.db, agents });
  quickReplyRoutes(api, { quickReplies: stores.quickReplies, audit });
  tagGroupRoutes(api, { tags, audit });
  tagRoutes(api, { tags, audit });
  sessionTagRoutes(api, { tags, sessions });
  customerTagRoutes(api, { tags, sessions });
  tagExternalIdRoutes(api, { tags, sessions, audit });
  customerRoutes(api, {
    customers: stores.customers,
    sessions,
    tags,
    erase: { temporal: temporal.client, customers: customerData, sessions, routing, redis },
  });
  customerSessionRoutes(api, { sessions, tags });
  earlierChatRoutes(api, { sessions, messages: stores.messages });
  customerOutreachRoutes(api, { sessions, outreach: stores.outreach });
  customerExportRoutes(api, { customers: customerData });
  identityRoutes(api, { identity: stores.identity, audit });
  retentionRoutes(api, { tenants, audit });
  presenceRoutes(api, { tenants, routing, audit });
  const webhooks = webhookStore(mongo.db);
  webhookRoutes(api, {
    webhooks,
    audit,
    allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
  });
  webhookDeliveryRoutes(api, { webhooks });
  botHookRoutes(api, {
    botHooks: stores.botHooks,
    audit,
    allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
  });
  eventRoutes(api, {
    feed: eventFeed(mongo.db, {
      settleMs: config.EVENT_SETTLE_MS,
      retentionDays: config.EVENT_RETENTION_DAYS,
    }),
  });
  transcriptRoutes(api, { sessions, messages: stores.messages });
  orderLookupHookRoutes(api, {
    orderLookupHooks: stores.orderLookupHooks,
    audit,
    allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
  });
  orderContextRoutes(api, {
    sessions,
    customers: stores.customers,
    lookup: {
      hooks: stores.orderLookupHooks,
      cache: orderContextCache(redis, orderLookupLimits.cacheSeconds),
      allowPrivateAddresses: config.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    },
  });

  app.disable('x-powered-by');
  // Whose X-Forwarded-For to believe: login throttling counts per client address (req.ip).
  app.set('trust proxy', config.TRUST_PROXY);
  // First: every request gets its id, its logger, its access line and its duration metric.
  app.use(requestContext({ log, metrics }));
  // For Prometheus, beside /healthz: no tenant data, and no label names one.
  app.get('/metrics', (req, res, next) => {
    noteRoute(req, '/metrics');
    metricsText(metrics.registry).then(
      (text) => res.type(metrics.registry.contentType).send(text),
      next,
    );
  });
  // Before any route decodes its parameters: a malformed escape is named, not a 500.
  app.use(refuseMalformedPath(() => Object.keys(openApi.paths ?? {})));
  app.use(jsonBody());
  app.use(api.router);
  const openApi = buildOpenApiDocument(registry);
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApi));
  app.use(express.static(consoleDir, { index: 'index.html' }));
  // The reports page's chart library, from its npm package (pinned in package.json), not a CDN.
  app.use('/vendor/uplot', express.static(uplotDist));
  app.get('/', (_req, res) => {
    res.redirect('/visitor/');
  });
  app.use((req, res) => {
    res
      .status(404)
      .json({ error: { code: 'not_found', message: `No route for ${req.method} ${req.path}` } });
  });
  app.use(errorHandler(log));

  observeSockets(io.of(namespaces.visitor), metrics);
  observeSockets(io.of(namespaces.agent), metrics);
  wireVisitorNamespace(io.of(namespaces.visitor) as VisitorNamespace, {
    tokenSecret: config.TOKEN_SECRET,
    chat,
    suspension,
  });
  const presence = agentPresence({
    presence: routing.presence,
    log,
    heartbeatMs: config.PRESENCE_HEARTBEAT_MS,
    onChanged: onAgentChanged,
  });
  wireAgentNamespace(io.of(namespaces.agent) as AgentNamespace, {
    tokenSecret: config.TOKEN_SECRET,
    chat,
    staffAccess,
    suspension,
    presence,
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
      // The closed sockets' presence writes go out before Redis closes.
      await presence.stop();
      await temporal.connection.close();
      await mongo.client.close();
      await Promise.all([sub, pub, redis].map(closeRedis));
    },
  };
}
