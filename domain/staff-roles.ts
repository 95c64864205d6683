/**
 * The staff role vocabulary: an agent serves sessions; a supervisor also
 * watches and steers the desk. Carried in agent tokens (runtime/tokens.ts)
 * and stored with staff accounts.
 */
export const staffRoles = ['agent', 'supervisor'] as const;
export type StaffRole = (typeof staffRoles)[number];
