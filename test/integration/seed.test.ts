import { connectMongo, type MongoHandle } from '../../runtime/connections';
import { demoTenant, issueDemoAdminKey, seedDemoTenant } from '../../scripts/seed-demo';
import { apiKeyStore } from '../../stores/api-keys';
import { collections } from '../../stores/collections';
import { closeMongo } from '../support/mongo';
import { testStack, uniqueDatabase } from '../support/stack';

describe('demo tenant seeding', () => {
  let mongo: MongoHandle;
  beforeAll(async () => {
    mongo = await connectMongo(testStack.mongodbUrl, uniqueDatabase());
  });
  afterAll(async () => {
    await closeMongo(mongo, { drop: true });
  });

  it('when seeded twice, then there is one demo tenant and edits made in between are kept', async () => {
    const first = await seedDemoTenant(mongo.db);
    await collections(mongo.db).tenants.updateOne(
      { _id: demoTenant.tenantId },
      { $set: { name: 'Renamed' } },
    );
    const second = await seedDemoTenant(mongo.db);
    expect(second).toMatchObject({ tenantId: 'demo', name: 'Renamed', createdAt: first.createdAt });
    expect(await collections(mongo.db).tenants.countDocuments()).toBe(1);
  });

  it('when a demo admin key is issued again, then the new one works and the previous one is revoked', async () => {
    await seedDemoTenant(mongo.db);
    const keys = apiKeyStore(mongo.db);
    const first = await issueDemoAdminKey(mongo.db);
    const second = await issueDemoAdminKey(mongo.db);
    expect(await keys.verify(first)).toBeUndefined();
    expect(await keys.verify(second)).toMatchObject({ tenantId: 'demo', role: 'admin' });
  });
});
