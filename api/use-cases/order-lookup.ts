import {
  orderLookupAnswerSchema,
  orderLookupLimits,
  type OrderContext,
  type OrderLookupRequest,
  type OrderUnavailableReason,
} from '../../domain/order-lookup';
import type { Entry } from '../../domain/session';
import { callBot, type BotCallResult } from '../../events/bot-call';
import type { IdentityKind } from '../../domain/identity';
import type { OrderContextCache } from '../../stores/order-context-cache';
import type { OrderLookupHookStore } from '../../stores/order-lookup-hooks';

export interface OrderLookupDeps {
  hooks: Pick<OrderLookupHookStore, 'get'>;
  cache: OrderContextCache;
  /** WEBHOOK_ALLOW_PRIVATE_ADDRESSES: the lookup follows the webhooks' address policy. */
  allowPrivateAddresses: boolean;
}

export interface LookupSubject {
  tenantId: string;
  sessionId: string;
  entry: Entry;
  customer: { id: string; identity: IdentityKind };
}

const party = { name: 'the order system', userAgent: 'ReceptionEngine-OrderLookup/1' };

/** Why a call failed, as the panel names it. */
function failureOf(result: Extract<BotCallResult, { ok: false }>): OrderUnavailableReason {
  if (result.refused) return 'refused';
  if (result.status !== undefined && result.status > 0) {
    // A 2xx cut off before its end (too long) is a wrong answer, not a failing system.
    return result.status >= 200 && result.status < 300 ? 'invalid_answer' : 'http_error';
  }
  return /timed out/.test(result.error) ? 'timeout' : 'unreachable';
}

/**
 * The orders an agent sees beside a chat: the cached answer for this
 * tenant, entry and customer if there is a fresh one, else one signed call
 * to the tenant's order system (no retry: an agent is waiting, and the
 * panel offers to ask again). Every way the call can go wrong ends as
 * `unavailable` with its reason; only a valid answer is cached.
 */
export async function lookUpOrders(
  deps: OrderLookupDeps,
  subject: LookupSubject,
  options: { refresh?: boolean } = {},
): Promise<OrderContext> {
  const { tenantId, sessionId, entry, customer } = subject;
  const hook = await deps.hooks.get(tenantId);
  if (!hook?.active) return { status: 'not_configured' };
  if (!options.refresh) {
    const cached = await deps.cache.get(tenantId, customer.id, entry);
    if (cached) return { status: 'available', ...cached, cached: true };
  }
  const request: OrderLookupRequest = {
    type: 'order.lookup',
    tenantId,
    sessionId,
    entry,
    customer,
    sentAt: new Date().toISOString(),
  };
  const result = await callBot({
    url: hook.url,
    secret: hook.secret,
    payload: JSON.stringify(request),
    timeoutMs: hook.timeoutMs,
    allowPrivate: deps.allowPrivateAddresses,
    maxBytes: orderLookupLimits.answerBytes,
    party,
  });
  if (!result.ok) {
    return { status: 'unavailable', reason: failureOf(result), message: result.error };
  }
  let json: unknown;
  try {
    json = JSON.parse(result.body);
  } catch {
    return {
      status: 'unavailable',
      reason: 'invalid_answer',
      message: 'the order system answered something that is not JSON',
    };
  }
  const answer = orderLookupAnswerSchema.safeParse(json);
  if (!answer.success) {
    const issue = answer.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the answer';
    return {
      status: 'unavailable',
      reason: 'invalid_answer',
      message: `the order system's answer is not valid: ${where}: ${issue?.message ?? 'unexpected shape'}`,
    };
  }
  const found = { orders: answer.data.orders, fetchedAt: new Date().toISOString() };
  await deps.cache.set(tenantId, customer.id, entry, found);
  return { status: 'available', ...found, cached: false };
}
