// Bound once: under jest a global such as Math is looked up through the sandbox on every use, a
// hundred times slower than a local, and the fuzz test draws millions of numbers.
const imul = Math.imul;

/** Mulberry32: a small seeded generator, so a random test that fails names the seed that reproduces it. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
