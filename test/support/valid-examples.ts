import { randomUUID } from 'node:crypto';
import { positionAt } from '../../events/feed';
import { replyAddress, replyToken } from '../../channels/email/reply-token';
import { testSecret } from './stack';
import type { Role } from '../../domain/access';
import type { World } from './validation-world';

/** One valid request to a route: the invalid cases are this with one thing wrong. */
export interface Example {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** What the valid request answers: it passed validation and reached the route's own logic. */
  answers: number;
}

/** A body the schema walk cannot produce: a rule across fields (a refinement) or another union branch. */
export interface BadBody {
  name: string;
  body: unknown;
  /** Field paths the 400 may name. */
  fields: string[];
}

export interface ExampleEntry {
  example: (world: World) => Example | Promise<Example>;
  alsoInvalid?: (valid: Example) => BadBody[];
  /** The role whose credential calls the route, where the world's first pick may not (a shopper's upload). */
  as?: Role;
  /**
   * A raw-body route's own refusals: a body its handler cannot read, and a
   * size over its limit (default: a mail route's, `invalid_mail` and 10 MB).
   */
  rawRefusals?: {
    unreadable: { body: string; status: number; code: string };
    tooLargeBytes: number;
  };
}

const asObject = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null ? { ...body } : {};

/** Auto-tag rules, which the tag schema checks across fields. */
const tagRules = (valid: Example): BadBody[] => {
  const tag = asObject(valid.body);
  return [
    { name: 'an auto tag without a rule', body: { ...tag, rule: undefined }, fields: ['rule'] },
    {
      name: 'a manual tag with a rule',
      body: { ...tag, kind: 'manual' },
      fields: ['rule'],
    },
    {
      name: 'an auto tag on customers',
      body: { ...tag, target: 'customer' },
      fields: ['target'],
    },
    { name: 'a rule with no condition', body: { ...tag, rule: {} }, fields: ['rule'] },
  ];
};

const sessionTag = async (w: World) => ({
  params: { sessionId: (await w.session()).sessionId, tagId: await w.tag('session') },
  answers: 200,
});
const customerTag = async (w: World) => ({
  params: { visitorId: (await w.session()).visitorId, tagId: await w.tag('customer') },
  answers: 200,
});
const ofSession = async (w: World) => ({ sessionId: (await w.session()).sessionId });
const customerTagByExternalId = async (w: World) => ({
  params: { visitorId: (await w.session()).visitorId, ...(await w.tagExternalId('customer')) },
  answers: 200,
});

const sessionTagByExternalId = async (w: World) => ({
  params: {
    sessionId: (await w.session()).sessionId,
    ...(await w.tagExternalId('session')),
  },
  answers: 200,
});

const autoTag = {
  name: 'Late order',
  target: 'session',
  kind: 'auto',
  visibility: 'supervisors',
  rule: { entryTypes: ['order'], channels: ['web'], visitorTags: ['vip'] },
};

/**
 * A valid request for every route that validates input, keyed `METHOD path`
 * as the route is declared. The validation suite fails for a route missing
 * here, so none escapes it.
 */
export const validExamples: Record<string, ExampleEntry> = {
  'POST /api/v1/tenants': {
    example: (w) => ({
      body: { tenantId: `${w.tenantId}-2`, name: 'Second shop' },
      answers: 201,
    }),
  },
  'POST /api/v1/api-keys': {
    example: () => ({ body: { name: 'ci', role: 'integration' }, answers: 201 }),
  },
  'DELETE /api/v1/api-keys/:keyId': {
    example: async (w) => ({ params: { keyId: await w.apiKey() }, answers: 200 }),
  },
  'POST /api/v1/auth/agent-login': {
    example: async (w) => ({
      body: { tenantId: w.tenantId, agentId: await w.agent(), password: w.password },
      answers: 200,
    }),
  },
  'GET /api/v1/groups/:groupId': {
    example: async (w) => ({ params: { groupId: await w.group() }, answers: 200 }),
  },
  'PUT /api/v1/groups/:groupId': {
    example: async (w) => ({
      params: { groupId: 'vip' },
      body: { strategy: 'round-robin', reserve: true, overflowGroupId: await w.group() },
      answers: 200,
    }),
  },
  'DELETE /api/v1/groups/:groupId': {
    example: async (w) => ({ params: { groupId: await w.group() }, answers: 204 }),
  },
  'GET /api/v1/agents/:agentId': {
    example: async (w) => ({ params: { agentId: await w.agent() }, answers: 200 }),
  },
  'PUT /api/v1/agents/:agentId': {
    example: async (w) => ({
      params: { agentId: 'bo' },
      body: {
        name: 'Bo',
        role: 'supervisor',
        capacity: 3,
        groups: [await w.group()],
        password: w.password,
      },
      answers: 200,
    }),
  },
  'PUT /api/v1/agents/:agentId/status': {
    example: async (w) => ({
      params: { agentId: await w.agent() },
      body: { status: 'away' },
      answers: 200,
    }),
  },
  'POST /api/v1/agents/:agentId/deactivate': {
    example: async (w) => ({ params: { agentId: await w.agent() }, answers: 200 }),
  },
  'POST /api/v1/agents/:agentId/activate': {
    example: async (w) => ({ params: { agentId: await w.agent() }, answers: 200 }),
  },
  'DELETE /api/v1/agents/:agentId': {
    example: async (w) => ({ params: { agentId: await w.agent() }, answers: 200 }),
  },
  'POST /api/v1/agents/:agentId/revoke-tokens': {
    example: async (w) => ({ params: { agentId: await w.agent() }, answers: 200 }),
  },
  'GET /api/v1/audit': {
    example: () => ({
      query: { limit: '10', action: 'agent.created', actor: 'ann' },
      answers: 200,
    }),
  },
  'PUT /api/v1/flow': {
    example: async (w) => ({
      body: {
        flow: {
          locale: 'en',
          robot: { handoverKeywords: ['agent'] },
          routing: {
            defaultGroupId: await w.group(),
            rules: [
              {
                when: { channels: ['web'], entryTypes: ['order'], anyTag: ['vip'] },
                groupId: await w.group(),
                priority: 5,
              },
            ],
          },
          leaveMessageForm: [{ name: 'phone', required: true }],
        },
        note: 'evening shift',
      },
      answers: 201,
    }),
  },
  'PATCH /api/v1/flow': {
    example: () => ({
      body: { flow: { timeouts: { idleWarnMs: 120_000 } }, note: 'slower idle warning' },
      answers: 201,
    }),
  },
  'GET /api/v1/flow/versions/:version': {
    example: () => ({ params: { version: '1' }, answers: 200 }),
  },
  'POST /api/v1/flow/rollback': {
    example: () => ({ body: { version: 1, note: 'back to the first' }, answers: 201 }),
  },
  'POST /api/v1/working-hours': {
    example: async (w) => ({
      body: {
        groupId: await w.group(),
        kind: 'reception',
        schedule: {
          timeZone: 'Asia/Shanghai',
          weekly: {
            mon: [
              { start: '09:00', end: '12:00' },
              { start: '13:00', end: '18:00' },
            ],
          },
          special: [
            { date: '2026-10-01', closed: true },
            { date: '2026-10-10', ranges: [{ start: '10:00', end: '16:00' }] },
          ],
        },
      },
      answers: 201,
    }),
    alsoInvalid: (valid) => {
      const body = asObject(valid.body);
      const schedule = asObject(body.schedule);
      const special = [{ date: '2026-10-01', closed: true }];
      return [
        {
          name: 'overlapping ranges on a weekday',
          body: {
            ...body,
            schedule: {
              ...schedule,
              weekly: {
                tue: [
                  { start: '09:00', end: '12:00' },
                  { start: '11:00', end: '14:00' },
                ],
              },
            },
          },
          fields: ['schedule.weekly.tue.1'],
        },
        {
          name: 'a special date listed twice',
          body: { ...body, schedule: { ...schedule, special: [...special, ...special] } },
          fields: ['schedule.special.1.date'],
        },
        {
          name: 'overlapping ranges on a special date',
          body: {
            ...body,
            schedule: {
              ...schedule,
              special: [
                {
                  date: '2026-10-10',
                  ranges: [
                    { start: '22:00', end: '02:00' },
                    { start: '23:00', end: '23:30' },
                  ],
                },
              ],
            },
          },
          fields: ['schedule.special.0.ranges.1', 'schedule.special.0'],
        },
      ];
    },
  },
  'GET /api/v1/working-hours/:groupId/:kind': {
    example: async (w) => ({ params: await w.schedule(), answers: 200 }),
  },
  'PUT /api/v1/working-hours/:groupId/:kind': {
    example: async (w) => ({
      params: await w.schedule(),
      body: {
        schedule: {
          timeZone: 'Europe/Berlin',
          weekly: { fri: [{ start: '22:00', end: '02:00' }] },
        },
      },
      answers: 200,
    }),
  },
  'DELETE /api/v1/working-hours/:groupId/:kind': {
    example: async (w) => ({ params: await w.schedule(), answers: 204 }),
  },
  'POST /api/v1/faqs': {
    example: () => ({
      body: {
        question: 'How long is shipping?',
        answer: 'Two days.',
        similar: ['Delivery time?'],
        keywords: ['shipping'],
      },
      answers: 201,
    }),
  },
  'POST /api/v1/faqs/import': {
    example: () => ({
      body: {
        format: 'json',
        entries: [{ question: 'Returns?', answer: 'Within 7 days.' }],
        onError: 'reject',
      },
      answers: 201,
    }),
    // The CSV branch of the union; the walk follows the JSON one the example takes.
    alsoInvalid: () => [
      { name: 'CSV without its text', body: { format: 'csv' }, fields: ['csv', '(body)'] },
      { name: 'CSV text empty', body: { format: 'csv', csv: '' }, fields: ['csv', '(body)'] },
      { name: 'CSV text not text', body: { format: 'csv', csv: 7 }, fields: ['csv', '(body)'] },
    ],
  },
  'GET /api/v1/faqs/:faqId': {
    example: async (w) => ({ params: { faqId: await w.faq() }, answers: 200 }),
  },
  'PUT /api/v1/faqs/:faqId': {
    example: async (w) => ({
      params: { faqId: await w.faq() },
      body: { question: 'Ship on Sunday?', answer: 'No.', similar: [], keywords: ['sunday'] },
      answers: 200,
    }),
  },
  'DELETE /api/v1/faqs/:faqId': {
    example: async (w) => ({ params: { faqId: await w.faq() }, answers: 204 }),
  },
  'GET /api/v1/sessions': {
    example: () => ({
      query: {
        phase: 'robot',
        agentId: 'ann',
        groupId: 'sales',
        visitorId: 'v-1',
        tag: 'vip',
        from: '2026-01-01T00:00:00Z',
        to: '2030-01-01T00:00:00+08:00',
        before: '2030-01-01T00:00:00Z',
        limit: '10',
      },
      answers: 200,
    }),
  },
  'GET /api/v1/sessions/:sessionId': {
    example: async (w) => ({ params: await ofSession(w), answers: 200 }),
  },
  'GET /api/v1/ratings': {
    example: () => ({
      query: {
        agentId: 'ann',
        groupId: 'sales',
        from: '2026-01-01T00:00:00Z',
        to: '2030-01-01T00:00:00Z',
        limit: '10',
      },
      answers: 200,
    }),
  },
  'GET /api/v1/tickets': {
    example: () => ({
      query: { status: 'open', assigneeId: 'ann', groupId: 'sales', limit: '10' },
      answers: 200,
    }),
  },
  'GET /api/v1/tickets/:ticketId': {
    example: async (w) => ({ params: { ticketId: await w.ticket() }, answers: 200 }),
  },
  'POST /api/v1/tickets/:ticketId/assign': {
    example: async (w) => ({
      params: { ticketId: await w.ticket() },
      body: { agentId: await w.agent() },
      answers: 200,
    }),
  },
  'POST /api/v1/tickets/:ticketId/resolve': {
    example: async (w) => ({
      params: { ticketId: await w.ticket() },
      body: { resolution: 'Called back' },
      answers: 200,
    }),
  },
  'GET /api/v1/customers/:visitorId/outreach': {
    example: async (w) => ({ params: { visitorId: (await w.session()).visitorId }, answers: 200 }),
  },
  'GET /api/v1/sessions/:sessionId/state': {
    example: async (w) => ({ params: await ofSession(w), answers: 200 }),
  },
  'POST /api/v1/sessions/:sessionId/human': {
    example: async (w) => ({ params: await ofSession(w), answers: 200 }),
  },
  'POST /api/v1/sessions/:sessionId/leave-message': {
    // The session is with the robot, so the workflow refuses: after validation.
    example: async (w) => ({
      params: await ofSession(w),
      body: {
        contact: {
          name: 'Lin',
          phone: '+86 138 0000 0000',
          email: 'lin@example.com',
          orderRef: 'o-1',
        },
        content: 'Please call me back',
      },
      answers: 409,
    }),
  },
  'POST /api/v1/sessions/:sessionId/rating': {
    example: async (w) => ({
      params: await ofSession(w),
      body: { score: 5, comment: 'Great' },
      answers: 409,
    }),
  },
  'POST /api/v1/sessions/:sessionId/rating-invite': {
    // The session is with the robot: the workflow refuses after validation.
    example: async (w) => ({ params: await ofSession(w), answers: 404 }),
  },
  'POST /api/v1/sessions/:sessionId/close': {
    example: async (w) => ({ params: await ofSession(w), answers: 200 }),
  },
  'POST /api/v1/sessions/:sessionId/offer/accept': {
    // Nothing was offered to the caller: refused after validation.
    example: async (w) => ({ params: await ofSession(w), answers: 403 }),
  },
  'POST /api/v1/sessions/:sessionId/offer/decline': {
    // Nothing was offered to the caller: refused after validation.
    example: async (w) => ({ params: await ofSession(w), answers: 403 }),
  },
  'GET /api/v1/sessions/:sessionId/notes': {
    example: async (w) => ({ params: await ofSession(w), answers: 200 }),
  },
  'POST /api/v1/sessions/:sessionId/notes': {
    // A supervisor writes notes in any session of the tenant.
    example: async (w) => ({
      params: await ofSession(w),
      body: { text: 'Asked twice about the refund', clientNoteId: 'note-1' },
      answers: 201,
    }),
  },
  'POST /api/v1/sessions/:sessionId/transfer': {
    example: async (w) => ({
      params: await ofSession(w),
      body: { toGroupId: await w.group(), note: 'Knows the order' },
      answers: 409,
    }),
    alsoInvalid: (valid) => [
      {
        name: 'both an agent and a group',
        body: { ...asObject(valid.body), toAgentId: 'ann' },
        fields: ['toAgentId'],
      },
      { name: 'neither an agent nor a group', body: { note: 'anyone' }, fields: ['toAgentId'] },
    ],
  },
  'POST /api/v1/sessions/:sessionId/assign': {
    // The session is with the robot, not queued: refused after validation.
    example: async (w) => ({
      params: await ofSession(w),
      body: { agentId: await w.agent(), force: false },
      answers: 409,
    }),
  },
  'POST /api/v1/sessions/:sessionId/supervisor-join': {
    // The session is with the robot: nobody to join yet, refused after validation.
    example: async (w) => ({ params: await ofSession(w), answers: 409 }),
  },
  'GET /api/v1/stats/live': {
    example: () => ({ query: { from: '2026-01-01T00:00:00Z' }, answers: 200 }),
  },
  'GET /api/v1/reports/summary': {
    example: async (w) => ({
      query: { from: '2026-03-01', to: '2026-03-31', groupId: await w.group(), format: 'json' },
      answers: 200,
    }),
  },
  'GET /api/v1/reports/agents': {
    example: async (w) => ({
      query: { from: '2026-03-01', to: '2026-03-31', agentId: await w.agent(), format: 'json' },
      answers: 200,
    }),
  },
  'GET /api/v1/reports/groups': {
    example: async (w) => ({
      query: { from: '2026-03-01', to: '2026-03-31', groupId: await w.group(), format: 'json' },
      answers: 200,
    }),
  },
  'GET /api/v1/reports/timeseries': {
    example: async (w) => ({
      query: {
        from: '2026-03-29',
        to: '2026-03-30',
        granularity: 'hour',
        agentId: await w.agent(),
        format: 'json',
      },
      answers: 200,
    }),
  },
  'GET /api/v1/reports/conversations.csv': {
    example: async (w) => ({
      query: { from: '2026-03-01', to: '2026-03-31', groupId: await w.group() },
      answers: 200,
    }),
  },
  'GET /api/v1/quick-replies': {
    example: () => ({
      query: { q: 'thanks', scope: 'tenant', limit: '10' },
      answers: 200,
    }),
  },
  'POST /api/v1/quick-replies': {
    example: () => ({ body: { shortcut: '/thanks', text: 'Thank you!' }, answers: 201 }),
  },
  'GET /api/v1/quick-replies/:quickReplyId': {
    example: async (w) => ({ params: { quickReplyId: await w.quickReply() }, answers: 200 }),
  },
  'PUT /api/v1/quick-replies/:quickReplyId': {
    example: async (w) => ({
      params: { quickReplyId: await w.quickReply() },
      body: { shortcut: '/bye', text: 'Goodbye!' },
      answers: 200,
    }),
  },
  'DELETE /api/v1/quick-replies/:quickReplyId': {
    example: async (w) => ({ params: { quickReplyId: await w.quickReply() }, answers: 204 }),
  },
  'POST /api/v1/tag-groups': {
    example: () => ({ body: { groupId: 'mood', name: 'Mood' }, answers: 201 }),
  },
  'PUT /api/v1/tag-groups/:groupId': {
    example: async (w) => ({
      params: { groupId: await w.tagGroup() },
      body: { name: 'Care' },
      answers: 200,
    }),
  },
  'DELETE /api/v1/tag-groups/:groupId': {
    example: async (w) => ({ params: { groupId: await w.tagGroup() }, answers: 204 }),
  },
  'GET /api/v1/tags': {
    example: async (w) => ({
      query: { target: 'session', groupId: await w.tagGroup() },
      answers: 200,
    }),
  },
  'POST /api/v1/tags': {
    example: async (w) => ({
      body: { tagId: 'late', groupId: await w.tagGroup(), ...autoTag },
      answers: 201,
    }),
    alsoInvalid: tagRules,
  },
  'GET /api/v1/tags/:tagId': {
    example: async (w) => ({ params: { tagId: await w.tag('session') }, answers: 200 }),
  },
  'PUT /api/v1/tags/:tagId': {
    example: async (w) => ({
      params: { tagId: await w.tag('session') },
      body: { groupId: await w.tagGroup(), ...autoTag },
      answers: 200,
    }),
    alsoInvalid: tagRules,
  },
  'DELETE /api/v1/tags/:tagId': {
    example: async (w) => ({ params: { tagId: await w.tag('session') }, answers: 204 }),
  },
  'GET /api/v1/customers/:visitorId/sessions': {
    example: async (w) => ({
      params: { visitorId: (await w.session()).visitorId },
      query: { before: '2030-01-01T00:00:00.000Z', limit: '10' },
      answers: 200,
    }),
  },
  'GET /api/v1/customers/:visitorId/tags': {
    example: async (w) => ({ params: { visitorId: (await w.session()).visitorId }, answers: 200 }),
  },
  'PUT /api/v1/customers/:visitorId/tags/:tagId': { example: customerTag },
  'DELETE /api/v1/customers/:visitorId/tags/:tagId': { example: customerTag },
  'PUT /api/v1/sessions/:sessionId/tags/:tagId': { example: sessionTag },
  'DELETE /api/v1/sessions/:sessionId/tags/:tagId': { example: sessionTag },
  'GET /api/v1/tags/:tagId/external-ids': {
    example: async (w) => ({ params: { tagId: await w.tag('customer') }, answers: 200 }),
  },
  'PUT /api/v1/tags/:tagId/external-ids/:platform': {
    example: async (w) => ({
      params: { tagId: await w.tag('session'), platform: 'crm' },
      body: { externalId: 'CRM-7' },
      answers: 200,
    }),
  },
  'DELETE /api/v1/tags/:tagId/external-ids/:platform': {
    example: async (w) => ({
      params: {
        tagId: await w.tag('customer'),
        platform: (await w.tagExternalId('customer')).platform,
      },
      answers: 204,
    }),
  },
  'GET /api/v1/tags/by-external-id/:platform/:externalId': {
    example: async (w) => ({ params: await w.tagExternalId('customer'), answers: 200 }),
  },
  'PUT /api/v1/customers/:visitorId/tags/by-external-id/:platform/:externalId': {
    example: customerTagByExternalId,
  },
  'DELETE /api/v1/customers/:visitorId/tags/by-external-id/:platform/:externalId': {
    example: customerTagByExternalId,
  },
  'PUT /api/v1/sessions/:sessionId/tags/by-external-id/:platform/:externalId': {
    example: sessionTagByExternalId,
  },
  'DELETE /api/v1/sessions/:sessionId/tags/by-external-id/:platform/:externalId': {
    example: sessionTagByExternalId,
  },
  'POST /api/v1/tags/external-assignments/import': {
    example: async (w) => {
      const { platform, externalId } = await w.tagExternalId('customer');
      const { visitorId } = await w.session();
      return {
        body: { platform, rows: [{ visitorId, externalId, action: 'add' }] },
        answers: 200,
      };
    },
  },
  'POST /api/v1/customers/:visitorId/outreach': {
    example: async (w) => ({
      params: { visitorId: (await w.session()).visitorId },
      body: { text: 'Your order has shipped' },
      answers: 201,
    }),
  },
  'GET /api/v1/customers/:visitorId/export': {
    example: async (w) => ({ params: { visitorId: (await w.session()).visitorId }, answers: 200 }),
  },
  'DELETE /api/v1/customers/:visitorId': {
    example: async (w) => ({ params: { visitorId: (await w.session()).visitorId }, answers: 200 }),
  },
  'PUT /api/v1/retention': { example: () => ({ body: { retentionDays: 30 }, answers: 200 }) },
  'PUT /api/v1/presence': {
    example: () => ({ body: { mode: 'manual', disconnectGraceSeconds: 30 }, answers: 200 }),
  },
  'GET /api/v1/tenants': { example: () => ({ query: { limit: '10' }, answers: 200 }) },
  'GET /api/v1/tenants/:tenantId': {
    example: (w) => ({ params: { tenantId: w.tenantId }, answers: 200 }),
  },
  'POST /api/v1/tenants/:tenantId/suspend': {
    example: (w) => ({ params: { tenantId: w.tenantId }, answers: 200 }),
  },
  'POST /api/v1/tenants/:tenantId/resume': {
    example: (w) => ({ params: { tenantId: w.tenantId }, answers: 200 }),
  },
  // An active tenant: the route refuses to delete it (suspend first).
  'DELETE /api/v1/tenants/:tenantId': {
    example: (w) => ({ params: { tenantId: w.tenantId }, answers: 409 }),
  },
  // Declared outside endpoints() (opening chat and the message resync), validated all the same.
  'POST /api/v1/sessions': {
    example: (w) => ({
      body: {
        tenantId: w.tenantId,
        visitor: { name: 'Lin', tags: ['vip'] },
        channel: 'web',
        entry: { type: 'product', ref: 'sku-1001' },
      },
      answers: 201,
    }),
  },
  'POST /api/v1/channels/api/sessions': {
    example: () => ({
      body: {
        shopper: { id: `app-${randomUUID()}`, name: 'Lin', email: 'lin@example.com' },
        entry: { type: 'order', ref: 'order-7' },
      },
      answers: 201,
    }),
  },
  'POST /api/v1/channels/api/messages': {
    example: () => ({
      body: {
        shopper: { id: `app-${randomUUID()}`, name: 'Lin' },
        messageId: 'app-msg-1',
        text: 'Where is my parcel?',
        entry: { type: 'logistics', ref: 'parcel-9' },
      },
      answers: 201,
    }),
  },
  'POST /api/v1/channels/email/inbound': {
    example: async (w) => {
      const { sessionId } = await w.session();
      const token = replyToken(testSecret, w.tenantId, { kind: 'session', sessionId }) ?? '';
      return {
        body: [
          'From: Lin <lin@example.com>',
          `To: ${replyAddress(token, 'localhost')}`,
          'Subject: Re: Your conversation with Shop',
          `Message-ID: <${randomUUID()}@mail.example.com>`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Is it waterproof?',
          '',
        ].join('\r\n'),
        answers: 201,
      };
    },
  },
  'PUT /api/v1/identity': {
    example: () => ({ body: { requireVerifiedIdentity: false }, answers: 200 }),
  },
  'DELETE /api/v1/identity/secrets/:secretId': {
    example: async (w) => ({
      params: { secretId: await w.previousIdentitySecret() },
      answers: 204,
    }),
  },
  'GET /api/v1/customers': {
    example: () => ({ query: { limit: '10' }, answers: 200 }),
  },
  'GET /api/v1/customers/:visitorId': {
    example: async (w) => ({ params: { visitorId: (await w.session()).visitorId }, answers: 200 }),
  },
  'PATCH /api/v1/customers/:visitorId': {
    example: async (w) => ({
      params: { visitorId: (await w.session()).visitorId },
      body: {
        name: 'Lin',
        email: 'lin@example.com',
        phone: '+86 138 0000 0000',
        attributes: { plan: 'gold', orders: 3 },
        externalIds: { crm: 'c-1' },
      },
      answers: 200,
    }),
  },
  'POST /api/v1/sessions/:sessionId/attachments': {
    as: 'visitor',
    example: async (w) => ({
      params: await ofSession(w),
      query: { kind: 'file', name: 'notes.txt' },
      body: 'Order 7 arrived with a cracked lid.\n',
      answers: 201,
    }),
    // Multipart is not used: the bytes are the body, what they are is in the query.
    rawRefusals: {
      unreadable: { body: '\u0000\u0001 no type', status: 415, code: 'unsupported_type' },
      // Over ATTACHMENT_MAX_FILE_BYTES's default (20 MiB).
      tooLargeBytes: 21_000_000,
    },
  },
  'GET /api/v1/sessions/:sessionId/attachments/:attachmentId': {
    example: async (w) => {
      const { sessionId, attachmentId } = await w.attachment();
      return { params: { sessionId, attachmentId }, answers: 200 };
    },
  },
  'GET /api/v1/attachments/:tenantId/:sessionId/:attachmentId': {
    example: async (w) => {
      const { url } = await w.attachment();
      const link = new URL(url, 'http://engine');
      const [tenantId = '', sessionId = '', attachmentId = ''] = link.pathname
        .split('/')
        .slice(4)
        .map(decodeURIComponent);
      return {
        params: { tenantId, sessionId, attachmentId },
        query: Object.fromEntries(link.searchParams),
        answers: 200,
      };
    },
  },
  'GET /api/v1/sessions/:sessionId/messages': {
    example: async (w) => ({
      params: await ofSession(w),
      query: { afterSeq: '0', limit: '10' },
      answers: 200,
    }),
  },
  'POST /api/v1/webhooks': {
    example: () => ({
      body: {
        url: 'https://hooks.example.com/reception',
        types: ['ticket.created', 'session.closed'],
        active: true,
        description: 'order system',
      },
      answers: 201,
    }),
  },
  'GET /api/v1/webhooks/:webhookId': {
    example: async (w) => ({ params: { webhookId: await w.webhook() }, answers: 200 }),
  },
  'PATCH /api/v1/webhooks/:webhookId': {
    example: async (w) => ({
      params: { webhookId: await w.webhook() },
      body: {
        url: 'https://hooks.example.com/v2',
        types: ['tag.added'],
        active: false,
        description: 'tags',
      },
      answers: 200,
    }),
  },
  'DELETE /api/v1/webhooks/:webhookId': {
    example: async (w) => ({ params: { webhookId: await w.webhook() }, answers: 204 }),
  },
  'POST /api/v1/webhooks/:webhookId/rotate-secret': {
    example: async (w) => ({ params: { webhookId: await w.webhook() }, answers: 200 }),
  },
  'GET /api/v1/webhooks/:webhookId/deliveries': {
    example: async (w) => ({
      params: { webhookId: await w.webhook() },
      query: { limit: '10', before: '2030-01-01T00:00:00Z' },
      answers: 200,
    }),
  },
  // The fixture webhook is off (see World.webhook): the route answers that it is not active.
  'POST /api/v1/webhooks/:webhookId/deliveries/:eventId/redeliver': {
    example: async (w) => ({ params: await w.webhookDelivery(), answers: 409 }),
  },
  'PUT /api/v1/bot-hook': {
    example: () => ({
      body: { url: 'https://bot.example.com/reception', timeoutMs: 3_000, active: true },
      answers: 201,
    }),
  },
  'PUT /api/v1/order-lookup-hook': {
    example: () => ({
      body: { url: 'https://shop.example.com/reception/orders', timeoutMs: 2_000, active: true },
      answers: 201,
    }),
  },
  'GET /api/v1/sessions/:sessionId/order-context': {
    example: async (w) => ({
      params: await ofSession(w),
      query: { refresh: 'true' },
      answers: 200,
    }),
  },
  'POST /api/v1/sessions/:sessionId/tickets': {
    example: async (w) => ({
      params: await ofSession(w),
      body: { content: 'Refund the second mug once it is back', assigneeId: await w.agent() },
      answers: 201,
    }),
  },
  // The world's session is still open: only ended chats are read here, so the valid request is a 404.
  'GET /api/v1/customers/:visitorId/sessions/:sessionId/messages': {
    example: async (w) => {
      const { visitorId, sessionId } = await w.session();
      return {
        params: { visitorId, sessionId },
        query: { afterSeq: '0', limit: '10' },
        answers: 404,
      };
    },
  },
  'GET /api/v1/events': {
    example: () => ({
      query: {
        after: positionAt(new Date('2026-01-01T00:00:00Z')),
        types: 'ticket.created,tag.added',
        limit: '10',
      },
      answers: 200,
    }),
  },
  'GET /api/v1/sessions/:sessionId/transcript': {
    example: async (w) => ({
      params: await ofSession(w),
      query: { afterSeq: '0', limit: '10' },
      answers: 200,
    }),
  },
};
