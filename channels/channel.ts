import type { ChatMessage } from '../domain/message';
import type { Channel, Entry } from '../domain/session';
import type { SessionDoc } from '../stores/collections';

/**
 * The one seam every channel plugs into (DESIGN.md §12). A channel is the
 * way a shopper reaches the engine and the engine reaches them back:
 *
 * - inbound: the channel's own payload (a socket event, a merchant's HTTP
 *   call, a MIME message) is *normalised* to an `Inbound`; the engine then
 *   opens or attaches the shopper's session and appends the text as the
 *   shopper's message (api/use-cases/receive-inbound.ts), so every channel
 *   gets the same lifecycle: robot, queue, agent, close, rating;
 * - outbound: staff, robot and system messages are *delivered* to where the
 *   shopper is, by the channel's `deliver`.
 *
 * The implementations:
 * - web: the widget's socket is its inbound (api/gateway/visitor-namespace.ts,
 *   already normalised by its payload schemas) and the session's socket rooms
 *   its outbound (messaging/broadcast.ts), which staff share;
 * - api: a merchant's backend calls HTTP (channels/api.ts normalises it) and
 *   hears every message back as `message.created` on its webhook subscription
 *   or the event feed (events/), durable and in order, so it needs no push of
 *   its own;
 * - email: SMTP out, MIME in (channels/email/).
 *
 * A social channel (WhatsApp,
 * Telegram, a WeChat official account) is one more file of this shape; the
 * README's "Writing a channel" says what else it needs (a route or poller
 * for its inbound, a config of its own).
 */

/** Who the shopper is, as the channel knows them. */
export interface InboundShopper {
  /** The merchant's id for the shopper (an opaque id; never an engine-made `anon-` id). */
  visitorId: string;
  name?: string;
  email?: string;
}

/** Where an inbound message goes: a session the channel already names, or the shopper's open one. */
export type InboundTarget =
  | { kind: 'session'; sessionId: string }
  | { kind: 'shopper'; shopper: InboundShopper; entry: Entry };

/** What every channel's inbound normalises to. */
export interface Inbound {
  tenantId: string;
  channel: Channel;
  to: InboundTarget;
  /** The channel's own id for the message: a resend with the same id is the same message. */
  externalId: string;
  text: string;
}

/** A shopper to reach: the session they are in and how to address them there. */
export interface OutboundTarget {
  session: SessionDoc;
  /** The shopper's email address, when the channel needs one and it is known. */
  email?: string;
}

/**
 * A channel's outbound side: delivers messages the shopper should see, in
 * seq order, at least once (the message ids let a receiver drop repeats).
 */
export interface OutboundChannel {
  readonly channel: Channel;
  deliver(target: OutboundTarget, messages: readonly ChatMessage[]): Promise<void>;
}
