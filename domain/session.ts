import { z } from 'zod';

/**
 * The customer session: who opened chat, from where, and which phase it is in.
 * Pure types and rules: imported by the API, the activities and the workflow.
 */

export const channels = ['web', 'api', 'email'] as const;
export type Channel = (typeof channels)[number];

/** The page the shopper opened chat from: pre-sale (product, shop) or after-sale. */
export const entryTypes = ['product', 'shop', 'order', 'logistics'] as const;
export type EntryType = (typeof entryTypes)[number];

export {
  endedPhases,
  mayEnter,
  phaseTransitions,
  sessionPhases,
  type SessionPhase,
} from './phases';

/**
 * Opaque ids only: they end up in search attributes and room names, which are
 * stored and shown unencrypted, so no names or phone numbers here.
 */
export const opaqueId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, { message: 'must be 1-64 letters, digits, _ . : or -' });

/**
 * The shopper as the session workflow knows them: the id the engine resolved
 * (verified or anonymous, domain/identity.ts), a display name, and the tags
 * routing and auto tags read — the stored customer profile's and the verified
 * claims', never what the browser declared.
 */
export const visitorSchema = z.strictObject({
  id: opaqueId,
  name: z.string().trim().min(1).max(80).optional(),
  tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
});

export const entrySchema = z.strictObject({
  type: z.enum(entryTypes),
  ref: z.string().trim().min(1).max(200).optional(),
});

export type Visitor = z.infer<typeof visitorSchema>;
export type Entry = z.infer<typeof entrySchema>;

/** What the workflow starts with; everything else it reads through activities. */
export interface SessionInput {
  tenantId: string;
  sessionId: string;
  visitor: Visitor;
  channel: Channel;
  entry: Entry;
}

/** The workflow id ops search for: one workflow per session. */
export function sessionWorkflowId(tenantId: string, sessionId: string): string {
  return `session/${tenantId}/${sessionId}`;
}

/** The session's ids from its workflow id; undefined for any other workflow. */
export function sessionOfWorkflowId(
  workflowId: string,
): { tenantId: string; sessionId: string } | undefined {
  const [kind, tenantId, sessionId, ...rest] = workflowId.split('/');
  if (kind !== 'session' || !tenantId || !sessionId || rest.length) return undefined;
  return { tenantId, sessionId };
}
