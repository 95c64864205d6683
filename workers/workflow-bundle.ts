import type { BundleOptions } from '@temporalio/worker';

/**
 * How the session workflow's code is bundled, for the worker and for every
 * harness that runs or replays it.
 *
 * The worker runs each workflow in one reused V8 context, but evaluates the
 * bundle's modules again for every new workflow, so a library the workflow
 * imports is loaded once per session. Preloaded modules are evaluated once
 * and shared (the SDK freezes them). zod is: the update validators parse with
 * the API's schemas (domain/session-commands.ts), and its evaluation was
 * about a tenth of the workflow thread's CPU (BENCHMARKS.md, "Session cost").
 * Only the library: our schemas stay per workflow, because zod memoizes
 * fields on a schema at its first use, which a frozen schema refuses.
 */
export const workflowBundlerOptions: Pick<BundleOptions, 'preloadModules'> = {
  preloadModules: ['zod'],
};
