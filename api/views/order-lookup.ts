import { z } from 'zod';
import { orderSchema, orderUnavailableReasons } from '../../domain/order-lookup';
import { isoTime } from '../http/schemas';

/** What the console's order panel reads: the orders, no hook, or why they are unavailable. */
export const orderContextView = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('available'),
    orders: z.array(orderSchema),
    fetchedAt: isoTime.meta({ description: 'When the order system answered' }),
    cached: z.boolean().meta({ description: 'True when the answer came from the short cache' }),
  }),
  z.object({ status: z.literal('not_configured') }).meta({
    description: 'The tenant has no active order lookup hook',
  }),
  z.object({
    status: z.literal('unavailable'),
    reason: z.enum(orderUnavailableReasons),
    message: z.string().meta({ description: 'What went wrong, for the agent to read' }),
  }),
]);
