/**
 * A least-recently-used map from source text to its compiled form, bounded both by entry count
 * and by the total length of the keys (so a thousand 100 KB templates cannot pin 200 MB).
 */
export class LruCache<V> {
  private readonly map = new Map<string, V>();
  private chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      // Re-inserting moves the key to the young end of the Map's insertion order.
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    if (this.maxEntries <= 0 || key.length > this.maxChars) return;
    if (this.map.has(key)) {
      this.map.delete(key);
      this.chars -= key.length;
    }
    this.map.set(key, value);
    this.chars += key.length;
    while (this.map.size > this.maxEntries || this.chars > this.maxChars) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.map.delete(oldest.value);
      this.chars -= oldest.value.length;
    }
  }
}
