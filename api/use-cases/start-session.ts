import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { IdentityKind, StartSessionRequest } from '../../domain/identity';
import {
  sessionWorkflowId,
  type Channel,
  type Entry,
  type SessionInput,
  type Visitor,
} from '../../domain/session';
import { issueVisitorToken } from '../../runtime/tokens';
import type { CustomerStore } from '../../stores/customers';
import type { SessionStore } from '../../stores/sessions';
import type { TagStore } from '../../stores/tags';
import type { TenantStore } from '../../stores/tenants';
import { searchAttributes, sessionWorkflowType } from '../../workflows/contract';
import { suspendedError } from '../auth/tenant-suspension';
import { AppError } from '../errors';
import {
  identifyShopper,
  type IdentifyShopperDeps,
  type IdentifiedShopper,
} from './identify-shopper';

export interface StartSessionDeps extends IdentifyShopperDeps {
  temporal: Client;
  taskQueue: string;
  tenants: TenantStore;
  sessions: SessionStore;
  customers: CustomerStore;
  tags: TagStore;
  visitorTokenTtlSeconds: number;
}

export interface StartedSession {
  sessionId: string;
  workflowId: string;
  /** True when the visitor already had this session open and we attached to it. */
  attached: boolean;
  visitorId: string;
  identity: IdentityKind;
  visitorToken: string;
  visitorTokenExpiresAt: string;
  /** Anonymous shoppers only: keep it, and send it as `visitor.credential` to come back. */
  visitorCredential?: string;
  visitorCredentialExpiresAt?: string;
}

/**
 * The visitor the workflow starts with: the stored profile's name (else the
 * browser's hint, which the profile keeps as `givenName` for the agents to
 * see) and the stored customer tags, which a verified identity JWT's `tags`
 * claim has just added to. Browser-declared tags never get here.
 */
async function sessionVisitor(
  deps: StartSessionDeps,
  tenantId: string,
  shopper: IdentifiedShopper,
  nameHint: string | undefined,
): Promise<Visitor> {
  const { visitorId, identity, claims } = shopper;
  await deps.customers.recordVisit(tenantId, visitorId, identity, claims, nameHint);
  for (const tagId of claims.tags ?? []) await deps.tags.tagCustomer(tenantId, visitorId, tagId);
  const tags = await deps.tags.customerTags(tenantId, visitorId);
  const profile = await deps.customers.get(tenantId, visitorId, tags);
  const name = profile?.name ?? nameHint;
  return { id: visitorId, ...(name !== undefined ? { name } : {}), tags };
}

/**
 * Opens chat for a visitor: finds out who they are (identify-shopper.ts),
 * then opens or attaches to their session (openSessionFor).
 */
export async function startSession(
  deps: StartSessionDeps,
  request: StartSessionRequest,
): Promise<StartedSession> {
  await openTenant(deps, request.tenantId);
  const shopper = await identifyShopper(deps, request.tenantId, request.visitor);
  return openSessionFor(deps, request.tenantId, shopper, {
    channel: request.channel,
    entry: request.entry,
    ...(request.visitor?.name !== undefined ? { nameHint: request.visitor.name } : {}),
  });
}

/** The tenant chat is opened in: 404 when there is none, 403 when it is suspended. */
export async function openTenant(deps: Pick<StartSessionDeps, 'tenants'>, tenantId: string) {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new AppError(404, 'tenant_not_found', `No tenant with id ${tenantId}`);
  if (tenant.suspendedAt) throw suspendedError(tenantId);
  return tenant;
}

export interface OpenRequest {
  channel: Channel;
  entry: Entry;
  /** A name to show when the profile has none (the browser's, or a channel's). */
  nameHint?: string;
}

/**
 * Attaches an identified shopper to their open session, or starts a new
 * session workflow (every channel's shoppers come in here). One open session per visitor per tenant holds because the
 * session id comes from the visitor's open-session pointer, and the workflow
 * start is idempotent for that id (use-existing while running, refused once
 * closed, so a closed session is never reopened: we start a fresh one).
 */
export async function openSessionFor(
  deps: StartSessionDeps,
  tenantId: string,
  shopper: IdentifiedShopper,
  { channel, entry, nameHint }: OpenRequest,
): Promise<StartedSession> {
  const visitor = await sessionVisitor(deps, tenantId, shopper, nameHint);

  let stale: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (stale) await deps.sessions.releaseOpen(tenantId, visitor.id, stale);
    const { sessionId, claimed } = await deps.sessions.claimOpen(
      tenantId,
      visitor.id,
      randomUUID(),
    );
    const input: SessionInput = { tenantId, sessionId, visitor, channel, entry };
    const workflowId = sessionWorkflowId(tenantId, sessionId);
    try {
      await deps.temporal.workflow.start(sessionWorkflowType, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: searchAttributes.tenantId, value: tenantId },
          { key: searchAttributes.phase, value: 'robot' },
          { key: searchAttributes.channel, value: channel },
          { key: searchAttributes.visitorId, value: visitor.id },
        ],
      });
    } catch (error) {
      // The pointer names a session whose workflow already ended (its close
      // did not get to release the pointer): drop it and open a new one.
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        stale = sessionId;
        continue;
      }
      throw error;
    }
    const { token, expiresAt } = issueVisitorToken(
      deps.tokenSecret,
      { tenantId, sessionId, visitorId: visitor.id },
      deps.visitorTokenTtlSeconds,
    );
    return {
      sessionId,
      workflowId,
      attached: !claimed,
      visitorId: visitor.id,
      identity: shopper.identity,
      visitorToken: token,
      visitorTokenExpiresAt: expiresAt,
      ...(shopper.credential
        ? {
            visitorCredential: shopper.credential.token,
            visitorCredentialExpiresAt: shopper.credential.expiresAt,
          }
        : {}),
    };
  }
  throw new AppError(
    409,
    'session_conflict',
    'The visitor’s session changed while opening it; try again',
  );
}
