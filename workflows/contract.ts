/**
 * What both sides of the wire share: the workflow's name, its queries, task
 * queue defaults and search-attribute keys. The API and the scripts import
 * this module; they never import workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { SessionInput, SessionPhase } from '../domain/session';

export const sessionWorkflowType = 'sessionWorkflow';

export const searchAttributes = {
  tenantId: defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD),
  phase: defineSearchAttributeKey('SessionPhase', SearchAttributeType.KEYWORD),
  agentId: defineSearchAttributeKey('AgentId', SearchAttributeType.KEYWORD),
  groupId: defineSearchAttributeKey('GroupId', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD),
  visitorId: defineSearchAttributeKey('VisitorId', SearchAttributeType.KEYWORD),
} as const;

/** Names to register on a Temporal server (all Keyword). */
export const searchAttributeNames = Object.values(searchAttributes).map((key) => key.name);

export interface SessionState {
  tenantId: string;
  sessionId: string;
  visitorId: string;
  channel: SessionInput['channel'];
  entry: SessionInput['entry'];
  phase: SessionPhase;
  startedAt: string;
  /** Workflow time of the last message in the session; idle timers count from here. */
  lastActivityAt: string;
  closedAt?: string;
  closeReason?: CloseReason;
}

export type CloseReason = 'robot_idle';

export const stateQuery = defineQuery<SessionState>('state');
