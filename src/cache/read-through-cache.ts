/**
 * An in-process read-through cache whose entries are only trusted while invalidations from
 * other processes can reach it (see SharedCacheService). A load that started before an
 * invalidation is returned to its caller but never stored, so a slow reader cannot put back
 * what a publish just replaced.
 */
export class ReadThroughCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number; size: number }>();
  private generation = 0;
  private bytes = 0;

  constructor(
    readonly topic: string,
    private readonly isTrusted: () => boolean,
    private readonly options: { ttlMs: number; maxEntries: number; maxBytes?: number; sizeOf?: (value: V) => number },
  ) {}

  async get(key: string, load: () => Promise<V>, now = Date.now()): Promise<V> {
    if (!this.isTrusted()) return load();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) {
      // Map order doubles as recency: re-inserting moves the entry to the young end.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation && this.isTrusted()) this.store(key, value, now);
    return value;
  }

  /** Several keys at once: the misses are loaded together (one query, not one per key). */
  async getMany(keys: string[], loadMissing: (keys: string[]) => Promise<Map<string, V>>, now = Date.now()): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    const missing: string[] = [];
    const trusted = this.isTrusted();
    for (const key of new Set(keys)) {
      const hit = trusted ? this.entries.get(key) : undefined;
      if (hit && hit.expiresAt > now) found.set(key, hit.value);
      else missing.push(key);
    }
    if (missing.length === 0) return found;
    const generation = this.generation;
    const loaded = await loadMissing(missing);
    const keep = trusted && generation === this.generation && this.isTrusted();
    for (const [key, value] of loaded) {
      found.set(key, value);
      if (keep) this.store(key, value, now);
    }
    return found;
  }

  /** Forgets one key. Loads already under way (of any key) are not stored: simpler than a generation per key, and as safe. */
  delete(key: string): void {
    this.generation++;
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.size;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, value: V, now: number): void {
    const size = this.options.sizeOf?.(value) ?? 0;
    if (this.options.maxBytes !== undefined && size > this.options.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.bytes -= previous.size;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, expiresAt: now + this.options.ttlMs, size });
    this.bytes += size;
    for (const [oldest, entry] of this.entries) {
      const overBytes = this.options.maxBytes !== undefined && this.bytes > this.options.maxBytes;
      if (this.entries.size <= this.options.maxEntries && !overBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.size;
    }
  }
}
