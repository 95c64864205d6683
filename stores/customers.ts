import type { Db } from 'mongodb';
import type {
  CustomerProfile,
  CustomerProfilePatch,
  IdentityKind,
  ProfileClaims,
} from '../domain/identity';
import { collections, type CustomerDoc } from './collections';

const key = (tenantId: string, visitorId: string) => `${tenantId}:${visitorId}`;

const toProfile = (doc: CustomerDoc, tags: string[]): CustomerProfile => ({
  visitorId: doc.visitorId,
  identity: doc.identity,
  ...(doc.name !== undefined ? { name: doc.name } : {}),
  ...(doc.givenName !== undefined ? { givenName: doc.givenName } : {}),
  ...(doc.email !== undefined ? { email: doc.email } : {}),
  ...(doc.phone !== undefined ? { phone: doc.phone } : {}),
  attributes: doc.attributes,
  externalIds: doc.externalIds,
  tags,
  createdAt: doc.createdAt.toISOString(),
  updatedAt: doc.updatedAt.toISOString(),
});

type Contact = Pick<CustomerProfilePatch, 'name' | 'email' | 'phone'>;
type Attributes = ProfileClaims['attributes'];

/**
 * The `$set` / `$unset` of a profile change: contact fields are set or, when
 * null, removed; attributes and external ids merge key by key, a null
 * attribute removing its key (RFC 7386 for one level).
 */
function changes(
  contact: Contact,
  attributes: Attributes,
  externalIds: Record<string, string> | undefined,
) {
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  for (const field of ['name', 'email', 'phone'] as const) {
    const value = contact[field];
    if (value === null) unset[field] = '';
    else if (value !== undefined) set[field] = value;
  }
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null) unset[`attributes.${name}`] = '';
    else set[`attributes.${name}`] = value;
  }
  for (const [system, id] of Object.entries(externalIds ?? {})) set[`externalIds.${system}`] = id;
  return { set, unset };
}

/**
 * Customer profiles: who a tenant's visitor is, as verified claims and the
 * merchant's systems told us. Tags are the tag store's (`customer_tags`),
 * joined in by the caller that shows a profile.
 */
export function customerStore(db: Db) {
  const { customers } = collections(db);

  /** Creates the profile if missing, then applies the change (two writes: field paths need a parent). */
  async function upsert(
    tenantId: string,
    visitorId: string,
    identity: IdentityKind,
    change: { set: Record<string, unknown>; unset: Record<string, ''> },
  ): Promise<void> {
    const _id = key(tenantId, visitorId);
    const now = new Date();
    await customers.updateOne(
      { _id },
      {
        $setOnInsert: {
          tenantId,
          visitorId,
          identity,
          attributes: {},
          externalIds: {},
          createdAt: now,
          updatedAt: now,
        },
      },
      { upsert: true },
    );
    const hasChange = Object.keys(change.set).length + Object.keys(change.unset).length > 0;
    if (!hasChange) return;
    await customers.updateOne(
      { _id },
      {
        $set: { ...change.set, updatedAt: now },
        ...(Object.keys(change.unset).length ? { $unset: change.unset } : {}),
      },
    );
  }

  return {
    async get(
      tenantId: string,
      visitorId: string,
      tags: string[],
    ): Promise<CustomerProfile | undefined> {
      const doc = await customers.findOne({ _id: key(tenantId, visitorId) });
      return doc ? toProfile(doc, tags) : undefined;
    },

    async exists(tenantId: string, visitorId: string): Promise<boolean> {
      return (
        (await customers.findOne({ _id: key(tenantId, visitorId) }, { projection: { _id: 1 } })) !==
        null
      );
    },

    /** Profiles of the tenant, most recently changed first; `before` is the last page's last updatedAt. */
    async list(tenantId: string, limit: number, before?: Date): Promise<CustomerDoc[]> {
      return customers
        .find({ tenantId, ...(before ? { updatedAt: { $lt: before } } : {}) })
        .sort({ updatedAt: -1 })
        .limit(limit)
        .toArray();
    },

    toProfile,

    /**
     * The profile a shopper opens chat with: created on first sight, updated
     * by verified claims; the name the shopper typed, if any, is kept as
     * `givenName` (the latest one given), beside a trusted `name`.
     */
    async recordVisit(
      tenantId: string,
      visitorId: string,
      identity: IdentityKind,
      claims: ProfileClaims = {},
      givenName?: string,
    ): Promise<void> {
      const change = changes(claims, claims.attributes, claims.externalIds);
      if (givenName !== undefined) change.set.givenName = givenName;
      await upsert(tenantId, visitorId, identity, change);
    },

    /** An admin's or integration's change; false when there is no such customer. */
    async patch(
      tenantId: string,
      visitorId: string,
      patch: CustomerProfilePatch,
    ): Promise<boolean> {
      if (!(await this.exists(tenantId, visitorId))) return false;
      await upsert(
        tenantId,
        visitorId,
        'anonymous',
        changes(patch, patch.attributes, patch.externalIds),
      );
      return true;
    },
  };
}

export type CustomerStore = ReturnType<typeof customerStore>;
