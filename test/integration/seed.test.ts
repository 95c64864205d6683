import { connectMongo, type MongoHandle } from '../../runtime/connections';
import { demoTenant, seedDemoTenant } from '../../scripts/seed-demo';
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
});
