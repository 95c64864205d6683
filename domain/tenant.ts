import { z } from 'zod';

/**
 * A tenant (merchant) and the part of its reception settings a session
 * snapshots at start. Flows with versions arrive with the tenant API; until
 * then these settings live on the tenant.
 */

export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];

export const receptionSettingsSchema = z.strictObject({
  locale: z.enum(locales),
  greeting: z.record(z.enum(locales), z.string().min(1).max(2_000)),
  /** A robot-phase session with no activity closes after this long. */
  robotIdleTimeoutMs: z.number().int().min(60_000).max(86_400_000),
});

export type ReceptionSettings = z.infer<typeof receptionSettingsSchema>;

export interface Tenant {
  tenantId: string;
  name: string;
  reception: ReceptionSettings;
  createdAt: string;
}

export const defaultReceptionSettings: ReceptionSettings = {
  locale: 'zh-CN',
  greeting: {
    'zh-CN': '您好，欢迎光临！请问有什么可以帮您？',
    en: 'Hello and welcome! How can we help you today?',
  },
  robotIdleTimeoutMs: 10 * 60_000,
};

/** What a running session keeps for its whole life (DESIGN.md §4, config snapshot). */
export interface FlowSnapshot {
  locale: Locale;
  greeting: string;
  robotIdleTimeoutMs: number;
}

export function snapshotFlow(settings: ReceptionSettings): FlowSnapshot {
  return {
    locale: settings.locale,
    greeting: settings.greeting[settings.locale] ?? Object.values(settings.greeting)[0] ?? '',
    robotIdleTimeoutMs: settings.robotIdleTimeoutMs,
  };
}
