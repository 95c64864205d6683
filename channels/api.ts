import { z } from 'zod';
import { anonymousPrefix } from '../domain/identity';
import { clientMsgId, messageLimits } from '../domain/message-send';
import { entrySchema, opaqueId } from '../domain/session';
import type { Inbound, InboundShopper } from './channel';

/**
 * The API channel: a merchant's backend brings the shoppers of its own app
 * (a native app, a mini program, its own chat page) in over HTTP with an
 * integration key, and hears the agent's, robot's and system's messages back
 * as `message.created` events (webhooks or the feed). The key vouches for
 * the shopper's id, as a signed identity does for the widget.
 */

export const apiShopperSchema = z.strictObject({
  id: opaqueId
    .refine((id) => !id.startsWith(anonymousPrefix), {
      message: `must be the merchant’s own id, not an engine-made ${anonymousPrefix} id`,
    })
    .meta({ description: 'The merchant’s id for the shopper' }),
  name: z.string().trim().min(1).max(80).optional(),
  email: z.email().max(200).optional().meta({
    description: 'Kept in the customer profile (offline replies may reach it by email)',
  }),
});

/** `POST /api/v1/channels/api/sessions`: open (or attach to) the shopper's session. */
export const apiOpenSchema = z.strictObject({
  shopper: apiShopperSchema,
  entry: entrySchema.default({ type: 'shop' }),
});

/** `POST /api/v1/channels/api/messages`: the shopper's message, relayed by the merchant. */
export const apiMessageSchema = z.strictObject({
  shopper: apiShopperSchema,
  messageId: clientMsgId.meta({
    description:
      'The merchant’s own id for the message: sending it again is the same message (idempotent)',
  }),
  text: z.string().trim().min(1).max(messageLimits.textChars),
  entry: entrySchema.default({ type: 'shop' }).meta({
    description: 'The page the shopper wrote from, used when the message opens a new session',
  }),
});

const shopperOf = (shopper: z.infer<typeof apiShopperSchema>): InboundShopper => ({
  visitorId: shopper.id,
  ...(shopper.name !== undefined ? { name: shopper.name } : {}),
  ...(shopper.email !== undefined ? { email: shopper.email } : {}),
});

/** The API channel's inbound, normalised: to the shopper's open session, or a new one. */
export const normaliseApiMessage = (
  tenantId: string,
  body: z.infer<typeof apiMessageSchema>,
): Inbound => ({
  tenantId,
  channel: 'api',
  to: { kind: 'shopper', shopper: shopperOf(body.shopper), entry: body.entry },
  externalId: body.messageId,
  text: body.text,
});

export const apiShopper = shopperOf;
