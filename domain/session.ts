import { z } from 'zod';

/**
 * The customer session: who opened chat, from where, and which phase it is in.
 * Pure types and rules: imported by the API, the activities and the workflow.
 */

export const channels = ['web', 'api'] as const;
export type Channel = (typeof channels)[number];

/** The page the shopper opened chat from: pre-sale (product, shop) or after-sale. */
export const entryTypes = ['product', 'shop', 'order', 'logistics'] as const;
export type EntryType = (typeof entryTypes)[number];

/** Phases of DESIGN.md §4, in the order a session usually meets them. */
export const sessionPhases = [
  'robot',
  'queued',
  'reserved',
  'assigned',
  'transferring',
  'leave_message',
  'closed',
  'rated',
] as const;
export type SessionPhase = (typeof sessionPhases)[number];

/** Phases of a session that has ended: it holds no seat and takes no more chat. */
export const endedPhases: readonly SessionPhase[] = ['closed', 'rated'];

/**
 * The diagram of DESIGN.md §4 as data: for each phase, the phases a session
 * may enter from it. The workflow checks every phase change against this
 * table (workflows/session/machine.ts `enter`); the API and ops read it to
 * know what can follow what.
 *
 * - queued → queued: the overflow group takes the session after its own
 *   group's queue was full or its wait ran out.
 * - transferring → assigned: the transfer reached an agent, or failed and the
 *   session stays with its agent.
 * - rated is final; a closed session without a rating to take ends as closed.
 */
export const phaseTransitions: Readonly<Record<SessionPhase, readonly SessionPhase[]>> = {
  robot: ['queued', 'leave_message', 'closed'],
  queued: ['queued', 'reserved', 'assigned', 'leave_message', 'closed'],
  reserved: ['queued', 'assigned', 'closed'],
  assigned: ['transferring', 'closed'],
  transferring: ['assigned', 'queued'],
  leave_message: ['closed'],
  closed: ['rated'],
  rated: [],
};

/** Whether the table lets a session in phase `from` enter phase `to`. */
export function mayEnter(from: SessionPhase, to: SessionPhase): boolean {
  return phaseTransitions[from].includes(to);
}

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
