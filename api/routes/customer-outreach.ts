import { z } from 'zod';
import { roles } from '../../domain/access';
import { outreachDecision } from '../../domain/outreach';
import { opaqueId } from '../../domain/session';
import type { OutreachStore } from '../../stores/outreach';
import type { SessionStore } from '../../stores/sessions';
import { tenantOf } from '../auth/authenticate';
import { AppError } from '../errors';
import type { endpoints } from '../http/endpoint';
import { outreachOpened, outreachView, toOutreachOpened } from '../views';

export interface CustomerOutreachDeps {
  sessions: SessionStore;
  outreach: OutreachStore;
  now?: () => Date;
}

/**
 * `/api/v1/customers/:visitorId/outreach`: proactive outreach (主动触达),
 * whether it is allowed and opening it. Opening a conversation here means
 * recording the agent's first message for the customer, once the 3-day rule
 * allows it; the customer's next session opens with it (see
 * deliver-outreach). No session workflow starts on the merchant's side: a
 * session is the shopper's live chat, and the customer may be offline, so its
 * robot and idle timers would run at nobody.
 */
export function customerOutreachRoutes(
  api: ReturnType<typeof endpoints>,
  deps: CustomerOutreachDeps,
) {
  const now = deps.now ?? (() => new Date());
  api.add({
    method: 'get',
    path: '/api/v1/customers/:visitorId/outreach',
    tag: 'outreach',
    summary: 'May we message this customer first? Only within 3 days of their last consultation',
    roles: roles.staff,
    params: z.strictObject({ visitorId: opaqueId }),
    responses: {
      200: { description: 'Outreach is allowed until `allowedUntil`', schema: outreachView },
    },
    errors: { 403: 'Outreach is not allowed; `code` and `message` give the reason' },
    async handle({ params, principal }) {
      const [last] = await deps.sessions.search(
        tenantOf(principal),
        { visitorId: params.visitorId },
        1,
      );
      const decision = outreachDecision(last?.startedAt, now());
      if (!decision.allowed) throw new AppError(403, decision.reason, decision.message);
      return {
        status: 200,
        body: {
          allowed: true,
          lastConsultationAt: decision.lastConsultationAt.toISOString(),
          allowedUntil: decision.allowedUntil.toISOString(),
        },
      };
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/customers/:visitorId/outreach',
    tag: 'outreach',
    summary:
      'Open a conversation with a customer: the agent’s first message, allowed only within 3 days of their last consultation',
    roles: ['agent', 'supervisor'],
    params: z.strictObject({ visitorId: opaqueId }),
    body: z.strictObject({ text: z.string().trim().min(1).max(2_000) }),
    responses: {
      201: {
        description: 'Recorded; the customer’s next session opens with this message',
        schema: outreachOpened,
      },
    },
    errors: { 403: 'Outreach is not allowed; `code` and `message` give the reason' },
    async handle({ params, body, principal }) {
      // Roles above admit agent tokens only, which always name a tenant and an agent.
      if (principal?.role !== 'agent' && principal?.role !== 'supervisor') {
        throw new AppError(403, 'forbidden', 'Outreach is sent by an agent');
      }
      const { tenantId, agentId } = principal;
      const [last] = await deps.sessions.search(tenantId, { visitorId: params.visitorId }, 1);
      const decision = outreachDecision(last?.startedAt, now());
      if (!decision.allowed) throw new AppError(403, decision.reason, decision.message);
      const doc = await deps.outreach.add({
        tenantId,
        visitorId: params.visitorId,
        agentId,
        text: body.text,
        lastConsultationAt: decision.lastConsultationAt,
        allowedUntil: decision.allowedUntil,
      });
      return {
        status: 201,
        body: toOutreachOpened(doc),
      };
    },
  });
}
