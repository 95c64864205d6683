import type { Db } from 'mongodb';
import type { ChatMessage } from '../domain/message';
import type { Channel, Entry, SessionPhase } from '../domain/session';
import type { ReceptionSettings } from '../domain/tenant';

/** Document shapes as stored; `_id` is ours wherever a natural key exists. */

export interface TenantDoc {
  _id: string;
  name: string;
  reception: ReceptionSettings;
  createdAt: Date;
}

/** At most one per (tenant, visitor): the pointer to the visitor's open session. */
export interface OpenSessionDoc {
  _id: string;
  tenantId: string;
  visitorId: string;
  sessionId: string;
  createdAt: Date;
}

/** Projection of the session workflow, written by its activities, for lists and search. */
export interface SessionDoc {
  _id: string;
  tenantId: string;
  visitorId: string;
  channel: Channel;
  entry: Entry;
  phase: SessionPhase;
  startedAt: Date;
  closedAt?: Date;
  closeReason?: string;
}

export type MessageDoc = Omit<ChatMessage, 'createdAt'> & { createdAt: Date };

export function collections(db: Db) {
  return {
    tenants: db.collection<TenantDoc>('tenants'),
    openSessions: db.collection<OpenSessionDoc>('open_sessions'),
    sessions: db.collection<SessionDoc>('sessions'),
    messages: db.collection<MessageDoc>('messages'),
  };
}
