/**
 * A map that keeps at most `capacity` entries and forgets the least recently
 * used first; a read counts as a use. Per-process caches only: nothing in one
 * may be needed for correctness.
 */
export function lru<V>(capacity: number) {
  const entries = new Map<string, V>();
  return {
    get(key: string): V | undefined {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      // Re-inserting keeps the Map's order by last use.
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key: string, value: V): void {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    delete(key: string): void {
      entries.delete(key);
    },
  };
}
