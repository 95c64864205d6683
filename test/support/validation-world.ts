import type { App } from '../../api/app';
import { startedSession } from '../../api/openapi';
import { attachmentInfo, createdApiKey, faqView, quickReplyView } from '../../api/views';
import type { Role } from '../../domain/access';
import { issueAgentToken } from '../../runtime/tokens';
import { collections } from '../../stores/collections';
import { ticketStore } from '../../stores/tickets';
import { webhookStore } from '../../stores/webhooks';
import { createdWebhook } from '../../api/views';
import { positionAt } from '../../events/feed';
import { call, operatorTenant, testOperatorToken } from './api-client';
import { eventually, type TestEngine } from './engine';
import { testSecret } from './stack';

export interface OpenSession {
  sessionId: string;
  visitorId: string;
  visitorToken: string;
  workflowId: string;
}

/**
 * One tenant and the things a route's valid example may refer to, each made
 * on first use (through the API where it has a route for it), so a test pays
 * only for what its route needs and shares nothing with other tests.
 */
export interface World {
  tenantId: string;
  adminKey: string;
  /** A credential the route admits, admin first; none for a public route. */
  credential: (roles: readonly Role[] | 'public') => Promise<string | undefined>;
  /** An open chat session, past its greeting. */
  session: () => Promise<OpenSession>;
  /** A text file the shopper uploaded to their session: its ids and its signed link. */
  attachment: () => Promise<{ sessionId: string; attachmentId: string; url: string }>;
  /** An agent group `sales`. */
  group: () => Promise<string>;
  /** An agent of `sales` who can log in with `password`. */
  agent: () => Promise<string>;
  password: string;
  /** The id of an integration API key. */
  apiKey: () => Promise<string>;
  /** The default (`*`) reception schedule. */
  schedule: () => Promise<{ groupId: string; kind: string }>;
  faq: () => Promise<string>;
  quickReply: () => Promise<string>;
  tagGroup: () => Promise<string>;
  tag: (target: 'customer' | 'session') => Promise<string>;
  /** The customer or session tag's id on platform `erp`. */
  tagExternalId: (
    target: 'customer' | 'session',
  ) => Promise<{ platform: string; externalId: string }>;
  /** An open leave-message ticket of the session's visitor. */
  ticket: () => Promise<string>;
  /** The id of a previous (replaced, still valid) identity secret. */
  previousIdentitySecret: () => Promise<string>;
  /** Workflows whose history counts as the tenant's stored state. */
  workflowIds: () => string[];
  /**
   * A webhook subscription, turned off: an active one would have the worker
   * lease it now and then, a write between two cases.
   */
  webhook: () => Promise<string>;
  /** A logged delivery of that (inactive) webhook. */
  webhookDelivery: () => Promise<{ webhookId: string; eventId: string }>;
}

const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};

/** Roles in the order a credential is picked: admins can call the most routes. */
const preference: readonly Role[] = [
  'admin',
  'operator',
  'supervisor',
  'agent',
  'visitor',
  'integration',
];

export async function newWorld(engine: TestEngine): Promise<World> {
  const app: App = engine.app;
  const { tenantId, adminKey } = await operatorTenant(app);
  // Tenant creation wrote the routing epoch, so the worker's upkeep writes
  // nothing that could land between two cases and pass for a write of theirs.
  const workflowIds: string[] = [];
  const password = 'correct horse battery';

  /** A call that must succeed: fixtures that fail to appear would make every case meaningless. */
  async function made(method: string, path: string, body?: unknown): Promise<unknown> {
    const answer = await call(app, method, path, { token: adminKey, body });
    if (answer.status >= 300) {
      throw new Error(
        `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    return answer.body;
  }

  const session = once(async () => {
    // An anonymous shopper: the engine makes the visitor id.
    const answer = await call(app, 'POST', '/api/v1/sessions', {
      body: { tenantId, channel: 'web', entry: { type: 'order' } },
    });
    const started = startedSession.parse(answer.body);
    const { visitorId } = started;
    workflowIds.push(started.workflowId);
    const { sessions, messages } = collections(engine.db);
    // Past the greeting: the workflow then waits for the shopper and writes nothing.
    await eventually(async () =>
      (await sessions.findOne({ _id: started.sessionId, tenantId })) &&
      (await messages.countDocuments({ tenantId, sessionId: started.sessionId })) > 0
        ? true
        : undefined,
    );
    return { ...started, visitorId };
  });

  const attachment = once(async () => {
    const { sessionId, visitorToken } = await session();
    const response = await fetch(
      `${app.url}/api/v1/sessions/${sessionId}/attachments?kind=file&name=notes.txt`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          authorization: `Bearer ${visitorToken}`,
        },
        body: 'Order 7 arrived with a cracked lid.\n',
      },
    );
    if (response.status !== 201) throw new Error(`upload answered ${response.status}`);
    const { id, url } = attachmentInfo.parse(await response.json());
    // The upload's session check filled the facts cache (5 s): let it lapse, so the cases start quiet.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    return { sessionId, attachmentId: id, url };
  });

  const group = once(async () => {
    await made('PUT', '/api/v1/groups/sales', {});
    return 'sales';
  });

  const agent = once(async () => {
    await group();
    await made('PUT', '/api/v1/agents/ann', { capacity: 2, groups: ['sales'], password });
    return 'ann';
  });

  const webhook = once(async () => {
    const body = await made('POST', '/api/v1/webhooks', {
      url: 'https://hooks.example.com/reception',
      types: ['ticket.created'],
      active: false,
    });
    return createdWebhook.parse(body).webhookId;
  });

  const tagGroup = once(async () => {
    await made('POST', '/api/v1/tag-groups', { groupId: 'service', name: 'Service' });
    return 'service';
  });

  const tags = {
    customer: once(async () => {
      await made('POST', '/api/v1/tags', {
        tagId: 'vip',
        groupId: await tagGroup(),
        name: 'VIP',
        target: 'customer',
      });
      return 'vip';
    }),
    session: once(async () => {
      await made('POST', '/api/v1/tags', {
        tagId: 'refund',
        groupId: await tagGroup(),
        name: 'Refund',
        target: 'session',
      });
      return 'refund';
    }),
  };
  const externalIds = {
    customer: once(async () => mapOnErp(await tags.customer(), 'ERP-VIP')),
    session: once(async () => mapOnErp(await tags.session(), 'ERP-REFUND')),
  };
  async function mapOnErp(tagId: string, externalId: string) {
    await made('PUT', `/api/v1/tags/${tagId}/external-ids/erp`, { externalId });
    return { platform: 'erp', externalId };
  }

  async function credential(roles: readonly Role[] | 'public'): Promise<string | undefined> {
    if (roles === 'public') return undefined;
    const role = preference.find((r) => roles.includes(r));
    switch (role) {
      case 'admin':
        return adminKey;
      case 'operator':
        return testOperatorToken;
      case 'supervisor':
      case 'agent':
        return issueAgentToken(testSecret, { tenantId, agentId: 'sue', role }, 3_600).token;
      case 'visitor':
        return (await session()).visitorToken;
      default:
        throw new Error(`no credential for roles ${roles.join(', ')}`);
    }
  }

  return {
    tenantId,
    adminKey,
    password,
    credential,
    session,
    attachment,
    group,
    agent,
    apiKey: once(async () => {
      const body = await made('POST', '/api/v1/api-keys', { name: 'erp', role: 'integration' });
      return createdApiKey.parse(body).keyId;
    }),
    schedule: once(async () => {
      await made('POST', '/api/v1/working-hours', {
        schedule: {
          timeZone: 'Asia/Shanghai',
          weekly: { mon: [{ start: '09:00', end: '18:00' }] },
        },
      });
      return { groupId: '*', kind: 'reception' };
    }),
    faq: once(async () => {
      const body = await made('POST', '/api/v1/faqs', { question: 'Ship?', answer: 'Daily.' });
      return faqView.parse(body).id;
    }),
    quickReply: once(async () => {
      const body = await made('POST', '/api/v1/quick-replies', { shortcut: '/hi', text: 'Hi!' });
      return quickReplyView.parse(body).id;
    }),
    tagGroup,
    tag: (target) => tags[target](),
    tagExternalId: (target) => externalIds[target](),
    ticket: once(async () => {
      const { sessionId, visitorId } = await session();
      return ticketStore(engine.db).open(tenantId, sessionId, visitorId, undefined, {
        contact: { phone: '+86 138 0000 0000' },
        content: 'Call me back',
      });
    }),
    previousIdentitySecret: once(async () => {
      const rotate = async () =>
        ((await made('POST', '/api/v1/identity/secrets')) as { secretId: string }).secretId;
      const previous = await rotate();
      await rotate();
      return previous;
    }),
    workflowIds: () => [...workflowIds],
    webhook,
    webhookDelivery: once(async () => {
      const webhookId = await webhook();
      const eventId = 'evt_example';
      await webhookStore(engine.db).ensureDelivery({
        tenantId,
        webhookId,
        eventId,
        eventType: 'ticket.created',
        position: positionAt(new Date()),
        payload: '{}',
      });
      return { webhookId, eventId };
    }),
  };
}
