import { WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { errorBody } from '../../api/openapi';
import { collections } from '../../stores/collections';
import { apiKeyStore } from '../../stores/api-keys';
import { ticketStore } from '../../stores/tickets';
import { sessionWorkflowId } from '../../domain/session';
import { transferUpdate } from '../../workflows/contract';
import { call, type ApiAnswer } from '../support/api-client';
import { agentToken, desk, openAssigned } from '../support/chat';
import { eventually, startTestEngine, type TestEngine } from '../support/engine';
import { uniqueId } from '../support/stack';

/**
 * Every id a request names must exist in the caller's tenant: a 422 naming
 * the field, and nothing written.
 */
let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await engine.close();
});

const refusedField = (answer: ApiAnswer) => {
  expect(answer.status).toBe(422);
  const { error } = errorBody.parse(answer.body);
  expect(error.code).toBe('invalid_reference');
  return (error.fields ?? []).map((f) => f.path);
};

const stillReferencedBy = (answer: ApiAnswer) => {
  expect(answer.status).toBe(409);
  const { error } = errorBody.parse(answer.body);
  expect(error.code).toBe('still_referenced');
  return error.referrers;
};

const schedule = { timeZone: 'Asia/Shanghai', weekly: { mon: [{ start: '09:00', end: '18:00' }] } };

async function deskWithKey(agents: string[]) {
  const tenantId = await desk(engine, agents);
  const adminKey = (await apiKeyStore(engine.db).create(tenantId, 'references', 'admin')).key;
  return { tenantId, adminKey };
}

const phaseOf = async (tenantId: string, sessionId: string) =>
  (await collections(engine.db).sessions.findOne({ _id: sessionId, tenantId }))?.phase;

it('when an agent is put into a group that does not exist, or of another tenant, then 422 names the group and no agent is written', async () => {
  const other = await deskWithKey([]);
  await call(engine.app, 'PUT', '/api/v1/groups/theirs', { token: other.adminKey, body: {} });
  const { tenantId, adminKey } = await deskWithKey([]);
  const agentId = uniqueId('new-agent');
  for (const group of ['nowhere', 'theirs']) {
    const answer = await call(engine.app, 'PUT', `/api/v1/agents/${agentId}`, {
      token: adminKey,
      body: { capacity: 2, groups: ['default', group] },
    });
    expect(refusedField(answer)).toEqual(['groups.1']);
  }
  expect(await collections(engine.db).agents.countDocuments({ tenantId, agentId })).toBe(0);
});

it('when a group overflows into a group that does not exist, then 422 names overflowGroupId and the group is unchanged', async () => {
  const { tenantId, adminKey } = await deskWithKey([]);
  const answer = await call(engine.app, 'PUT', '/api/v1/groups/default', {
    token: adminKey,
    body: { overflowGroupId: 'nowhere' },
  });
  expect(refusedField(answer)).toEqual(['overflowGroupId']);
  const groups = await collections(engine.db).groups.find({ tenantId }).toArray();
  expect(groups.map((g) => g.overflowGroupId)).toEqual([undefined]);
});

it('when an agent transfers a chat to a group or an agent that does not exist, then 422 names the target and the chat stays with the agent', async () => {
  const agentId = uniqueId('agent');
  const { tenantId } = await deskWithKey([agentId]);
  const other = await deskWithKey([uniqueId('their-agent')]);
  await call(engine.app, 'PUT', '/api/v1/groups/elsewhere', { token: other.adminKey, body: {} });
  const session = await openAssigned(engine, tenantId);
  const token = agentToken(tenantId, agentId);
  const path = `/api/v1/sessions/${session.sessionId}/transfer`;
  for (const [body, field] of [
    [{ toGroupId: 'nowhere' }, 'toGroupId'],
    [{ toGroupId: 'elsewhere' }, 'toGroupId'],
    [{ toAgentId: 'nobody' }, 'toAgentId'],
  ] as const) {
    expect(refusedField(await call(engine.app, 'POST', path, { token, body }))).toEqual([field]);
  }
  expect(await phaseOf(tenantId, session.sessionId)).toBe('assigned');
});

it('when the workflow is asked to transfer to a group that does not exist (past the API), then it refuses and the chat stays assigned instead of waiting in a queue nobody serves', async () => {
  const agentId = uniqueId('agent');
  const { tenantId } = await deskWithKey([agentId]);
  const session = await openAssigned(engine, tenantId);
  const handle = engine.temporal.client.workflow.getHandle(
    sessionWorkflowId(tenantId, session.sessionId),
  );
  await expect(
    handle.executeUpdate(transferUpdate, {
      args: [{ toGroupId: 'nowhere', by: { type: 'agent', agentId, supervisor: false } }],
    }),
  ).rejects.toThrow(WorkflowUpdateFailedError);
  await eventually(async () =>
    (await phaseOf(tenantId, session.sessionId)) === 'assigned' ? true : undefined,
  );
  expect(
    await engine.temporal.client.workflow.getHandle(handle.workflowId).describe(),
  ).toMatchObject({ status: { name: 'RUNNING' } });
  const seats = await collections(engine.db).sessions.findOne({ _id: session.sessionId });
  expect(seats?.agentId).toBe(agentId);
});

it('when a flow routes to a group that does not exist (PUT, PATCH, or a rollback to a version whose group is gone), then 422 names the field and no version is written', async () => {
  const { tenantId, adminKey } = await deskWithKey([]);
  const versions = () => collections(engine.db).flowVersions.countDocuments({ tenantId });
  const put = (routing: unknown) =>
    call(engine.app, 'PUT', '/api/v1/flow', { token: adminKey, body: { flow: { routing } } });
  expect(
    refusedField(
      await put({ defaultGroupId: 'default', rules: [{ when: {}, groupId: 'nowhere' }] }),
    ),
  ).toEqual(['flow.routing.rules.0.groupId']);
  const patched = await call(engine.app, 'PATCH', '/api/v1/flow', {
    token: adminKey,
    body: { flow: { routing: { defaultGroupId: 'gone' } } },
  });
  expect(refusedField(patched)).toEqual(['flow.routing.defaultGroupId']);
  const before = await versions();

  // A version that routed to a group removed since cannot come back by a rollback.
  await call(engine.app, 'PUT', '/api/v1/groups/seasonal', { token: adminKey, body: {} });
  const seasonal = await put({ defaultGroupId: 'seasonal' });
  expect(seasonal.status).toBe(201);
  const { version } = z.object({ version: z.number() }).parse(seasonal.body);
  expect((await put({ defaultGroupId: 'default' })).status).toBe(201);
  const removed = await call(engine.app, 'DELETE', '/api/v1/groups/seasonal', { token: adminKey });
  expect(removed.status).toBe(204);
  const rollback = await call(engine.app, 'POST', '/api/v1/flow/rollback', {
    token: adminKey,
    body: { version },
  });
  expect(refusedField(rollback)).toEqual(['version']);
  expect(await versions()).toBe(before + 2);
});

it('when a schedule, a ticket assignment or a tag names a group, agent or tag group that does not exist (or is another tenant’s), then 422 names the field and nothing is written', async () => {
  const other = await deskWithKey([uniqueId('their-agent')]);
  await call(engine.app, 'PUT', '/api/v1/groups/theirs', { token: other.adminKey, body: {} });
  const { tenantId, adminKey } = await deskWithKey([]);
  for (const groupId of ['nowhere', 'theirs']) {
    const answer = await call(engine.app, 'POST', '/api/v1/working-hours', {
      token: adminKey,
      body: { groupId, schedule },
    });
    expect(refusedField(answer)).toEqual(['groupId']);
  }
  expect(await collections(engine.db).hours.countDocuments({ tenantId })).toBe(0);

  const ticketId = await ticketStore(engine.db).open(
    tenantId,
    uniqueId('s'),
    uniqueId('v'),
    undefined,
    {
      contact: { phone: '+86 138 0000 0000' },
      content: 'Call me back',
    },
  );
  const assigned = await call(engine.app, 'POST', `/api/v1/tickets/${ticketId}/assign`, {
    token: adminKey,
    body: { agentId: 'nobody' },
  });
  expect(refusedField(assigned)).toEqual(['agentId']);
  expect((await ticketStore(engine.db).get(tenantId, ticketId))?.assigneeId).toBeUndefined();

  const tag = await call(engine.app, 'POST', '/api/v1/tags', {
    token: adminKey,
    body: { tagId: 'late', groupId: 'nowhere', name: 'Late', target: 'session' },
  });
  expect(refusedField(tag)).toEqual(['groupId']);
  expect(await collections(engine.db).tags.countDocuments({ tenantId })).toBe(0);
});

it('when a group is still referred to by agents, an overflowing group, the flow, its working hours or an open session, then DELETE is 409 naming each referrer and the group stays; once nothing refers to it, 204', async () => {
  const agentId = uniqueId('agent');
  const { tenantId, adminKey } = await deskWithKey([agentId]);
  const as = (method: string, path: string, body?: unknown) =>
    call(engine.app, method, path, { token: adminKey, ...(body === undefined ? {} : { body }) });
  await as('PUT', '/api/v1/groups/vip', {});
  await as('PUT', '/api/v1/agents/vera', { capacity: 1, groups: ['vip'] });
  await as('PUT', '/api/v1/groups/spill', { overflowGroupId: 'vip' });
  await as('PUT', '/api/v1/flow', {
    flow: {
      robot: { enabled: false },
      routing: {
        defaultGroupId: 'default',
        rules: [{ when: { anyTag: ['vip'] }, groupId: 'vip' }],
      },
    },
  });
  await as('POST', '/api/v1/working-hours', { groupId: 'vip', schedule });
  const groups = () => collections(engine.db).groups.countDocuments({ tenantId });
  const groupCount = await groups();

  expect(stillReferencedBy(await as('DELETE', '/api/v1/groups/vip'))).toEqual([
    { kind: 'agent', ids: ['vera'] },
    { kind: 'group', ids: ['spill'] },
    { kind: 'flow', ids: ['routing.rules.0.groupId'] },
    { kind: 'working-hours', ids: ['vip/reception'] },
  ]);
  // The group everyone is routed to by default holds its agent, the flow, and the chat it serves.
  const session = await openAssigned(engine, tenantId);
  expect(stillReferencedBy(await as('DELETE', '/api/v1/groups/default'))).toEqual([
    { kind: 'agent', ids: [agentId] },
    { kind: 'flow', ids: ['routing.defaultGroupId'] },
    { kind: 'session', ids: [session.sessionId] },
  ]);
  expect(await groups()).toBe(groupCount);

  await as('PUT', '/api/v1/agents/vera', { capacity: 1, groups: ['default'] });
  await as('PUT', '/api/v1/groups/spill', {});
  await as('PATCH', '/api/v1/flow', { flow: { routing: { rules: [] } } });
  await as('DELETE', '/api/v1/working-hours/vip/reception');
  expect((await as('DELETE', '/api/v1/groups/vip')).status).toBe(204);
  expect((await as('GET', '/api/v1/groups/vip')).status).toBe(404);
  expect((await as('DELETE', '/api/v1/groups/vip')).status).toBe(404);
  expect(await groups()).toBe(groupCount - 1);
  // Another tenant's group is not found, and stays.
  const other = await deskWithKey([]);
  await call(engine.app, 'PUT', '/api/v1/groups/theirs', { token: other.adminKey, body: {} });
  expect((await as('DELETE', '/api/v1/groups/theirs')).status).toBe(404);
  expect(
    await collections(engine.db).groups.countDocuments({
      tenantId: other.tenantId,
      groupId: 'theirs',
    }),
  ).toBe(1);
  // Now nothing can name it again.
  expect(refusedField(await as('PUT', '/api/v1/groups/spill', { overflowGroupId: 'vip' }))).toEqual(
    ['overflowGroupId'],
  );
});

it('when a tag group still has tags, then DELETE is 409 naming the tags and the group stays; removing a tag takes it off sessions and customers (a cascade)', async () => {
  const { tenantId, adminKey } = await deskWithKey([]);
  const as = (method: string, path: string, body?: unknown) =>
    call(engine.app, method, path, { token: adminKey, ...(body === undefined ? {} : { body }) });
  await as('POST', '/api/v1/tag-groups', { groupId: 'intent', name: 'Intent' });
  for (const tagId of ['refund', 'exchange']) {
    await as('POST', '/api/v1/tags', { tagId, groupId: 'intent', name: tagId, target: 'session' });
  }
  const referrers = stillReferencedBy(await as('DELETE', '/api/v1/tag-groups/intent'));
  expect(referrers).toEqual([{ kind: 'tag', ids: ['exchange', 'refund'] }]);
  expect(await collections(engine.db).tagGroups.countDocuments({ tenantId })).toBe(1);
  for (const tagId of ['refund', 'exchange']) {
    expect((await as('DELETE', `/api/v1/tags/${tagId}`)).status).toBe(204);
  }
  expect((await as('DELETE', '/api/v1/tag-groups/intent')).status).toBe(204);
});
