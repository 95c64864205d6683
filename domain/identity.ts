import { z } from 'zod';
import { channels, entrySchema, opaqueId } from './session';

/**
 * Who a shopper is (DESIGN.md §7). A shopper is either *verified* — the
 * merchant's site or backend signed the visitor id with the tenant's identity
 * secret, as an HMAC of the id or as a short-lived JWT carrying the id and
 * profile claims — or *anonymous*: the engine made the id and handed the
 * widget a visitor credential for it. Nobody names a bare id and gets that
 * visitor's conversation. Pure rules only; the signature checks live in
 * runtime/shopper-identity.ts.
 */

/** Ids the engine makes for anonymous shoppers; a signed identity can never claim one. */
export const anonymousPrefix = 'anon-';

export const isAnonymousId = (visitorId: string): boolean => visitorId.startsWith(anonymousPrefix);

/** The longest a merchant's identity JWT may live (`exp - iat`, or `exp - now` without `iat`). */
export const maxIdentityTokenSeconds = 24 * 60 * 60;
/** Clock difference tolerated between the merchant's servers and ours. */
export const identityClockSkewSeconds = 60;

/** Keys become stored field names: letters, digits, _ and - only (no dots, no `$`). */
const fieldKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, { message: 'keys are 1-40 letters, digits, _ or -' });

const tagList = z
  .array(opaqueId)
  .max(20)
  .meta({ description: 'Tag ids (at most 20): the customer is given them as stored tags' });

/** Profile claims a merchant may sign into an identity JWT, beside `sub`, `exp` and `iat`. */
export const profileClaimsSchema = z.object({
  name: z.string().trim().min(1).max(80).optional(),
  email: z.email().max(200).optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  tags: tagList.optional(),
  /** Merged key by key into the stored attributes; a null value removes the key. */
  attributes: z
    .record(fieldKey, z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
    .refine((r) => Object.keys(r).length <= 50, { message: 'at most 50 attributes' })
    .optional(),
  externalIds: z
    .record(fieldKey, z.string().min(1).max(200))
    .refine((r) => Object.keys(r).length <= 20, { message: 'at most 20 external ids' })
    .optional(),
});
export type ProfileClaims = z.infer<typeof profileClaimsSchema>;

/** The JWT payload: registered claims are checked strictly, unknown ones are ignored. */
export const identityTokenClaimsSchema = profileClaimsSchema.extend({
  sub: opaqueId,
  exp: z.number().int(),
  iat: z.number().int().optional(),
  nbf: z.number().int().optional(),
});
export type IdentityTokenClaims = z.infer<typeof identityTokenClaimsSchema>;

const hexHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/i, { message: 'must be 64 hex digits (HMAC-SHA256)' });

/**
 * How a shopper proves who they are when opening chat. At most one proof:
 * `hash` (with `id`), `token`, or `credential`; with none, the shopper is a
 * new anonymous visitor, and naming an `id` without a proof is refused.
 * `name` and `tags` are what the browser declares: the name is shown as a
 * hint when no verified name is known, the tags are ignored.
 */
export const visitorIdentitySchema = z
  .strictObject({
    id: opaqueId.optional().meta({
      description: 'The merchant’s visitor id; needs `hash` (or matches the token’s sub)',
    }),
    hash: hexHash
      .optional()
      .meta({ description: 'Hex HMAC-SHA256 of `id` with the tenant’s identity secret' }),
    token: z.string().min(1).max(8192).optional().meta({
      description:
        'A JWT (HS256, signed with the identity secret): `sub` is the visitor id, `exp` at most 24 h after `iat`; optional name, email, phone, tags, attributes, externalIds',
    }),
    credential: z.string().min(1).max(2048).optional().meta({
      description:
        'The visitor credential an earlier anonymous open returned: reattaches that anonymous visitor',
    }),
    name: z.string().trim().min(1).max(80).optional().meta({
      description:
        'A display name the browser declares: a hint, shown when no verified name is known',
    }),
    tags: z.array(z.string().trim().min(1).max(40)).max(20).optional().meta({
      description:
        'Ignored: tags a browser declares never reach routing or auto tags (they read the stored customer profile and verified claims)',
    }),
  })
  .superRefine((v, ctx) => {
    const proofs = [v.hash, v.token, v.credential].filter((p) => p !== undefined).length;
    if (proofs > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['hash'],
        message: 'give one of hash, token or credential',
      });
    }
    if (v.hash !== undefined && v.id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'a hash signs an id: give the id' });
    }
  });
export type VisitorIdentity = z.infer<typeof visitorIdentitySchema>;

/** `POST /api/v1/sessions`: who opens chat, on which channel, from which page. */
export const startSessionSchema = z.strictObject({
  tenantId: opaqueId,
  visitor: visitorIdentitySchema.optional().meta({
    description: 'Who the shopper is; absent for a new anonymous shopper',
  }),
  channel: z.enum(channels),
  entry: entrySchema,
});
export type StartSessionRequest = z.infer<typeof startSessionSchema>;

/** How the engine knows the shopper of a session. */
export const identityKinds = ['verified', 'anonymous'] as const;
export type IdentityKind = (typeof identityKinds)[number];

/** A tenant's identity settings as the admin API shows and takes them. */
export const identitySettingsSchema = z.strictObject({
  requireVerifiedIdentity: z.boolean().meta({
    description:
      'true: only shoppers with a signed identity may open chat; false: anonymous shoppers may too',
  }),
});
export type IdentitySettings = z.infer<typeof identitySettingsSchema>;

/** What an admin or integration may change in a customer's profile. */
export const customerProfilePatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(80).nullable().optional(),
  email: z.email().max(200).nullable().optional(),
  phone: z.string().trim().min(3).max(40).nullable().optional(),
  attributes: profileClaimsSchema.shape.attributes,
  externalIds: profileClaimsSchema.shape.externalIds,
});
export type CustomerProfilePatch = z.infer<typeof customerProfilePatchSchema>;

export interface CustomerProfile {
  visitorId: string;
  identity: IdentityKind;
  name?: string;
  /** The name the shopper typed when opening chat: shown, never trusted (routing reads `name`). */
  givenName?: string;
  email?: string;
  phone?: string;
  attributes: Record<string, string | number | boolean>;
  externalIds: Record<string, string>;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}
