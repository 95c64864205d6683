import { createdTenantHook, tenantHookView } from './tenant-hook';

/** The bot hook as the admin API shows it (the shape every tenant hook has). */
export const botHookView = tenantHookView;
export const createdBotHook = createdTenantHook;
