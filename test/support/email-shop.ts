import { createdApiKey, startedSession } from '../../api/views';
import { collections } from '../../stores/collections';
import { callOk, operatorTenant, useManualPresence } from './api-client';
import { eventually, postJson, type TestEngine } from './engine';
import { identityToken, installIdentitySecret } from './identity';
import { uniqueId } from './stack';

/**
 * A shop for the email channel's tests: chats skip the robot to its one
 * online agent, ann; shoppers are verified; the mail provider has an
 * integration key.
 */
export async function emailShop(engine: TestEngine) {
  const { tenantId, adminKey } = await operatorTenant(engine.app, {
    flow: { robot: { enabled: false } },
  });
  await installIdentitySecret(engine.db, tenantId);
  await useManualPresence(engine.app, adminKey);
  await callOk(engine.app, 'PUT', '/api/v1/agents/ann', {
    token: adminKey,
    body: { capacity: 5, groups: ['default'], password: 'correct horse battery' },
  });
  await callOk(engine.app, 'PUT', '/api/v1/agents/ann/status', {
    token: adminKey,
    body: { status: 'online' },
  });
  const key = createdApiKey.parse(
    await callOk(engine.app, 'POST', '/api/v1/api-keys', {
      token: adminKey,
      body: { name: 'mail provider', role: 'integration' },
    }),
  ).key;
  return { tenantId, adminKey, key };
}

/** A verified shopper with `email` in their profile, chatting with agent ann. */
export async function emailShopper(engine: TestEngine, tenantId: string, email: string) {
  const response = await postJson(engine.app, '/api/v1/sessions', {
    tenantId,
    visitor: { token: identityToken(tenantId, { sub: uniqueId('shopper'), email }) },
    channel: 'web',
    entry: { type: 'order', ref: 'o-1' },
  });
  const started = startedSession.parse(response.body);
  await eventually(async () => {
    const doc = await collections(engine.db).sessions.findOne({ _id: started.sessionId });
    return doc?.phase === 'assigned' ? doc : undefined;
  });
  return started;
}
