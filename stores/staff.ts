import type { Db } from 'mongodb';
import type { StaffRole } from '../domain/staff-roles';
import { collections } from './collections';

const key = (tenantId: string, agentId: string) => `${tenantId}:${agentId}`;

/** What a staff token is checked against on every request (see api/auth/staff-access.ts). */
export interface StaffAccess {
  /** Deactivated or deleted: every token of the account is refused. */
  closed: boolean;
  /** Tokens issued at or before this (epoch ms) are refused. */
  tokensValidAfter?: number;
  revokedTokens: string[];
}

/** Console users: role and password hash per (tenant, agent), and what revokes their tokens. */
export function staffStore(db: Db) {
  const { staff } = collections(db);
  return {
    async upsert(
      tenantId: string,
      agentId: string,
      profile: { role: StaffRole; name?: string; passwordHash?: string },
    ): Promise<void> {
      await staff.updateOne(
        { _id: key(tenantId, agentId) },
        {
          $set: {
            tenantId,
            agentId,
            role: profile.role,
            updatedAt: new Date(),
            ...(profile.name !== undefined ? { name: profile.name } : {}),
            // An omitted password keeps the one set before.
            ...(profile.passwordHash !== undefined ? { passwordHash: profile.passwordHash } : {}),
          },
          // A deleted id made again is a new account; its old tokens stay refused (tokensValidAfter).
          $unset: { deletedAt: '' },
        },
        { upsert: true },
      );
    },

    async get(tenantId: string, agentId: string) {
      return staff.findOne({ _id: key(tenantId, agentId), tenantId });
    },

    async list(tenantId: string) {
      return staff.find({ tenantId, deletedAt: { $exists: false } }).toArray();
    },

    /**
     * What revokes the account's tokens; undefined for an account the
     * engine has no record of (its tokens stand on signature and expiry).
     */
    async access(tenantId: string, agentId: string): Promise<StaffAccess | undefined> {
      const doc = await staff.findOne(
        { _id: key(tenantId, agentId), tenantId },
        { projection: { active: 1, deletedAt: 1, tokensValidAfter: 1, revokedTokens: 1 } },
      );
      if (!doc) return undefined;
      return {
        closed: doc.active === false || doc.deletedAt !== undefined,
        revokedTokens: (doc.revokedTokens ?? []).map((t) => t.id),
        ...(doc.tokensValidAfter !== undefined ? { tokensValidAfter: doc.tokensValidAfter } : {}),
      };
    },

    /**
     * Deactivates (every token issued so far is refused, login too) or
     * reactivates (a fresh login is needed). The caller has checked that the
     * agent exists; one made without a staff record gets one.
     */
    async setActive(tenantId: string, agentId: string, active: boolean): Promise<void> {
      const now = new Date();
      await staff.updateOne(
        { _id: key(tenantId, agentId) },
        active
          ? {
              $unset: { active: '', deactivatedAt: '' },
              $set: { updatedAt: now },
              $setOnInsert: { tenantId, agentId, role: 'agent' },
            }
          : {
              $set: {
                active: false,
                deactivatedAt: now,
                tokensValidAfter: now.getTime(),
                updatedAt: now,
              },
              $setOnInsert: { tenantId, agentId, role: 'agent' },
            },
        { upsert: true },
      );
    },

    /** Refuses every token of the account issued up to now (the caller has checked it exists). */
    async revokeTokens(tenantId: string, agentId: string): Promise<void> {
      const now = new Date();
      await staff.updateOne(
        { _id: key(tenantId, agentId) },
        {
          $set: { tokensValidAfter: now.getTime(), updatedAt: now },
          $setOnInsert: { tenantId, agentId, role: 'agent' },
        },
        { upsert: true },
      );
    },

    /**
     * Refuses one token (logout) until it expires. An account made outside
     * the API (no record yet) gets one holding only this, with the token's role.
     */
    async revokeToken(
      tenantId: string,
      agentId: string,
      role: StaffRole,
      token: { id: string; expiresAt: number },
    ): Promise<void> {
      const _id = key(tenantId, agentId);
      await staff.updateOne(
        { _id },
        {
          $push: { revokedTokens: token },
          $setOnInsert: { tenantId, agentId, role, updatedAt: new Date() },
        },
        { upsert: true },
      );
      // Expired tokens are refused by their expiry anyway: the list stays short.
      await staff.updateOne(
        { _id },
        { $pull: { revokedTokens: { expiresAt: { $lte: Math.floor(Date.now() / 1000) } } } },
      );
    },

    /**
     * Deletes the account: its name and password go, a tombstone stays so
     * its tokens are refused (the caller has checked it exists).
     */
    async remove(tenantId: string, agentId: string): Promise<void> {
      const now = new Date();
      await staff.updateOne(
        { _id: key(tenantId, agentId) },
        {
          $set: { deletedAt: now, tokensValidAfter: now.getTime(), updatedAt: now },
          $unset: { name: '', passwordHash: '', active: '', deactivatedAt: '', revokedTokens: '' },
          $setOnInsert: { tenantId, agentId, role: 'agent' },
        },
        { upsert: true },
      );
    },
  };
}

export type StaffStore = ReturnType<typeof staffStore>;
