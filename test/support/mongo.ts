import type { MongoHandle } from '../../runtime/connections';

export async function closeMongo(
  handle: MongoHandle | undefined,
  options: { drop?: boolean } = {},
): Promise<void> {
  if (!handle) return;
  if (options.drop) await handle.db.dropDatabase();
  await handle.client.close();
}
