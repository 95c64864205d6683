import type { Principal } from '../domain/access';
import type { Logger } from '../runtime/logger';
import type { AuditStore, AuditEntry } from '../stores/audit';
import type { AuditActor } from '../stores/collections';

/** Who the audit log names for a principal; shoppers change no configuration. */
function actorOf(principal: Principal): AuditActor | undefined {
  switch (principal.role) {
    case 'admin':
    case 'integration':
      return { kind: 'api_key', id: principal.keyId, role: principal.role };
    case 'agent':
    case 'supervisor':
      return { kind: 'staff', id: principal.agentId, role: principal.role };
    case 'operator':
      return { kind: 'operator', id: 'operator', role: 'operator' };
    case 'visitor':
      return undefined;
  }
}

/**
 * What the config and account routes call after a change has succeeded:
 * one audit entry naming who did what to which object. The change is made
 * by then, so a failed write of the entry is logged, not answered as an
 * error (the caller would retry a change that is already done).
 */
export function auditTrail(store: AuditStore, log: Logger) {
  return {
    async record(principal: Principal | undefined, tenantId: string, entry: AuditEntry) {
      const actor = principal && actorOf(principal);
      if (!actor) return;
      try {
        await store.record(tenantId, actor, entry);
      } catch (error) {
        log.error('audit entry not recorded', {
          tenantId,
          action: entry.action,
          targetId: entry.target.id,
          error: String(error),
        });
      }
    },
  };
}

export type AuditTrail = ReturnType<typeof auditTrail>;

/** Field names a request set, for a summary (never values: they may be secrets). */
export const fieldsOf = (body: object): string[] => Object.keys(body).sort();
