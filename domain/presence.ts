import { z } from 'zod';

/**
 * How a tenant's agent presence works. `connections` (the default): an
 * agent takes new sessions only while a console connection of theirs is
 * live, and an agent whose last connection has been gone for the grace
 * period is set away (reason `disconnected`), back to the status they had
 * when a connection returns — as Chatwoot's and Rocket.Chat's presence do.
 * `manual`: the status is only what the agent or the API sets, for desks
 * that work through the HTTP API without a console socket.
 */
export const presenceModes = ['connections', 'manual'] as const;
export type PresenceMode = (typeof presenceModes)[number];

export const presenceSettingsSchema = z.strictObject({
  mode: z.enum(presenceModes).default('connections').meta({
    description:
      '`connections`: sessions go only to agents with a live console connection, and an agent disconnected longer than the grace is set away; `manual`: the status is only what is set',
  }),
  disconnectGraceSeconds: z.number().int().min(0).max(3600).default(60).meta({
    description:
      'How long an online agent may have no console connection (a reload, a network blip, a gateway restart) before being set away',
  }),
});
export type PresenceSettings = z.output<typeof presenceSettingsSchema>;
export type PresenceSettingsInput = z.input<typeof presenceSettingsSchema>;

export const defaultPresenceSettings: PresenceSettings = presenceSettingsSchema.parse({});

/** Why the status is what it is when the engine set it, not the agent. */
export const statusReasons = ['disconnected'] as const;
export type StatusReason = (typeof statusReasons)[number];
