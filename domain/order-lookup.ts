import { z } from 'zod';
import type { Entry } from './session';

/**
 * The order lookup hook: when an agent opens a chat, the console's customer
 * panel asks the tenant's own order system what the shopper's order (or the
 * orders around the product the chat was opened from) looks like. The engine
 * POSTs the session's entry and the customer id to the tenant's URL, signed
 * as webhooks are, validates the answer here, caches it a short while, and
 * shows the order lines beside the chat. A slow, failing or wrong answer is
 * "order details unavailable" with its reason, never an error of the engine
 * (docs/order-lookup.md).
 */

export const orderLookupLimits = {
  /** The order system's deadline per lookup. */
  timeoutMs: { min: 500, max: 10_000, default: 2_000 },
  /** Bytes of an answer body read; a longer one is refused as it arrives. */
  answerBytes: 256 * 1024,
  /** Orders an answer may carry, and lines per order. */
  orders: 20,
  lines: 100,
  /** How long an answer is reused for the same tenant, entry and customer. */
  cacheSeconds: 60,
} as const;

/** What an admin sets (the URL is checked against the address policy by the route). */
export const orderLookupSettingsSchema = z.strictObject({
  url: z.string().min(1).max(2_000),
  timeoutMs: z
    .number()
    .int()
    .min(orderLookupLimits.timeoutMs.min)
    .max(orderLookupLimits.timeoutMs.max)
    .default(orderLookupLimits.timeoutMs.default)
    .meta({
      description: `The order system's deadline per lookup (${orderLookupLimits.timeoutMs.min}–${orderLookupLimits.timeoutMs.max} ms); past it the panel shows the order details as unavailable`,
    }),
  active: z.boolean().default(true),
});
export type OrderLookupSettings = z.output<typeof orderLookupSettingsSchema>;

/** http(s) only: the console shows these as links and pictures, so no `javascript:` or `data:`. */
const webUrl = z
  .string()
  .max(2_048)
  .refine(
    (value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s) URL' },
  );
const label = (max: number) => z.string().trim().min(1).max(max);

/** One line of an order as the merchant's system describes it. */
export const orderLineSchema = z.object({
  sku: label(100),
  title: label(300),
  quantity: z.number().int().min(0).max(1_000_000),
  /** The unit price in the currency's major unit (12.5 is 12.50). */
  price: z.number().min(0).max(1e12),
  currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as EUR' }),
  imageUrl: webUrl.optional(),
  status: label(60),
  tracking: z
    .object({
      carrier: label(100).optional(),
      number: label(100),
      url: webUrl.optional(),
    })
    .optional(),
});
export type OrderLine = z.output<typeof orderLineSchema>;

export const orderSchema = z.object({
  ref: label(200),
  status: label(60).optional(),
  placedAt: z.iso.datetime({ offset: true }).optional(),
  url: webUrl.optional(),
  lines: z.array(orderLineSchema).max(orderLookupLimits.lines),
});
export type Order = z.output<typeof orderSchema>;

/**
 * What the order system answers (validated where the answer arrives, the
 * system being outside the engine): the orders the chat is about, possibly
 * none. Unknown fields are ignored, so a system may answer with more.
 */
export const orderLookupAnswerSchema = z.object({
  orders: z.array(orderSchema).max(orderLookupLimits.orders),
});
export type OrderLookupAnswer = z.output<typeof orderLookupAnswerSchema>;

/** The body POSTed to the order system when an agent opens the chat. */
export interface OrderLookupRequest {
  type: 'order.lookup';
  tenantId: string;
  sessionId: string;
  /** The page the chat was opened from: an order, product, shop or logistics ref. */
  entry: Entry;
  customer: { id: string; identity: 'verified' | 'anonymous' };
  /** When this request was made (ISO 8601). */
  sentAt: string;
}

/** Why the order details are unavailable, as the panel names it. */
export const orderUnavailableReasons = [
  /** No answer within the hook's `timeoutMs`. */
  'timeout',
  /** Connection refused, reset, DNS failure. */
  'unreachable',
  /** A non-2xx answer. */
  'http_error',
  /** A 2xx whose body is not JSON or not the answer's shape. */
  'invalid_answer',
  /** The URL is refused by the address policy. */
  'refused',
] as const;
export type OrderUnavailableReason = (typeof orderUnavailableReasons)[number];

/** What the panel gets: the orders, no hook, or why not. */
export type OrderContext =
  | { status: 'available'; orders: Order[]; fetchedAt: string; cached: boolean }
  | { status: 'not_configured' }
  | { status: 'unavailable'; reason: OrderUnavailableReason; message: string };
