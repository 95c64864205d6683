import { WorkflowUpdateFailedError } from '@temporalio/client';
import { errorBody } from '../../api/openapi';
import { collections } from '../../stores/collections';
import { apiKeyStore } from '../../stores/api-keys';
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
