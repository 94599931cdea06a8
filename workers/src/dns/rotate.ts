// Stage 6: round-robin. The answer starts one record further on each time the rrset is served,
// so resolvers that take the first address spread over all of them. The encoder reads the
// records from this start, wrapping, so no array is copied.
import type { ServedRrset } from './zone-index';

export function rotationStart(rrset: ServedRrset, count: number): number {
  if (!rrset.rotate || count < 2) return 0;
  const start = rrset.cursor % count;
  // Wraps at 2^32; the skip it causes once in four billion answers does not matter.
  rrset.cursor = (rrset.cursor + 1) >>> 0;
  return start;
}
