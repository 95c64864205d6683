import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { IdentitySettings } from '../domain/identity';
import { collections, type IdentitySettingsDoc } from './collections';

/** What the admin API shows: never a secret's value. */
export interface IdentitySettingsView extends IdentitySettings {
  secrets: { secretId: string; createdAt: string; current: boolean }[];
}

const defaults = (tenantId: string): IdentitySettingsDoc => ({
  _id: tenantId,
  tenantId,
  requireVerifiedIdentity: false,
  secrets: [],
  updatedAt: new Date(0),
});

const toView = (doc: IdentitySettingsDoc): IdentitySettingsView => ({
  requireVerifiedIdentity: doc.requireVerifiedIdentity,
  secrets: doc.secrets.map((s, i) => ({
    secretId: s.secretId,
    createdAt: s.createdAt.toISOString(),
    current: i === 0,
  })),
});

/**
 * A tenant's shopper-identity settings: whether anonymous shoppers may open
 * chat, and the identity secrets merchants sign visitor ids with. Rotation
 * keeps the previous secret valid until the next rotation or its explicit
 * retirement, so a merchant can roll the new secret out to every server
 * before the old one stops working.
 */
export function identityStore(db: Db) {
  const { identitySettings } = collections(db);
  // Field by field over the defaults: a document upserted by one setting lacks the others.
  const read = async (tenantId: string): Promise<IdentitySettingsDoc> => {
    const doc = await identitySettings.findOne({ _id: tenantId });
    const base = defaults(tenantId);
    return {
      ...base,
      ...doc,
      requireVerifiedIdentity: doc?.requireVerifiedIdentity ?? base.requireVerifiedIdentity,
      secrets: doc?.secrets ?? [],
    };
  };

  return {
    async settings(tenantId: string): Promise<IdentitySettingsView> {
      return toView(await read(tenantId));
    },

    /** The secrets a signature may be made with, newest first (for verification only). */
    async validSecrets(tenantId: string): Promise<string[]> {
      return (await read(tenantId)).secrets.map((s) => s.secret);
    },

    async requiresVerified(tenantId: string): Promise<boolean> {
      return (await read(tenantId)).requireVerifiedIdentity;
    },

    async update(tenantId: string, settings: IdentitySettings): Promise<IdentitySettingsView> {
      await identitySettings.updateOne(
        { _id: tenantId },
        {
          $set: {
            tenantId,
            requireVerifiedIdentity: settings.requireVerifiedIdentity,
            updatedAt: new Date(),
          },
        },
        { upsert: true },
      );
      return toView(await read(tenantId));
    },

    /**
     * A new current secret; the one it replaces stays valid as the previous
     * one, and the one before that stops working. The secret is returned
     * here once and never again.
     */
    async rotate(
      tenantId: string,
    ): Promise<{ secretId: string; secret: string; settings: IdentitySettingsView }> {
      const current = await read(tenantId);
      const fresh = {
        secretId: randomBytes(6).toString('hex'),
        secret: randomBytes(32).toString('base64url'),
        createdAt: new Date(),
      };
      const secrets = [fresh, ...current.secrets.slice(0, 1)];
      await identitySettings.updateOne(
        { _id: tenantId },
        {
          $set: { tenantId, secrets, updatedAt: new Date() },
        },
        { upsert: true },
      );
      return {
        secretId: fresh.secretId,
        secret: fresh.secret,
        settings: toView(await read(tenantId)),
      };
    },

    /** Retires a previous secret at once; false when there is no such previous secret. */
    async retire(tenantId: string, secretId: string): Promise<boolean> {
      const current = await read(tenantId);
      const index = current.secrets.findIndex((s) => s.secretId === secretId);
      if (index < 1) return false;
      // The whole list is written back: FerretDB v1 does not `$pull` by a condition on documents.
      await identitySettings.updateOne(
        { _id: tenantId },
        {
          $set: {
            secrets: current.secrets.filter((s) => s.secretId !== secretId),
            updatedAt: new Date(),
          },
        },
      );
      return true;
    },

    /** Sets a known secret as the only one: for seeding the demo tenant and tests. */
    async install(tenantId: string, secret: string): Promise<void> {
      await identitySettings.updateOne(
        { _id: tenantId },
        {
          $set: {
            tenantId,
            secrets: [{ secretId: 'installed', secret, createdAt: new Date() }],
            updatedAt: new Date(),
          },
        },
        { upsert: true },
      );
    },
  };
}

export type IdentityStore = ReturnType<typeof identityStore>;
