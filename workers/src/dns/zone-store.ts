// Stage 2 data: every hosted zone by name; the zone of a query is its longest hosted suffix.
import type { ZoneIndex } from './zone-index';

export class ZoneStore {
  private zones = new Map<string, ZoneIndex>();

  get size(): number {
    return this.zones.size;
  }

  get(name: string): ZoneIndex | undefined {
    return this.zones.get(name);
  }

  names(): IterableIterator<string> {
    return this.zones.keys();
  }

  set(index: ZoneIndex): void {
    this.zones.set(index.name, index);
  }

  delete(name: string): boolean {
    return this.zones.delete(name);
  }

  /** Swaps in a whole new set at once, so a query never sees half a reload. */
  replaceAll(zones: Map<string, ZoneIndex>): void {
    this.zones = zones;
  }

  /** Longest suffix match: try the name, then drop the leftmost label, down to the TLD. */
  find(qname: string): ZoneIndex | undefined {
    const zones = this.zones;
    if (zones.size === 0) return undefined;
    let name = qname;
    for (;;) {
      const z = zones.get(name);
      if (z !== undefined) return z;
      const dot = name.indexOf('.');
      if (dot < 0) return undefined;
      name = name.slice(dot + 1);
    }
  }
}
