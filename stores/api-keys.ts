import type { Db } from 'mongodb';
import type { ApiKeyRole } from '../domain/access';
import { apiKeyId, hashApiKey, newApiKey } from '../runtime/secrets';
import { collections, type ApiKeyDoc } from './collections';

export interface ApiKeyInfo {
  keyId: string;
  name: string;
  role: ApiKeyRole;
  createdAt: string;
  revokedAt?: string;
}

const toInfo = (doc: ApiKeyDoc): ApiKeyInfo => ({
  keyId: doc._id,
  name: doc.name,
  role: doc.role,
  createdAt: doc.createdAt.toISOString(),
  ...(doc.revokedAt ? { revokedAt: doc.revokedAt.toISOString() } : {}),
});

/** Tenant API keys, stored as hashes; the plain key exists only in `create`'s answer. */
export function apiKeyStore(db: Db) {
  const { apiKeys } = collections(db);
  return {
    async create(tenantId: string, name: string, role: ApiKeyRole) {
      const { keyId, key, hash } = newApiKey();
      const doc: ApiKeyDoc = { _id: keyId, tenantId, name, role, hash, createdAt: new Date() };
      await apiKeys.insertOne(doc);
      return { ...toInfo(doc), key };
    },

    /** The key's tenant and role when it is valid and not revoked, else undefined. */
    async verify(key: string) {
      const keyId = apiKeyId(key);
      if (!keyId) return undefined;
      const doc = await apiKeys.findOne({ _id: keyId, hash: hashApiKey(key) });
      if (!doc || doc.revokedAt) return undefined;
      return { tenantId: doc.tenantId, role: doc.role, keyId };
    },

    async list(tenantId: string): Promise<ApiKeyInfo[]> {
      const docs = await apiKeys.find({ tenantId }).sort({ createdAt: 1 }).toArray();
      return docs.map(toInfo);
    },

    /** Revokes the tenant's key; undefined when the tenant has no such key. */
    async revoke(tenantId: string, keyId: string): Promise<ApiKeyInfo | undefined> {
      await apiKeys.updateOne(
        { _id: keyId, tenantId, revokedAt: { $exists: false } },
        { $set: { revokedAt: new Date() } },
      );
      const doc = await apiKeys.findOne({ _id: keyId, tenantId });
      return doc ? toInfo(doc) : undefined;
    },

    /** Revokes every live key of the tenant with this name (the demo key of a previous start). */
    async revokeNamed(tenantId: string, name: string): Promise<void> {
      await apiKeys.updateMany(
        { tenantId, name, revokedAt: { $exists: false } },
        { $set: { revokedAt: new Date() } },
      );
    },
  };
}

export type ApiKeyStore = ReturnType<typeof apiKeyStore>;
