/** Small helpers every view uses: JSON has no `undefined` fields and no Dates. */

export const iso = (d: Date | undefined) => d?.toISOString();

/** The object without its undefined fields, so an answer never carries `"x": undefined` keys. */
export const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
