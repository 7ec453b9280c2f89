/**
 * Remembers the results of a pure computation by key (Intl objects, zone offsets, formatted
 * dates: costly to build, asked for again by every case and reminder). Bounded, so keys drawn
 * from data cannot grow it without end; a computation that throws is not remembered.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string, compute: () => V): V {
    if (this.entries.has(key)) return this.entries.get(key) as V;
    const value = compute();
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
