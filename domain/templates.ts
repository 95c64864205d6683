/**
 * Message templates' placeholders. A module of its own, with no schema, so
 * the session workflow can fill templates without building the flow's zod
 * schemas in every workflow it runs (workers/session-worker.ts).
 */

/** Fills `{name}` placeholders; unknown ones stay as they are. */
export function fillTemplate(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
